"""Run a composite GitHub Action's ``run:`` steps with bash, as a GitHub runner does.

What it does as the runner does: each ``run:`` step is a script run by
``bash --noprofile --norc -eo pipefail`` (GitHub's ``shell: bash``) in
``GITHUB_WORKSPACE``, with the variables a runner sets (``GITHUB_OUTPUT``,
``GITHUB_STEP_SUMMARY``, ``GITHUB_ENV``, ``GITHUB_PATH``, ``GITHUB_ACTION_PATH``,
``RUNNER_TEMP``, ...) and one output and summary file per step; ``${{ }}`` expressions
in ``env:``, ``with:``, ``if:`` and the action's outputs are evaluated; a step runs only
when its ``if:`` holds (``success()`` when it has none), and a failed step fails the
action. A ``uses:`` step is not run (it would need GitHub): its condition and its
evaluated ``with:`` are recorded, so a test can check what it would have been given.

Only the expression language the action needs is understood (strings, ``inputs.*``,
``steps.<id>.outputs.*``, ``github.action_path``, ``runner.temp``, ``! && || == !=``,
parentheses, ``success() failure() always() cancelled()``); anything else raises, so the
action cannot rely on something this runner would get wrong.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["ActionRun", "StepRun", "parse_command_file", "run_action"]

_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>&&|\|\||==|!=|!|\(|\))"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*))"
)


@dataclass
class StepRun:
    """What one step did (or would have been given, for a ``uses:`` step)."""

    name: str
    id: str | None
    ran: bool
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    uses: str | None = None
    with_: dict[str, str] = field(default_factory=dict)


@dataclass
class ActionRun:
    """The steps of one run of the action, its outputs and whether it failed."""

    steps: list[StepRun]
    outputs: dict[str, str]
    failed: bool

    def step(self, name: str) -> StepRun:
        """Return the step called ``name``."""
        return next(s for s in self.steps if s.name == name)

    @property
    def exit_code(self) -> int:
        """Return the exit code of the step that failed the action, or 0."""
        return next((s.exit_code or 0 for s in self.steps if s.exit_code), 0)

    @property
    def stdout(self) -> str:
        """Return every step's standard output, in order (what the log shows)."""
        return "".join(s.stdout for s in self.steps)


def parse_command_file(text: str) -> dict[str, str]:
    """Read a ``GITHUB_OUTPUT``-style file: ``name=value`` and ``name<<DELIM`` blocks."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            block: list[str] = []
            while lines[i] != delimiter:
                block.append(lines[i])
                i += 1
            i += 1
            values[key] = "\n".join(block)
        else:
            key, value = line.split("=", 1)
            values[key] = value
    return values


class _Expression:
    """A recursive-descent evaluator of the expressions the action uses."""

    def __init__(self, text: str, context: dict[str, Any]) -> None:
        self.tokens: list[tuple[str, str]] = []
        position = 0
        text = text.strip()
        while position < len(text):
            match = _TOKEN.match(text, position)
            if match is None or match.end() == position:
                raise ValueError(f"cannot read the expression {text!r} at {position}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            position = match.end()
            while position < len(text) and text[position].isspace():
                position += 1
        self.context = context
        self.at = 0

    def value(self) -> Any:
        result = self._or()
        if self.at != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.at][1]!r}")
        return result

    def _peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def _or(self) -> Any:
        left = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            left = left if _truthy(left) else right
        return left

    def _and(self) -> Any:
        left = self._unary()
        while self._peek() == "&&":
            self._take()
            right = self._unary()
            left = right if _truthy(left) else left
        return left

    def _unary(self) -> Any:
        if self._peek() == "!":
            self._take()
            return not _truthy(self._unary())
        return self._comparison()

    def _comparison(self) -> Any:
        left = self._primary()
        if self._peek() in ("==", "!="):
            op = self._take()[1]
            right = self._primary()
            # GitHub compares strings ignoring case.
            same = (
                left.lower() == right.lower()
                if isinstance(left, str) and isinstance(right, str)
                else left == right
            )
            return same if op == "==" else not same
        return left

    def _primary(self) -> Any:
        kind, text = self._take()
        if text == "(" and kind == "op":
            inner = self._or()
            if self._take()[1] != ")":
                raise ValueError("unclosed parenthesis")
            return inner
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind != "name":
            raise ValueError(f"unexpected {text!r}")
        if self._peek() == "(":
            self._take()
            if self._take()[1] != ")":
                raise ValueError(f"{text}() takes no arguments here")
            functions = self.context["functions"]
            if text not in functions:
                raise ValueError(f"unknown function {text}()")
            return functions[text]
        value: Any = self.context
        for part in text.split("."):
            if isinstance(value, _Outputs):
                value = value.get(part, "")  # an output never set is empty, as on GitHub
            elif isinstance(value, dict) and part in value:
                value = value[part]
            else:
                raise ValueError(f"unknown context {text!r}")
        return value


class _Outputs(dict[str, str]):
    """A step's outputs: one it never set reads as empty (but an unknown step raises)."""


def _truthy(value: Any) -> bool:
    return bool(value)


def evaluate(text: str, context: dict[str, Any]) -> Any:
    """Evaluate one expression (the text inside ``${{ }}``)."""
    return _Expression(text, context).value()


def substitute(text: str, context: dict[str, Any]) -> str:
    """Replace every ``${{ expression }}`` in ``text`` with its value, as a string."""

    def one(match: re.Match[str]) -> str:
        value = evaluate(match.group(1), context)
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)

    return _EXPRESSION.sub(one, text)


def _condition(text: str | None, context: dict[str, Any]) -> bool:
    if text is None:
        return bool(context["functions"]["success"])
    text = str(text).strip()
    whole = _EXPRESSION.fullmatch(text)
    return _truthy(evaluate(whole.group(1) if whole else text, context))


def run_action(
    action_file: Path,
    inputs: dict[str, str],
    *,
    workspace: Path,
    runner_temp: Path,
    path: str,
    extra_env: dict[str, str] | None = None,
) -> ActionRun:
    """Run the composite action in ``action_file`` with ``inputs``, as a runner would.

    Args:
        action_file: The action's ``action.yml``; its folder is ``GITHUB_ACTION_PATH``.
        inputs: The ``with:`` of the workflow step; unknown names raise, missing ones
            take the action's defaults.
        workspace: ``GITHUB_WORKSPACE``, the steps' working directory.
        runner_temp: ``RUNNER_TEMP``; the command files are written under it.
        path: ``PATH`` for the steps.
        extra_env: More environment variables for every step.
    """
    action = yaml.safe_load(action_file.read_text(encoding="utf-8"))
    declared = action["inputs"]
    unknown = set(inputs) - set(declared)
    if unknown:
        raise ValueError(f"the action has no input {sorted(unknown)}")
    values = {name: str(spec.get("default", "")) for name, spec in declared.items()}
    values.update(inputs)
    # Every step with an id has outputs, empty until it runs (or when it never does).
    steps_context: dict[str, Any] = {
        step["id"]: {"outputs": _Outputs()} for step in action["runs"]["steps"] if "id" in step
    }
    status = {"failed": False}
    context: dict[str, Any] = {
        "inputs": values,
        "steps": steps_context,
        "github": {"action_path": str(action_file.parent), "workspace": str(workspace)},
        "runner": {"temp": str(runner_temp), "os": "Linux"},
        "functions": {},
    }
    files = runner_temp / "_runner_file_commands"
    files.mkdir(parents=True, exist_ok=True)
    base_env = {
        "PATH": path,
        "HOME": str(runner_temp / "home"),
        "LANG": "C.UTF-8",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(action_file.parent),
        "GITHUB_REPOSITORY": "example/exports",
        "GITHUB_SHA": "0" * 40,
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_RUN_ID": "1",
        "RUNNER_OS": "Linux",
        "RUNNER_TEMP": str(runner_temp),
        **(extra_env or {}),
    }
    (runner_temp / "home").mkdir(exist_ok=True)
    done: list[StepRun] = []
    for index, step in enumerate(action["runs"]["steps"]):
        context["functions"] = {
            "success": not status["failed"],
            "failure": status["failed"],
            "always": True,
            "cancelled": False,
        }
        record = StepRun(name=step.get("name", f"step {index}"), id=step.get("id"), ran=False)
        done.append(record)
        if not _condition(step.get("if"), context):
            continue
        env = {k: substitute(str(v), context) for k, v in (step.get("env") or {}).items()}
        if "uses" in step:
            record.uses = step["uses"]
            record.with_ = {k: substitute(str(v), context) for k, v in step["with"].items()}
            record.ran = True  # its condition held: GitHub would run it (not run here)
            continue
        if step.get("shell") != "bash":
            raise ValueError(f"step {record.name!r}: only shell: bash is run here")
        outputs = files / f"output_{index}"
        summary = files / f"summary_{index}"
        for name in ("env", "path", "state"):
            (files / f"{name}_{index}").touch()
        outputs.touch()
        summary.touch()
        script = files / f"step_{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        done_ = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env={
                **base_env,
                **env,
                "GITHUB_OUTPUT": str(outputs),
                "GITHUB_STEP_SUMMARY": str(summary),
                "GITHUB_ENV": str(files / f"env_{index}"),
                "GITHUB_PATH": str(files / f"path_{index}"),
                "GITHUB_STATE": str(files / f"state_{index}"),
            },
            capture_output=True,
            text=True,
            check=False,
        )
        record.ran = True
        record.exit_code = done_.returncode
        record.stdout = done_.stdout
        record.stderr = done_.stderr
        record.outputs = parse_command_file(outputs.read_text(encoding="utf-8"))
        record.summary = summary.read_text(encoding="utf-8")
        if record.id:
            steps_context[record.id] = {"outputs": _Outputs(record.outputs)}
        if done_.returncode != 0:
            status["failed"] = True
    outputs_ = {
        name: substitute(str(spec["value"]), context)
        for name, spec in (action.get("outputs") or {}).items()
    }
    return ActionRun(steps=done, outputs=outputs_, failed=status["failed"])
