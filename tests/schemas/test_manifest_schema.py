"""The ``manifest.json`` of every convert run validates against ``manifest.schema.json``.

Beyond the shape, what the uploader relies on: the counts add up, each part is on disk
with the size and SHA-256 the manifest gives, and its records name real input rows.
"""

from __future__ import annotations

import hashlib
import json

import jsonschema
import pytest
from conftest import Run

from activity_schema import schemas


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_manifest_validates(
    runs: dict[tuple[str, bool, str], Run], streamed: bool, fmt: str
) -> None:
    run = runs[("convert", streamed, fmt)]
    assert run.outdir is not None
    manifest = json.loads((run.outdir / "manifest.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schemas.load("manifest"))
    errors = validator.iter_errors(manifest)
    assert [f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors] == []
    assert [i["path"] for i in manifest["inputs"]] == list(run.inputs)
    assert manifest["rows_in"] == (
        manifest["rows_out"] + manifest["rows_rejected"] + manifest["rows_dropped"]
    )
    parts = manifest["parts"]
    assert len(parts) == manifest["part_count"] > 1  # --max-bytes 300: one record a part
    assert sum(p["rows"] for p in parts) == manifest["rows_out"]
    rows = {i["index"]: i["rows"] for i in manifest["inputs"]}
    for part in parts:
        data = (run.outdir / part["file"]).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (part["bytes"], part["sha256"])
        assert part["bytes"] <= manifest["max_bytes"]
        assert sum(n for *_, n in part["ranges"]) == part["rows"]
        assert all(row + n - 1 <= rows[index] for index, row, _, n in part["ranges"])
