"""The hand-written pages teach the tool as it is (sqlite-utils' documentation tests).

Every command and every long option of the CLI (walked from the click tree, so a new
option fails here until it is documented) appears in its command's section of
``docs/commands.md``, in the option table, with its choices; the issue-code index lists
every code; the CI page explains every report format and its snippets match the hook and
the formats. (The generated reference of the same page, from mkdocs-click, is checked on
the built site: ``test_docs_site.py``.)
"""

from __future__ import annotations

import re

import click
import pytest
from docs_markdown import DOCS, section

from activity_schema.cli import main
from activity_schema.cli.common import REPORT_FORMATS
from activity_schema.issues.codes import IssueCode

COMMANDS = (DOCS / "commands.md").read_text(encoding="utf-8")
ROOT = DOCS.parent


def _command_section(name: str) -> str:
    return section(COMMANDS, rf"`activity-schema {re.escape(name)}\b", "docs/commands.md")


def _options() -> list[tuple[str, str, click.Option]]:
    found: list[tuple[str, str, click.Option]] = []
    for name, command in sorted(main.commands.items()):
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            for opt in param.opts + param.secondary_opts:
                if opt.startswith("--") and opt != "--help":
                    found.append((name, opt, param))
    return found


def test_the_cli_has_the_commands_this_test_expects() -> None:
    assert {"inspect", "lint", "convert", "upload", "schema", "init", "explain"} <= set(
        main.commands
    )


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_a_section_with_an_option_table(name: str) -> None:
    section_text = _command_section(name)
    if any(command == name for command, _, _ in _options()):
        assert "| option | meaning |" in section_text


@pytest.mark.parametrize(
    ("command", "option", "param"),
    [pytest.param(c, o, p, id=f"{c} {o}") for c, o, p in _options()],
)
def test_every_option_is_documented_in_its_section(
    command: str, option: str, param: click.Option
) -> None:
    assert f"`{option}" in _command_section(command), (
        f"docs/commands.md: `activity-schema {command}` lacks {option}"
    )
    if isinstance(param.type, click.Choice):
        row = _documenting_row(command, option)
        for choice in param.type.choices:
            assert str(choice) in row, f"docs/commands.md: {command} {option} lacks {choice}"


def _documenting_row(command: str, option: str) -> str:
    """Return the table row that documents ``option``, following "As for `other`"."""
    rows = [
        line
        for line in _command_section(command).splitlines()
        if line.startswith("|") and f"`{option}" in line
    ]
    assert rows, f"docs/commands.md: `activity-schema {command}` has no table row for {option}"
    other = re.search(r"as for `(\w+)`", rows[0], flags=re.IGNORECASE)
    if other and other.group(1) != command:
        return _documenting_row(other.group(1), option)
    return rows[0]


def test_group_options_are_documented() -> None:
    for param in main.params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert f"`activity-schema {opt}`" in COMMANDS


def test_the_codes_index_lists_every_code_with_a_link_to_its_page() -> None:
    index = (DOCS / "codes" / "index.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| \[`([a-z-]+)`\]\(([a-z-]+)\.md\) \|", index, flags=re.MULTILINE)
    assert all(code == page for code, page in listed), listed
    assert sorted(code for code, _ in listed) == sorted(str(code) for code in IssueCode)


def test_report_formats_are_explained() -> None:
    formats = section((DOCS / "ci.md").read_text(encoding="utf-8"), r"^Report formats$")
    for fmt in REPORT_FORMATS:
        if fmt != "text":
            assert f"**`{fmt}`**" in formats, f"docs/ci.md: report format {fmt} is not explained"


def test_pre_commit_and_actions_snippets() -> None:
    ci = (DOCS / "ci.md").read_text(encoding="utf-8")
    hook = re.search(r"^- id: (\S+)", (ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook is not None
    assert f"- id: {hook.group(1)}" in section(ci, r"^pre-commit$")
    actions = section(ci, r"^GitHub Actions")
    assert "--format github" in actions
    assert "--report results.sarif --format sarif" in actions
    assert "github/codeql-action/upload-sarif" in actions
