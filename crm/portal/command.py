"""The `crm` sub-commands of crm.portal."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Add this package's sub-commands to the `crm` parser (`sub` is argparse's subparsers)."""
    del sub
