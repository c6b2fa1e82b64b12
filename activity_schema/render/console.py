"""A rich console: colours on a terminal, plain text otherwise, as the environment says.

The conventions rich (and most tools) follow: ``NO_COLOR`` set to anything but the
empty string turns colours off (https://no-color.org); ``FORCE_COLOR`` set to anything
but the empty string turns them on where no terminal is (CI logs that render ANSI
colours); ``NO_COLOR`` wins when both are set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO

from rich.console import Console

__all__ = ["make_console", "wants_color"]


def wants_color(stream: IO[str], environ: Mapping[str, str] | None = None) -> bool:
    """Return whether output to ``stream`` is coloured, given the environment.

    Example:
        >>> import io
        >>> wants_color(io.StringIO(), {"FORCE_COLOR": "1"})
        True
        >>> wants_color(io.StringIO(), {"FORCE_COLOR": "1", "NO_COLOR": "1"})
        False
    """
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


def make_console(stream: IO[str]) -> Console:
    """Return a console for ``stream``: colours when :func:`wants_color`, plain otherwise."""
    color = wants_color(stream)
    return Console(
        file=stream,
        no_color=not color,
        force_terminal=color,
        highlight=False,
        soft_wrap=True,
        emoji=False,
        width=None if color and stream.isatty() else 200,
    )
