"""Who holds a lease or a claim: this process, named by host, pid and a token.

The token tells this process from an earlier one that had the same pid (a restarted
container's daemon often does). A holder on this machine whose process no longer runs is known
to be dead at once, so its leases and claims need not wait to run out.
"""

from __future__ import annotations

import os
import socket
import uuid

# This process, as holders name it: "host:pid:token" (a channel drainer appends its own part).
PROCESS = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def died_here(holder: str) -> bool:
    """Whether `holder` was (a part of) a process on this machine that no longer runs."""
    host, pid, token, *_ = [*holder.split(":"), "", "", ""]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return token != PROCESS.split(":")[2]  # this pid's earlier process
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, but not ours to signal
        return False
    return False
