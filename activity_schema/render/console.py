"""A rich console that is plain when not on a terminal or when ``NO_COLOR`` is set."""

from __future__ import annotations

import os
from typing import IO

from rich.console import Console

__all__ = ["make_console"]


def make_console(stream: IO[str]) -> Console:
    """Return a console for ``stream``: colours on a terminal, plain text otherwise."""
    color = stream.isatty() and not os.environ.get("NO_COLOR")
    return Console(
        file=stream,
        no_color=not color,
        force_terminal=color,
        highlight=False,
        soft_wrap=True,
        emoji=False,
        width=None if color else 200,
    )
