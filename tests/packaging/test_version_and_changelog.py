"""One version, written once, reported alike by every path; a changelog that keeps its shape.

``activity_schema/_version.py`` is the only place the version is written: pyproject.toml
declares it dynamic, so the installed metadata (``importlib.metadata``), ``--version``
and ``activity_schema.__version__`` cannot drift apart. CHANGELOG.md follows Keep a
Changelog, and its newest release is never ahead of the package's version.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from packaging.version import Version

import activity_schema
from activity_schema import _version

ROOT = Path(__file__).resolve().parents[2]
CHANGELOG = ROOT / "CHANGELOG.md"
#: The section kinds Keep a Changelog 1.1.0 names, in its order.
KINDS = ["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"]
_RELEASE = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?$")


def test_the_version_is_written_once_and_every_path_reports_it(
    cli: Callable[..., Result],
) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "activity_schema._version.__version__"
    }
    version = _version.__version__
    assert str(Version(version)) == version, "a normalized PEP 440 version"
    assert activity_schema.__version__ == version
    installed = importlib.metadata.version("activity-schema")
    assert installed == version, (
        f"the installed metadata says {installed}, _version.py says {version}: "
        "reinstall (pip install -e '.[test]')"
    )
    done = cli("--version")
    assert done.exit_code == 0
    assert done.output == f"activity-schema, version {installed}\n"


def test_only_the_version_module_writes_the_version() -> None:
    # Another literal copy (a docstring, a constant) would drift at the next bump.
    literal = re.compile(rf"['\"]{re.escape(_version.__version__)}['\"]")
    copies = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "activity_schema").rglob("*.py")
        if path.name != "_version.py" and literal.search(path.read_text(encoding="utf-8"))
    ]
    assert copies == []


def _releases() -> list[tuple[str, str | None, list[str]]]:
    """Return (version, date, section lines) for each ``## [...]`` heading, in order."""
    releases: list[tuple[str, str | None, list[str]]] = []
    for line in CHANGELOG.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            match = _RELEASE.match(line)
            assert match, f"not a Keep a Changelog release heading: {line!r}"
            releases.append((match["version"], match["date"], []))
        elif releases:
            releases[-1][2].append(line)
    return releases


def test_the_changelog_keeps_the_keep_a_changelog_shape() -> None:
    text = CHANGELOG.read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    releases = _releases()
    assert releases[0][0] == "Unreleased" and releases[0][1] is None
    released = releases[1:]
    assert released, "at least one released version"
    for version, date, lines in releases:
        if version != "Unreleased":
            assert date is not None, f"{version} has no date"
            dt.date.fromisoformat(date)
        kinds = [line[4:] for line in lines if line.startswith("### ")]
        assert kinds, f"{version} lists no changes"
        assert set(kinds) <= set(KINDS), f"{version}: unknown kinds {set(kinds) - set(KINDS)}"
        assert kinds == sorted(kinds, key=KINDS.index), f"{version}: kinds out of order"
        assert len(kinds) == len(set(kinds)), f"{version}: a kind twice"
        assert not any(line.startswith("#### ") for line in lines)
    versions = [Version(version) for version, _, _ in released]
    assert versions == sorted(versions, reverse=True), "newest first"
    dates = [date for _, date, _ in released]
    assert dates == sorted(dates, key=str, reverse=True)


def test_the_newest_release_is_never_ahead_of_the_package() -> None:
    newest = Version(_releases()[1][0])
    assert Version(_version.__version__) >= newest, (
        f"CHANGELOG.md releases {newest} but the package says {_version.__version__}"
    )


@pytest.mark.parametrize("name", ["--fixes", "normalizations", "version"])
def test_the_unreleased_changes_name_the_report_contract_change(name: str) -> None:
    unreleased = "\n".join(_releases()[0][2])
    changed = unreleased.split("### Changed", 1)[1].split("\n### ", 1)[0]
    assert "JSON report contract is version 2" in changed
    assert f"`{name}`" in changed
