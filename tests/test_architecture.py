"""The architecture holds: layers run one way, and no module imports another's private names.

The import-linter contracts live in ``pyproject.toml`` (``[tool.importlinter]``); CI runs
only the test suite, so the suite runs them. The private-name rule is checked here on
the syntax tree, because a contract sees modules, not names.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "activity_schema"
#: Private names any module may import: the version lives apart so --version stays cheap.
ALLOWED: frozenset[str] = frozenset({"_version"})


def test_import_linter_contracts_are_kept() -> None:
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if tool is None:
        pytest.skip("import-linter is not installed (it comes with the test extras)")
    result = subprocess.run(
        [tool, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_package_module(name: str) -> bool:
    where = ROOT.joinpath(*name.split("."))
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(path: Path, text: str | None = None) -> Iterator[str]:
    """Yield each import or use of another module's private name in ``path``.

    ``text`` stands for the file's text when given (as if the module were at ``path``).

    A private name is a single-underscore name (``_helper``, ``_Raw``): ``from X import
    _helper``, ``X._helper`` on a module bound by an import, and importing a private
    module (``from . import _moved``) all count, unless the importer is the package
    whose private module it is (its ``__init__``).
    """
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    if text is None:
        text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    modules: dict[str, str] = {}  # local name -> the package module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "activity_schema":
                    bound = alias.asname or alias.name.split(".")[0]
                    modules[bound] = alias.name if alias.asname else "activity_schema"
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            if source.split(".")[0] != "activity_schema":
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            for alias in node.names:
                name = alias.name
                if _is_package_module(f"{source}.{name}"):
                    modules[alias.asname or name] = f"{source}.{name}"
                    if _private(name) and name not in ALLOWED and source != here:
                        yield f"{where}: imports the private module {source}.{name}"
                    continue
                if _private(name) and source != here:
                    yield f"{where}: from {source} import {name}"
                private_path = [p for p in source.split(".") if _private(p) and p not in ALLOWED]
                if private_path:
                    yield f"{where}: imports from the private module {source}"
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and _private(node.attr)
            and node.attr not in ALLOWED
            and modules[node.value.id] != here
        ):
            yield (
                f"{path.relative_to(ROOT)}:{node.lineno}: "
                f"{modules[node.value.id]}.{node.attr} ({node.value.id}.{node.attr})"
            )


#: Private imports still to be given public names (file, what), each removed as it is
#: mended; the test fails on an entry that is no longer found, so the list only shrinks.
PENDING: frozenset[tuple[str, str]] = frozenset()


def test_no_module_imports_another_modules_private_names() -> None:
    found = {
        (where.split(":")[0], what)
        for path in sorted(PACKAGE.rglob("*.py"))
        for where, _, what in (hit.partition(": ") for hit in private_imports(path))
    }
    assert sorted(found - PENDING) == []
    assert sorted(PENDING - found) == [], "mended: remove these from PENDING"


@pytest.mark.parametrize(
    ("where", "source", "expected"),
    [
        (
            "readers/sniff.py",
            "from .scan import _quote_rule\n",
            ["from activity_schema.readers.scan import _quote_rule"],
        ),
        (
            "cli/lint.py",
            "from .common import _load_settings as load\n",
            ["from activity_schema.cli.common import _load_settings"],
        ),
        (
            "jobs/stream/output.py",
            "from ...output.write import _Raw, Part\n",
            ["from activity_schema.output.write import _Raw"],
        ),
        (
            "output/write.py",
            "from ..readers import scan\nscan._split(b'')\n",
            ["activity_schema.readers.scan._split (scan._split)"],
        ),
        (
            "cli/upload.py",
            "import activity_schema.output.manifest as m\nm._parse({}, None)\n",
            ["activity_schema.output.manifest._parse (m._parse)"],
        ),
        (
            "render/lint.py",
            "from .. import _moved\n",
            ["imports the private module activity_schema._moved"],
        ),
        ("__init__.py", "from . import _moved\nfrom ._version import __version__\n", []),
        ("cli/__init__.py", "from .._version import __version__\nfrom .. import _version\n", []),
        ("output/plan.py", "from .manifest import MANIFEST_NAME, __all__\n", []),
        ("output/plan.py", "def f(x):\n    return x._cache\n", []),
    ],
)
def test_the_private_name_rule_finds_what_it_should(
    where: str, source: str, expected: list[str]
) -> None:
    found = list(private_imports(PACKAGE / where, source))
    assert len(found) == len(expected), found
    for hit, text in zip(found, expected, strict=True):
        assert text in hit
