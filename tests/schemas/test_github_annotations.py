"""GitHub annotations parse with the workflow-command grammar, and data cannot forge one.

The grammar is the one the Actions runner parses and ``@actions/core`` writes:
``::COMMAND key=value,key=value::MESSAGE`` on one line, where property values escape
``%``, CR, LF, ``:`` and ``,`` (``%25``, ``%0D``, ``%0A``, ``%3A``, ``%2C``) and the
message escapes ``%``, CR and LF. Every line of the output that starts with ``::`` must be
such a command, of a kind this tool writes, naming an input file and a known code.
"""

from __future__ import annotations

import re

from conftest import INJECTED, Run

from activity_schema.defaults import GITHUB_ANNOTATIONS_PER_FILE, GITHUB_ANNOTATIONS_PER_SEVERITY
from activity_schema.issues.codes import IssueCode

COMMAND = re.compile(
    r"::(?P<command>[a-z-]+)"
    r"(?: (?P<properties>[A-Za-z]+=[^,:\r\n]*(?:,[A-Za-z]+=[^,:\r\n]*)*))?"
    r"::(?P<message>[^\r\n]*)"
)
#: The properties GitHub reads on error, warning and notice annotations.
PROPERTIES = {"title", "file", "col", "endColumn", "line", "endLine"}
PROPERTY_ESCAPE = re.compile(r"%(?!25|0D|0A|3A|2C)")
MESSAGE_ESCAPE = re.compile(r"%(?!25|0D|0A)")


def _unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def _annotations(text: str) -> list[tuple[str, dict[str, str], str]]:
    found = []
    for line in text.splitlines():
        if not line.startswith("::"):
            continue
        match = COMMAND.fullmatch(line)
        assert match, f"not a workflow command: {line!r}"
        assert match["command"] in ("error", "warning", "notice"), line
        properties: dict[str, str] = {}
        for pair in filter(None, (match["properties"] or "").split(",")):
            key, value = pair.split("=", 1)
            assert key in PROPERTIES and key not in properties, line
            assert not PROPERTY_ESCAPE.search(value), f"unescaped % in {line!r}"
            properties[key] = _unescape(value)
        assert not MESSAGE_ESCAPE.search(match["message"]), f"unescaped % in {line!r}"
        found.append((match["command"], properties, _unescape(match["message"])))
    return found


def test_github_annotations_parse(
    runs: dict[tuple[str, bool, str], Run], mode: tuple[str, bool]
) -> None:
    run = runs[(*mode, "github")]
    annotations = _annotations(run.text)
    per_severity: dict[str, int] = {}
    per_file: dict[tuple[str, str], int] = {}
    for command, properties, message in annotations:
        if command == "notice":
            assert not properties and "not annotated" in message
            continue
        assert properties["file"] in run.inputs
        assert int(properties.get("line", "1")) >= 1
        assert properties["title"] in {str(c) for c in IssueCode}
        assert message
        per_severity[command] = per_severity.get(command, 0) + 1
        key = (command, properties["file"])
        per_file[key] = per_file.get(key, 0) + 1
    assert per_severity.get("error", 0) > 0
    assert max(per_severity.values()) <= GITHUB_ANNOTATIONS_PER_SEVERITY
    assert max(per_file.values()) <= GITHUB_ANNOTATIONS_PER_FILE
    # The bad file has more errors than GitHub shows: the notice says how many are left.
    assert [c for c, _, _ in annotations].count("notice") == 1


def test_a_value_cannot_forge_a_workflow_command(runs: dict[tuple[str, bool, str], Run]) -> None:
    forged = INJECTED.split("\n", 1)[1]
    for (_, _, fmt), run in runs.items():
        if fmt != "github":
            continue
        assert not any(line.startswith(forged) for line in run.text.splitlines())
        commands = _annotations(run.text)
        assert all(props.get("file") != "evil.csv" for _, props, _ in commands)
        # The value is annotated (its error is the bad file's first), as one line.
        assert any("injected" in message for _, _, message in commands)
