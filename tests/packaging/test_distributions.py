"""The wheel and the sdist, built offline as a release would build them, and installed.

``python -m build --no-isolation`` builds the sdist from a copy of the checkout, then
the wheel from the unpacked sdist (so a file the sdist forgets breaks the wheel). The
copy carries the debris a developer's checkout holds (a virtual environment, bytecode,
a stale ``build/`` folder, Hypothesis' database) to show that none of it ships. The wheel
is then installed into a new virtual environment with ``--no-deps --no-index``: its
dependencies are made visible from the running environment by a ``.pth`` file (without
the editable checkout), so nothing is downloaded, and the installed console script lints
a bundled sample from there. Last, the GitHub Action's install step installs the tool
from the action's own checkout (the unpacked sdist), offline, and lints with it.
"""

from __future__ import annotations

import email
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from action_runner import run_action
from packaging.requirements import Requirement

from activity_schema._version import __version__

pytestmark = pytest.mark.slow  # builds twice, installs, and runs the CLI in subprocesses

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = "samples/eloqua-reference-example.json"
#: What a developer's checkout holds that no distribution may: (path, bytes).
DEBRIS = {
    ".venv/lib/python3.11/site-packages/stray.py": b"x = 1\n",
    ".git/HEAD": b"ref: refs/heads/main\n",
    "activity_schema/__pycache__/stray.cpython-311.pyc": b"\0",
    "tests/__pycache__/stray.cpython-311.pyc": b"\0",
    "build/lib/activity_schema/stale_module.py": b"STALE = True\n",
    "dist/activity_schema-0.0.1-py3-none-any.whl": b"",
    ".hypothesis/examples/stray": b"",
    ".mypy_cache/3.11/stray.json": b"{}",
}
#: A JSON file dropped next to the shipped schemas: package data must take any of them.
PROBE = "activity_schema/schemas/packaging-probe.schema.json"
#: Folders of the checkout never copied (large, or rebuilt by the build itself).
_NOT_COPIED = shutil.ignore_patterns(
    ".venv", ".git", "build", "dist", "__pycache__", "*.egg-info", ".*_cache", ".hypothesis"
)


@dataclass(frozen=True)
class Built:
    """The copied source tree and the two distributions built from it."""

    source: Path
    wheel: Path
    sdist: Path


def _source_files(source: Path, under: str, suffixes: tuple[str, ...] = ()) -> set[str]:
    """Return the files under ``source/under`` (relative to ``source``), no bytecode."""
    return {
        path.relative_to(source).as_posix()
        for path in (source / under).rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and (not suffixes or path.name.endswith(suffixes))
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build the sdist and the wheel, offline, from a copy of the checkout with debris."""
    base = tmp_path_factory.mktemp("dist")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=_NOT_COPIED)
    for name, data in DEBRIS.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)
    (source / PROBE).write_text('{"type": "object"}\n', encoding="utf-8")
    out = base / "out"
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PIP_NO_INDEX": "1"},
    )
    assert done.returncode == 0, f"python -m build failed:\n{done.stdout[-3000:]}{done.stderr}"
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return Built(source, wheel, sdist)


def test_both_are_named_for_the_one_version(built: Built) -> None:
    assert built.wheel.name == f"activity_schema-{__version__}-py3-none-any.whl"
    assert built.sdist.name == f"activity_schema-{__version__}.tar.gz"


def test_the_wheel_holds_the_package_its_data_and_nothing_else(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        names = set(wheel.namelist())
        metadata = email.message_from_bytes(
            wheel.read(f"activity_schema-{__version__}.dist-info/METADATA")
        )
        entry_points = wheel.read(
            f"activity_schema-{__version__}.dist-info/entry_points.txt"
        ).decode()
    package = {name for name in names if name.startswith("activity_schema/")}
    data = _source_files(built.source, "activity_schema", (".json", ".typed"))
    modules = _source_files(built.source, "activity_schema", (".py",))
    assert "activity_schema/py.typed" in data
    assert PROBE in data
    assert package == modules | data, (
        f"missing {sorted(modules | data - package)}, unexpected {sorted(package - modules - data)}"
    )
    dist_info = {name.split("/")[0] for name in names - package}
    assert dist_info == {f"activity_schema-{__version__}.dist-info"}
    assert f"activity_schema-{__version__}.dist-info/licenses/LICENSE" in names
    assert not any("stale_module" in name or "__pycache__" in name for name in names)
    # The metadata: the one version, the dependencies pyproject declares, the script.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert metadata["Name"] == "activity-schema"
    assert metadata["Version"] == __version__
    assert metadata["License-Expression"] == project["license"]
    assert metadata["Requires-Python"] == project["requires-python"]
    required = [r for r in metadata.get_all("Requires-Dist") or [] if "extra ==" not in r]
    assert sorted(map(_normal, required)) == sorted(map(_normal, project["dependencies"]))
    assert "activity-schema = activity_schema.cli:run" in entry_points.splitlines()


def test_the_sdist_holds_what_building_and_testing_need(built: Built) -> None:
    top = f"activity_schema-{__version__}/"
    with tarfile.open(built.sdist) as sdist:
        names = {m.name.removeprefix(top) for m in sdist.getmembers() if m.isfile()}
    wanted = {
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        "pyproject.toml",
        "MANIFEST.in",
        "action.yml",
        ".pre-commit-hooks.yaml",
        ".ci/run",
        "mkdocs.yml",
        "PKG-INFO",
    }
    for folder in ("activity_schema", "tests", "samples", "docs", "benchmarks"):
        wanted |= _source_files(built.source, folder)
    wanted -= {name for name in wanted if "/.hypothesis/" in f"/{name}"}
    assert wanted - names == set()
    debris = [
        name
        for name in names
        if name.split("/")[0] in {".venv", ".git", "build", "dist", ".hypothesis", ".mypy_cache"}
        or "__pycache__" in name
        or name.endswith(".pyc")
    ]
    assert debris == []
    # Only setuptools' own records besides the files taken on purpose.
    extra = {name for name in names - wanted if not name.startswith("activity_schema.egg-info/")}
    assert extra <= {"setup.cfg"}


def _normal(requirement: str) -> str:
    return str(Requirement(requirement))


def _visible_dependencies(into: Path) -> Path:
    """Link the running environment's packages into ``into``, leaving this project out.

    A ``.pth`` line naming the running site-packages would also make its editable
    install's metadata visible; a folder of links to every other entry does not.
    """
    into.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for entry in site.iterdir():
        if re.match(r"(__editable__|activity_schema)", entry.name) or entry.suffix == ".pth":
            continue
        (into / entry.name).symlink_to(entry)
    return into


def test_the_wheel_installs_in_a_clean_venv_and_its_script_lints_a_sample(
    built: Built, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            str(built.wheel),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    deps = _visible_dependencies(tmp_path / "deps")
    (site / "_deps_of_the_test_run.pth").write_text(f"{deps}\n", encoding="utf-8")

    # A folder that is not the checkout, and an environment that points nowhere near it.
    work = tmp_path / "work"
    (work / "samples").mkdir(parents=True)
    shutil.copy2(ROOT / SAMPLE, work / SAMPLE)
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
    }
    script = venv / "bin" / "activity-schema"
    assert script.read_text(encoding="utf-8").startswith(f"#!{python}")

    version = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, env=env, cwd=work, check=False
    )
    assert version.returncode == 0, version.stderr
    assert version.stdout == f"activity-schema, version {__version__}\n"
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m, activity_schema as a; "
            "print(a.__file__); print(m.version('activity-schema'));"
            "print(len(list(m.distributions(name='activity-schema'))))",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        check=True,
    ).stdout.splitlines()
    assert where == [str(site / "activity_schema" / "__init__.py"), __version__, "1"]

    # The console script lints the sample with the installed package, and only with it:
    # Python's verbose import log names the file of every module it loads.
    lint = subprocess.run(
        [str(script), "lint", "--format", "json", SAMPLE],
        capture_output=True,
        text=True,
        env={**env, "PYTHONVERBOSE": "1"},
        cwd=work,
        check=False,
    )
    loaded = set(re.findall(r"(/\S*/activity_schema/\S*?\.py)c?\b", lint.stderr))
    assert loaded, "the verbose log names the package's modules"
    assert all(path.startswith(str(site)) for path in loaded), sorted(
        path for path in loaded if not path.startswith(str(site))
    )[:5]
    assert not any(path.startswith(str(ROOT)) for path in loaded)
    assert lint.returncode == 0, lint.stderr[-2000:]
    report = json.loads(lint.stdout)
    # The same report as the checkout's own tool gives on the same file.
    dev = subprocess.run(
        [sys.executable, "-m", "activity_schema", "lint", "--format", "json", SAMPLE],
        capture_output=True,
        text=True,
        cwd=work,
        check=False,
    )
    assert dev.returncode == 0, dev.stderr
    assert report == json.loads(dev.stdout)
    assert [issue["code"] for issue in report["issues"]] == ["misplaced-email"]


def test_the_action_installs_the_tool_from_its_own_checkout(built: Built, tmp_path: Path) -> None:
    # The action's checkout is the repository at the tag a workflow names: here the
    # unpacked sdist. Its install step (install: true, version empty) builds and
    # installs that checkout into its own venv under RUNNER_TEMP, offline: the venv is
    # made beforehand with the dependencies visible (the step then reuses it), and
    # pip is told there is no index.
    with tarfile.open(built.sdist) as sdist:
        sdist.extractall(tmp_path / "action", filter="data")
    (checkout,) = (tmp_path / "action").iterdir()
    temp = tmp_path / "runner-temp"
    venv = temp / "activity-schema-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    (site / "_deps_of_the_test_run.pth").write_text(
        f"{_visible_dependencies(tmp_path / 'deps')}\n", encoding="utf-8"
    )
    workspace = tmp_path / "workspace"
    (workspace / "exports").mkdir(parents=True)
    shutil.copy2(ROOT / SAMPLE, workspace / "exports" / "reference.json")

    run = run_action(
        checkout / "action.yml",
        {"paths": "exports/reference.json"},
        workspace=workspace,
        runner_temp=temp,
        path=f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
        extra_env={"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0"},
    )
    install = run.step("Install activity-schema")
    assert install.exit_code == 0, install.stdout + install.stderr[-3000:]
    assert install.outputs == {"command": str(venv / "bin" / "activity-schema")}
    assert f"Installed activity-schema, version {__version__} from {checkout}" in install.stdout
    assert (site / "activity_schema" / "__init__.py").is_file()
    assert not run.failed, run.stdout
    assert run.outputs["exit-code"] == "0"
    # It printed what the checkout's own tool prints on the file.
    dev = subprocess.run(
        [sys.executable, "-m", "activity_schema", "lint", "exports/reference.json"],
        capture_output=True,
        text=True,
        cwd=workspace,
        check=True,
    )
    assert dev.stdout.splitlines()[-1] in run.step("Lint with activity-schema").stdout
