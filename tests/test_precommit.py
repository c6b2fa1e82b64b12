"""The repository's pre-commit hook, run as a user runs it: ``pre-commit try-repo``.

A JavaScript repository with a ``package.json`` and a bad ``exports/*.csv`` must get
one failing hook, on the CSV only. pre-commit installs the hook from this checkout into
a fresh virtualenv with pip; the test keeps that offline: no index (``PIP_NO_INDEX``),
no build isolation (the running environment's setuptools builds the package), and the
running environment's site-packages on ``PYTHONPATH`` so that the dependencies
(polars, ...) are already there. Only the hook's own package is installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

# Slow: builds the hook and runs pre-commit in subprocesses.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).parent.parent
HOOKS = ROOT / ".pre-commit-hooks.yaml"

GOOD = "activityId,email,type\n1,a@example.com,Registered\n"
BAD = "activityId,email,type\n1,a@example.com,Registered\n2,not-an-email,Attended\n"


def _hook_pattern() -> re.Pattern[str]:
    found = re.search(r"^  files: '(.+)'$", HOOKS.read_text(encoding="utf-8"), re.MULTILINE)
    assert found is not None, ".pre-commit-hooks.yaml has no files: pattern"
    return re.compile(found.group(1))


def test_the_default_pattern_matches_the_data_formats_and_no_json() -> None:
    pattern = _hook_pattern()
    for name in ("a.csv", "b.TSV", "c.ndjson", "d.jsonl", "exports/e.xlsx", "F.CSV"):
        assert pattern.search(name), name
    for name in ("package.json", "tsconfig.json", "a.json", "a.py", "csv.txt", "x.xlsx.bak"):
        assert not pattern.search(name), name


def test_the_hook_and_a_walked_folder_read_the_same_suffixes() -> None:
    from activity_schema.cli.inputs import WALKED_SUFFIXES

    pattern = _hook_pattern()
    listed = set(re.findall(r"\w+", pattern.pattern.split(r"\.(", 1)[1]))
    assert {suffix.lstrip(".") for suffix in WALKED_SUFFIXES} == listed


def _offline_build_or_skip() -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install pre-commit)")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    from importlib.metadata import PackageNotFoundError, version

    try:
        setuptools = version("setuptools")
    except PackageNotFoundError:  # pragma: no cover - the test extras install it
        pytest.skip("no setuptools here: pip would fetch it from the network to build the hook")
    # pyproject.toml's `license = "MIT"` (PEP 639) needs setuptools 77.
    if int(setuptools.split(".")[0]) < 77:
        pytest.skip(
            f"setuptools {setuptools} is too old to build the hook offline "
            "(pip would fetch setuptools>=77 from the network); pip install -U setuptools"
        )


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def _hook_repo(into: Path) -> Path:
    """Return a git repository of this checkout's package as it is on disk, committed.

    What pre-commit installs is what is on disk, new files included (try-repo on the
    checkout itself would take the committed files plus the changes to tracked ones).
    """
    shutil.copytree(
        ROOT / "activity_schema",
        into / "activity_schema",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, into / name)
    _git(into, "init", "-q")
    _git(into, "add", ".")
    _git(into, "commit", "-q", "-m", "hook")
    return into


def test_try_repo_fails_on_the_bad_csv_only_in_a_js_repo(tmp_path: Path) -> None:
    _offline_build_or_skip()
    repo = tmp_path / "web-app"
    (repo / "exports").mkdir(parents=True)
    (repo / "package.json").write_text('{"name": "web-app", "version": "1.0.0"}\n')
    (repo / "tsconfig.json").write_text('{"compilerOptions": {}}\n')
    (repo / "exports" / "bad.csv").write_text(BAD)
    (repo / "exports" / "good.csv").write_text(GOOD)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip reads "0" as "no build isolation"
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
        "NO_COLOR": "1",
    }
    env.pop("FORCE_COLOR", None)
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pre_commit", "try-repo", str(_hook_repo(tmp_path / "hook"))),
            *("activity-schema-lint", "--all-files", "--color", "never", "--verbose"),
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    out = done.stdout + done.stderr
    if "Installing environment" in out and "activity-schema lint..." not in out:
        pytest.fail(f"pre-commit could not install the hook offline:\n{out[-3000:]}")
    assert done.returncode == 1, out
    assert re.search(r"activity-schema lint\.+Failed", out), out
    assert "exports/bad.csv:3" in out and "invalid-email" in out, out
    assert "3 rows: 2 valid, 1 rejected" in out, out  # bad.csv's 2 rows and good.csv's 1
    assert "package.json" not in out and "tsconfig.json" not in out, out
    assert "Traceback" not in out, out
