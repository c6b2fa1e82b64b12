"""Read a version-2 report back cell by cell, as version 1 listed it.

A report summarises mechanical normalizations per field (``normalizations``); tests that
check every finding of a planted file run with ``--fixes FILE`` and put the summarised
cells back beside the listed issues with :func:`with_fixes`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SUMMARIZED = ("normalized", "null-string")


def summarized_cells(fixes: Path) -> list[dict[str, Any]]:
    """Return the cells of a ``--fixes`` file that the report summarises."""
    cells = [json.loads(line) for line in fixes.read_text(encoding="utf-8").splitlines()]
    return [c for c in cells if c["code"] in SUMMARIZED and c["field"] is not None]


def with_fixes(report: dict[str, Any], fixes: Path) -> dict[str, Any]:
    """Return ``report`` whose ``issues`` also hold the summarised cells of ``fixes``.

    The summaries must count those cells exactly: checked here, so that every test that
    reads a report this way also checks the summary against the cells.
    """
    cells = summarized_cells(fixes)
    counted = {(e["field"], e["code"], e["severity"]): e["count"] for e in report["normalizations"]}
    seen: dict[tuple[str, str, str], int] = {}
    for cell in cells:
        key = (cell["field"], cell["code"], cell["severity"])
        seen[key] = seen.get(key, 0) + 1
    assert seen == counted, (seen, counted)
    return {**report, "issues": report["issues"] + cells}
