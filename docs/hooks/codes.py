"""mkdocs hook: one page per issue code, generated from the code table at build time.

Each page's address is ``codes/<code>/``, the address ``activity_schema.issues.codes.code_url``
gives (SARIF rules link there as ``helpUri``). The summary, why Eloqua cares and how to
fix it come from ``CODE_INFO``, as ``activity-schema explain`` prints them; the severity
and the one-line meaning come from the hand-written index (``docs/codes/index.md``), so a
code missing from the index fails the build instead of getting a page without them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

from activity_schema.issues.codes import CODE_INFO, IssueCode

_INDEX = "codes/index.md"
_ROW = re.compile(r"^\| \[`([a-z-]+)`\]\(\1\.md\) \| ([^|]+) \| (.+) \|$", re.MULTILINE)


def _index_rows(docs_dir: Path) -> dict[str, tuple[str, str]]:
    """Return each code's severity and meaning, as the index's table gives them."""
    text = (docs_dir / _INDEX).read_text(encoding="utf-8")
    return {m.group(1): (m.group(2).strip(), m.group(3).strip()) for m in _ROW.finditer(text)}


def code_page(code: IssueCode, severity: str, meaning: str) -> str:
    """Return the Markdown of the page of ``code``."""
    info = CODE_INFO[code]
    return f"""# `{code}`

{info.summary}

| severity | meaning |
|---|---|
| {severity} | {meaning} |

## Why Eloqua cares

{info.why}

## How to fix it

{info.fix}

## Where you meet it

Reports name it as the issue's `code` (`--format json`), the SARIF rule's `ruleId`, the
GitLab `check_name` and the JUnit `testcase`; `activity-schema explain {code}` prints this
page's text in the terminal. All codes: [Issue codes](index.md).
"""


def on_files(files: Files, config: Any, **_: Any) -> Files:
    """Add ``codes/<code>.md`` for every issue code."""
    rows = _index_rows(Path(config["docs_dir"]))
    missing = sorted(str(code) for code in IssueCode if str(code) not in rows)
    if missing:
        # An exception stops the build; strict mode or not, a code has no page otherwise.
        raise ValueError(f"{_INDEX} has no table row for: {', '.join(missing)}")
    for code in IssueCode:
        severity, meaning = rows[str(code)]
        files.append(
            File.generated(config, f"codes/{code}.md", content=code_page(code, severity, meaning))
        )
    return files
