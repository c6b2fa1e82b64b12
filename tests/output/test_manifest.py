"""One module writes and reads ``manifest.json``: what convert writes, the uploader reads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl

from activity_schema.jobs.whole import prepare
from activity_schema.output.manifest import (
    MANIFEST_NAME,
    MANIFEST_VERSION,
    RawJSON,
    load_manifest,
    manifest_text,
    record_lines,
)
from activity_schema.output.plan import plan_convert
from activity_schema.output.write import convert


def _row(i: int, **extra: str) -> dict[str, str]:
    return {"activityId": str(i), "email": f"user{i}@example.com", "type": "Registered", **extra}


def test_reading_the_manifest_imports_no_polars() -> None:
    code = (
        "import sys\n"
        "import activity_schema.output.manifest\n"
        "print(sorted(m for m in ('polars', 'numpy', 'pandera') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_what_convert_writes_is_what_the_uploader_reads(tmp_path: Path) -> None:
    rows = [_row(i) for i in range(30)] + [{"email": "not an email"}, _row(3)]
    prepared = prepare(rows)
    result = convert(prepared, tmp_path / "out", max_bytes=900, dedupe=True)
    manifest = load_manifest(tmp_path / "out")
    assert len(result.parts) > 1
    assert [(p.file, p.rows, p.bytes, p.sha256) for p in manifest.parts] == [
        (p.file, p.rows, p.bytes, p.sha256) for p in result.parts
    ]
    for read, written in zip(manifest.parts, result.parts, strict=True):
        sources = written.sources.select("_input", "_row", "_line").rows()
        assert list(read.sources()) == sources
        assert [read.source(i) for i in range(read.rows)] == sources
        assert (manifest.path(read)).read_bytes().count(b'"email"') == read.rows
    assert (manifest.rows_out, manifest.rows_rejected) == (result.rows_out, result.rows_rejected)
    assert manifest.fields == prepared.spec.names
    data = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert data["manifest_version"] == MANIFEST_VERSION
    assert result.rows_dropped == len(data["dropped"]) == 1  # the copy of row 3


def test_pre_rendered_record_lists_land_indented_and_parse(tmp_path: Path) -> None:
    plan = plan_convert(prepare([_row(1), _row(2)]), to="json")
    result = convert(plan.prepared, tmp_path / "out")
    frame = pl.DataFrame({"a": [0, 1], "b": [2, 1], "c": [2, 3], "d": [5, 1]})
    text = manifest_text(
        plan,
        result,
        0,
        inputs=[],
        rejected_by_code={},
        ranges=[RawJSON(record_lines(frame, "a", "b", "c", "d"))],
        dropped=RawJSON("[]"),
    )
    assert json.loads(text)["parts"][0]["ranges"] == [[0, 2, 2, 5], [1, 1, 3, 1]]
    # Every range of a part on its own line, indented under its key.
    assert '      "ranges": [\n        [0, 2, 2, 5],\n        [1, 1, 3, 1]\n      ]\n' in text
    assert text.endswith("}\n")
