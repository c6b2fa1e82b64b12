"""The site's build hooks: the per-code pages and the docstrings as the reference shows them.

The hooks live in ``docs/hooks/`` (mkdocs loads them by path); they are loaded the same
way here. The whole build is ``test_docs_site.py``; these are the hooks' own rules.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from docs_markdown import DOCS

from activity_schema.issues.codes import CODE_INFO, IssueCode


def _hook(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"docs_hook_{name}", DOCS / "hooks" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


codes = _hook("codes")
griffe_rst = _hook("griffe_rst")


def test_every_code_has_its_severity_and_meaning_in_the_index() -> None:
    rows = codes._index_rows(DOCS)
    assert set(rows) == {str(code) for code in IssueCode}
    assert rows["invalid-email"] == ("error", "not a valid email address")
    assert rows["misplaced-email"][0] == "fixed / warning"


def test_a_code_page_says_what_explain_says() -> None:
    page = codes.code_page(IssueCode.NULL_STRING, "fixed", "`null` emptied")
    info = CODE_INFO[IssueCode.NULL_STRING]
    assert page.startswith("# `null-string`\n")
    for text in (info.summary, info.why, info.fix, "| fixed | `null` emptied |"):
        assert text in page
    assert "activity-schema explain null-string" in page


def test_a_code_missing_from_the_index_stops_the_build(tmp_path: Path) -> None:
    index = (DOCS / "codes" / "index.md").read_text(encoding="utf-8")
    (tmp_path / "codes").mkdir()
    kept = [line for line in index.splitlines() if "[`mojibake`]" not in line]
    (tmp_path / "codes" / "index.md").write_text("\n".join(kept), encoding="utf-8")
    with pytest.raises(ValueError, match=r"codes/index.md has no table row for: mojibake"):
        codes.on_files([], {"docs_dir": str(tmp_path)})


@pytest.mark.parametrize(
    ("docstring", "markdown"),
    [
        ("See :func:`~activity_schema.jobs.whole.prepare`.", "See `prepare`."),
        (
            "See :class:`activity_schema.errors.UsageError`.",
            "See `activity_schema.errors.UsageError`.",
        ),
        (":py:meth:`~x.Y.z` and :mod:`activity_schema.output`", "`z` and `activity_schema.output`"),
        (
            "Args:\n    x: One.\n\n    Example:\n        >>> 1\n",
            "Args:\n    x: One.\n\n    Examples:\n        >>> 1\n",
        ),
        (
            "Example: not a section, text after the colon",
            "Example: not a section, text after the colon",
        ),
    ],
)
def test_sphinx_roles_become_code_spans(docstring: str, markdown: str) -> None:
    assert griffe_rst.markdown_docstring(docstring) == markdown
