"""Reading the documentation's Markdown: its pages, sections and fenced blocks.

Shared by the tests of ``tests/docs/`` and ``tests/test_readme.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[2]
DOCS = ROOT / "docs"
README = ROOT / "README.md"

#: The line that marks the next ```python block as one the tests do not run, with why.
NOT_RUN = re.compile(r"^<!-- example: not run \((?P<reason>[^)]+)\) -->$")

_HEADING = re.compile(r"^(#{1,4}) (.*)$", re.MULTILINE)
_FENCE = re.compile(
    r"^(?P<indent> *)```(?P<lang>[\w-]*)\n(?P<body>.*?)^(?P=indent)```$", re.MULTILINE | re.DOTALL
)


def pages() -> list[Path]:
    """Return the Markdown pages of the docs (hand-written ones) and the README."""
    return [*sorted(DOCS.rglob("*.md")), README]


def page_id(path: Path) -> str:
    """Return ``path`` relative to the repository, for test ids and messages."""
    return path.relative_to(ROOT).as_posix()


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    body: str  # dedented by the fence's own indentation
    not_run: str | None  # the reason given by a NOT_RUN marker just above it

    @property
    def where(self) -> str:
        return f"{page_id(self.path)}:{self.line}"


def blocks(path: Path, lang: str) -> list[Block]:
    """Return the fenced blocks of ``path`` whose language is ``lang``, in page order."""
    text = path.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        if match.group("lang") != lang:
            continue
        line = text.count("\n", 0, match.start()) + 1
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
        marker = NOT_RUN.match(before)
        indent = len(match.group("indent"))
        body = "\n".join(row[indent:] for row in match.group("body").split("\n"))
        found.append(Block(path, line, lang, body, marker.group("reason") if marker else None))
    return found


def section(text: str, title_pattern: str, source: str = "the page") -> str:
    """Return the text under the first heading matching the pattern, up to the next one."""
    headings = [h for h in _HEADING.finditer(text) if len(h.group(1)) >= 2]
    for i, heading in enumerate(headings):
        if re.search(title_pattern, heading.group(2)):
            end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
            return text[heading.end() : end]
    raise AssertionError(f"{source} has no section whose heading matches {title_pattern!r}")


def slug(title: str) -> str:
    """Return the anchor Python-Markdown's ``toc`` gives a heading (and GitHub, for ours)."""
    plain = re.sub(r"[^\w\s-]", "", title.replace("`", "")).strip().lower()
    return re.sub(r"[-\s]+", "-", plain)


def anchors(path: Path) -> set[str]:
    """Return the anchors of ``path``'s headings (outside code blocks)."""
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    return {slug(h.group(2)) for h in _HEADING.finditer(text)}
