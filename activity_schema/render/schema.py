"""Render the effective schema (``activity-schema schema``) as text.

The data comes from :func:`~activity_schema.schema.describe.describe_schema`; this module
only formats it: a table of fields on a terminal, the same table without colour when
the output is a file, a pipe or ``NO_COLOR`` is set.
"""

from __future__ import annotations

from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .console import make_console

__all__ = ["print_plain", "render_schema_text"]

_RULES = ("kind", "required", "max_length", "allowed", "aliases")


def _origin(field: dict[str, Any], config: str) -> str:
    """Return the field's origin and the rules set elsewhere, naming the config briefly."""
    base = str(field["origin"])
    others: dict[str, list[str]] = {}
    for rule in _RULES:
        origin = str(field["rule_origins"][rule])
        if origin != base:
            short = "config" if config in origin else origin
            others.setdefault(short, []).append(rule)
    return ", ".join([base, *(f"{origin}: {' '.join(rules)}" for origin, rules in others.items())])


def print_plain(console: Console, renderable: Any) -> None:
    """Print ``renderable``; without a terminal, without the padding at line ends."""
    if console.is_terminal:
        console.print(renderable)
        return
    with console.capture() as capture:
        console.print(renderable)
    console.file.write("".join(line.rstrip() + "\n" for line in capture.get().splitlines()))


def render_schema_text(info: dict[str, Any], stream: IO[str]) -> None:
    """Print the schema's fields with their rules and origins, then the settings.

    Args:
        info: The description from :func:`~activity_schema.schema.describe.describe_schema`.
        stream: Where to print.
    """
    console = make_console(stream)
    console.print(f"[bold]{escape(info['name'])}[/bold] (from {escape(info['origin'])})")
    if info["settings"]["source"] != "defaults":
        console.print(f"config: {escape(info['settings']['source'])}")
    table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 2, 0, 2))
    for title in ("field", "kind", "required", "max length", "allowed", "aliases", "origin"):
        table.add_column(title, overflow="fold")
    for field in info["fields"]:
        table.add_row(
            f"[bold]{escape(field['name'])}[/bold]",
            escape(field["kind"]),
            "yes" if field["required"] else "-",
            str(field["max_length"]) if field["max_length"] is not None else "-",
            escape(", ".join(field["allowed"])) if field["allowed"] is not None else "any",
            escape(", ".join(field["aliases"])) or "-",
            escape(_origin(field, info["settings"]["source"])),
        )
    print_plain(console, table)
    for group in info["one_of"]:
        console.print(f"each row needs at least one of: {escape(', '.join(group))}")
    settings = info["settings"]
    console.print(f"[bold]settings[/bold] (from {escape(settings['source'])})")
    for key, origin in info["setting_origins"].items():
        value = settings[key]
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        console.print(f"  {key} = {escape(shown)}  [dim]({escape(origin)})[/dim]")
    for header, target in settings["aliases"].items():
        console.print(f"  alias {escape(repr(header))} -> {escape(target)}")
    for asset, types in settings["activity_types"].items():
        console.print(f"  activity types of {escape(asset)}: {escape(', '.join(types))}")
