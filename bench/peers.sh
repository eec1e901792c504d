#!/usr/bin/env bash
# Side by side with urlwatch and changedetection.io, in one run, through ../shared/bench-peers
# (its README has the harness): this project's venv puts `watcher` first on PATH.
#   bench/peers.sh                     # idle/seed/changed passes of 1,000 posts, every tool
#   TOOLS=watcher bench/peers.sh 1000  # one tool
#   LATENCY_MS=100 WATCHER_CONCURRENCY=256 REPEAT=1 TOOLS=watcher bench/peers.sh 1000
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEERS:-$here/../shared/bench-peers}
[ -d "$peers" ] || { echo "peers.sh: no harness at $peers" >&2; exit 2; }
[ -x /tmp/bench-venv/bin/python ] || (cd "$peers" && ./setup.sh)
export PATH="$here/.venv/bin:$PATH"
cd "$peers"
exec ./run_all.sh "${@:-1000}"
