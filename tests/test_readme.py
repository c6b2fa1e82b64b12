"""The README is the landing page: short, with a quick start CI runs, and links that work.

The long documentation lives in ``docs/`` (built by mkdocs; its tests are in
``tests/docs/``, which also run the README's Python examples and check its transcripts
against the commands). Here: the quick start is exactly two commands, the second being
what CI runs; the page stays a landing page of 8 to 10 KB; every relative link resolves
(files, and anchors to their headings), and every page of the site's navigation is linked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from docs_markdown import README, ROOT, anchors, section

TEXT = README.read_text(encoding="utf-8")
#: A landing page, not the manual: "about 8-10 KB".
SIZE_BOUNDS = (8_000, 10_240)
_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def _quick_start_commands() -> list[str]:
    blocks = re.findall(
        r"```(?:bash|sh|console)\n(.*?)```", section(TEXT, r"^Quick start$", "README.md"), re.S
    )
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_quick_start_is_two_commands() -> None:
    commands = _quick_start_commands()
    assert commands == [
        "pip install . && activity-schema lint samples/eloqua-reference-example.json",
        "pip install -e '.[test]' && pytest -q",
    ]


def test_ci_runs_the_quick_starts_second_command_verbatim() -> None:
    second = _quick_start_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert second in ci.splitlines()


def test_the_readme_is_a_landing_page() -> None:
    size = len(README.read_bytes())
    low, high = SIZE_BOUNDS
    assert low <= size <= high, f"README.md is {size} bytes; keep it within {SIZE_BOUNDS}"


def _relative_links() -> list[str]:
    return [
        m.group("target")
        for m in _LINK.finditer(TEXT)
        if not re.match(r"[a-z]+:", m.group("target")) and not m.group("target").startswith("#")
    ]


def test_the_readme_links_into_the_docs() -> None:
    assert sum(link.startswith("docs/") for link in _relative_links()) >= 10


@pytest.mark.parametrize("link", sorted(set(_relative_links())))
def test_relative_links_resolve(link: str) -> None:
    path, _, anchor = link.partition("#")
    target = ROOT / path
    assert target.is_file(), f"README.md links to {link}, which does not exist"
    if anchor:
        assert anchor in anchors(target), f"README.md links to {link}: no such heading"


def _nav_pages(entries: list[object]) -> list[str]:
    found: list[str] = []
    for entry in entries:
        values = entry.values() if isinstance(entry, dict) else [entry]
        for value in values:
            if isinstance(value, list):
                found += _nav_pages(value)
            elif isinstance(value, str):
                found.append(value)
    return found


def test_every_page_of_the_site_is_linked() -> None:
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    linked = {Path(link.partition("#")[0]) for link in _relative_links()}
    for page in _nav_pages(nav):
        if page == "changelog.md":  # the site's copy of CHANGELOG.md
            assert Path("CHANGELOG.md") in linked, "README.md does not link CHANGELOG.md"
        elif page != "index.md":
            assert Path("docs", page) in linked, f"README.md does not link docs/{page}"
