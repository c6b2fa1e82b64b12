"""Render ``inspect`` results as text."""

from __future__ import annotations

from typing import IO, Any

from rich.markup import escape
from rich.table import Table

from ..errors import escape_controls
from .console import make_console

__all__ = ["render_inspect_text"]


def render_inspect_text(results: list[dict[str, Any]], stream: IO[str]) -> None:
    """Print one block per input: how it was read and how its columns map."""
    console = make_console(stream)
    for result in results:
        if "error" in result:
            continue
        console.print(f"[bold]{escape(escape_controls(result['path']))}[/bold]")
        encoding = result["encoding"] or "-"
        if result["encoding_reason"]:
            encoding += f" ({result['encoding_reason']})"
        console.print(f"  encoding: {escape(encoding)}")
        fmt = result["format"]
        if result["dialect"]:
            d = result["dialect"]
            quote = repr(d["quotechar"]) if d["quotechar"] else "none"
            fmt += f", delimiter {d['delimiter']!r}, quote {quote}"
        if result["sheet"]:
            fmt += f", sheet {result['sheet']!r}"
        console.print(f"  format:   {escape(fmt)}")
        records = f"{result['records']:,}"
        if result["blank_rows"]:
            records += f" ({result['blank_rows']} blank skipped)"
        console.print(f"  records:  {records}")
        table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 2, 0, 2))
        table.add_column("column")
        table.add_column("field")
        table.add_column("samples")
        for col in result["columns"]:
            if col["field"]:
                target = col["field"] + ("" if col["match"] == "exact" else f" ({col['match']})")
            elif col["suggestion"]:
                target = f"- (did you mean {col['suggestion']}?)"
            else:
                target = "-"
            samples = ", ".join(repr(s)[1:-1][:30] for s in col["samples"])
            table.add_row(escape(col["header"] or "(blank)"), escape(target), escape(samples))
        console.print(table)
        if result["missing_fields"]:
            console.print(f"  missing required fields: {', '.join(result['missing_fields'])}")
        for issue in result["issues"]:
            if issue["code"] in ("renamed-column",):
                continue
            where = f":{issue['line']}" if issue["line"] else ""
            console.print(
                f"  {issue['severity']}: {escape(issue['code'])}{where}: {escape(issue['message'])}"
            )
        console.print()
