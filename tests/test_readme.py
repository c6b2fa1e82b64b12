"""The README teaches the tool as it is (sqlite-utils' documentation tests).

Every command and every long option of the CLI (walked from the click tree, so a new
option fails here until it is documented) appears in its command's README section, with
its choices; the quick start is exactly two commands, the second one being what CI runs;
the issue-code table lists every code; the Python examples compile.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import click
import pytest

from activity_schema.cli import main
from activity_schema.issues.codes import IssueCode

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
_HEADING = re.compile(r"^(#{2,4}) (.*)$", re.MULTILINE)


def _section(title_pattern: str) -> str:
    """Return the text under the first heading matching the pattern, up to the next one."""
    headings = list(_HEADING.finditer(README))
    for i, heading in enumerate(headings):
        if re.search(title_pattern, heading.group(2)):
            end = headings[i + 1].start() if i + 1 < len(headings) else len(README)
            return README[heading.end() : end]
    raise AssertionError(f"README.md has no section whose heading matches {title_pattern!r}")


def _command_section(name: str) -> str:
    return _section(rf"`activity-schema {re.escape(name)}\b")


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
    assert {"inspect", "lint", "convert", "schema", "init", "explain"} <= set(main.commands)


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_a_section_with_an_option_table(name: str) -> None:
    section = _command_section(name)
    if any(command == name for command, _, _ in _options()):
        assert "| option | meaning |" in section


@pytest.mark.parametrize(
    ("command", "option", "param"),
    [pytest.param(c, o, p, id=f"{c} {o}") for c, o, p in _options()],
)
def test_every_option_is_documented_in_its_section(
    command: str, option: str, param: click.Option
) -> None:
    section = _command_section(command)
    assert f"`{option}" in section, f"README: `activity-schema {command}` lacks {option}"
    if isinstance(param.type, click.Choice):
        row = _documenting_row(command, option)
        for choice in param.type.choices:
            assert str(choice) in row, f"README: {command} {option} lacks choice {choice}"


def _documenting_row(command: str, option: str) -> str:
    """Return the table row that documents ``option``, following "As for `other`"."""
    rows = [
        line
        for line in _command_section(command).splitlines()
        if line.startswith("|") and f"`{option}" in line
    ]
    assert rows, f"README: `activity-schema {command}` has no table row for {option}"
    other = re.search(r"as for `(\w+)`", rows[0], flags=re.IGNORECASE)
    if other and other.group(1) != command:
        return _documenting_row(other.group(1), option)
    return rows[0]


def test_group_options_are_documented() -> None:
    for param in main.params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert f"`activity-schema {opt}`" in README


def _quick_start_commands() -> list[str]:
    section = _section(r"^Quick start$")
    blocks = re.findall(r"```(?:bash|sh|console)\n(.*?)```", section, flags=re.DOTALL)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_quick_start_is_two_commands() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2, commands


def test_ci_runs_the_quick_starts_second_command_verbatim() -> None:
    second = _quick_start_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert second in ci.splitlines()


def test_issue_code_table_lists_every_code() -> None:
    section = _section(r"^Issue codes$")
    listed = re.findall(r"^\| `([a-z-]+)` \|", section, flags=re.MULTILINE)
    assert sorted(listed) == sorted(str(code) for code in IssueCode)


def test_report_formats_are_explained() -> None:
    section = _section(r"^Report formats$")
    for fmt in ("json", "github", "gitlab", "sarif", "junit"):
        assert f"**`{fmt}`**" in section


def test_pre_commit_and_actions_snippets() -> None:
    hook = re.search(r"^- id: (\S+)", (ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook is not None
    assert f"- id: {hook.group(1)}" in _section(r"^pre-commit$")
    actions = _section(r"^GitHub Actions")
    assert "--format github" in actions
    assert "--report results.sarif --format sarif" in actions
    assert "github/codeql-action/upload-sarif" in actions


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(block, id=f"python-{i}")
        for i, block in enumerate(re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL))
    ],
)
def test_python_examples_compile(source: str) -> None:
    compile(textwrap.dedent(source), "README.md", "exec")
