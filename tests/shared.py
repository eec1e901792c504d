"""Where the recorded fixtures live (../shared beside the checkout), and the rule for using them:
skip with a reason when they are absent, but fail on CI (`CI=true`), which must run them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def require(path: Path) -> Path:
    """`path` if it exists; otherwise skip (locally) or fail (on CI)."""
    if not path.exists():
        message = f"../shared/fixtures not present: {path} is missing"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must run this test")
        pytest.skip(message)
    return path
