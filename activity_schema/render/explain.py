"""Render issue-code documentation (``activity-schema explain``) as text."""

from __future__ import annotations

from typing import IO

from rich.markup import escape
from rich.table import Table

from ..issues.codes import CODE_INFO, IssueCode
from .console import make_console
from .schema import print_plain

__all__ = ["render_code", "render_code_list"]


def render_code(code: IssueCode, stream: IO[str]) -> None:
    """Print what ``code`` means, why Eloqua cares, and how to fix it.

    Args:
        code: The issue code.
        stream: Where to print.
    """
    info = CODE_INFO[code]
    console = make_console(stream)
    console.print(f"[bold]{escape(str(code))}[/bold]: {escape(info.summary)}")
    console.print()
    console.print("[bold]Why Eloqua cares[/bold]")
    console.print(f"  {escape(info.why)}")
    console.print()
    console.print("[bold]How to fix it[/bold]")
    console.print(f"  {escape(info.fix)}")


def render_code_list(stream: IO[str]) -> None:
    """Print every issue code with its one-line summary."""
    console = make_console(stream)
    table = Table(box=None, pad_edge=False, show_edge=False, show_header=False)
    table.add_column("code", style="bold", no_wrap=True)
    table.add_column("summary", overflow="fold")
    for code in IssueCode:
        table.add_row(escape(str(code)), escape(CODE_INFO[code].summary))
    print_plain(console, table)
