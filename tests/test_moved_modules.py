"""Module paths from before the layout (issue 15) still import, warning where they went."""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import activity_schema
from activity_schema._moved import ALSO, MOVED

PACKAGE = Path(activity_schema.__file__).parent


def _import_fresh(name: str) -> tuple[object, list[warnings.WarningMessage]]:
    """Import ``name`` as if for the first time in this process; return it and its warnings."""
    sys.modules.pop(name, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(name)
    return module, caught


@pytest.mark.parametrize("old", sorted(MOVED))
def test_every_old_path_warns_and_gives_the_new_modules_objects(old: str) -> None:
    new = importlib.import_module(f"activity_schema.{MOVED[old]}")
    alias, caught = _import_fresh(f"activity_schema.{old}")
    where = " and ".join(f"activity_schema.{m}" for m in (MOVED[old], *ALSO.get(old, ())))
    assert [str(w.message) for w in caught] == [
        f"activity_schema.{old} moved to {where}; import from there"
    ]
    assert caught[0].category is DeprecationWarning
    public = getattr(new, "__all__", None) or [n for n in vars(new) if not n.startswith("_")]
    assert public
    for name in public:
        assert getattr(alias, name) is getattr(new, name), name
    # The alias is a module of its own: the new module keeps its name, spec and place.
    assert alias is not new
    assert new.__spec__ is not None and new.__spec__.name == new.__name__
    assert sys.modules[new.__name__] is new


#: The commit before the layout (issue 15) began: the old modules as users knew them.
BEFORE_LAYOUT = "df95923"


def _old_public_names(old: str) -> list[str] | None:
    """Return the ``__all__`` ``old`` had before the layout (None: git cannot tell)."""
    for path in (f"{old.replace('.', '/')}.py", f"{old.replace('.', '/')}/__init__.py"):
        done = subprocess.run(
            ["git", "show", f"{BEFORE_LAYOUT}:activity_schema/{path}"],
            cwd=PACKAGE.parent,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0:
            for node in ast.parse(done.stdout).body:
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
                ):
                    return [str(n) for n in ast.literal_eval(node.value)]
            return []
    return None


@pytest.mark.parametrize("old", sorted(m for m in MOVED if m != "upload.manifest"))
def test_every_name_an_old_module_exported_is_still_there(old: str) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    names = _old_public_names(old)
    if names is None:
        pytest.skip("not a git checkout with the history before the layout")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        alias = importlib.import_module(f"activity_schema.{old}")
    assert [n for n in names if not hasattr(alias, n)] == []


def test_the_warning_names_the_line_that_imported_the_old_path() -> None:
    # Python's default filter shows a DeprecationWarning attributed to __main__: the
    # warning must point at the importing line, not at the import machinery.
    sys.modules.pop("activity_schema.pipeline", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import activity_schema.pipeline  # noqa: F401
    lines = Path(__file__).read_text(encoding="utf-8").splitlines()
    marker = "import activity_schema.pipeline  #"
    where = 1 + next(i for i, line in enumerate(lines) if marker in line)
    assert [(w.filename, w.lineno) for w in caught] == [(__file__, where)]


def test_an_old_path_warns_once_per_process() -> None:
    _import_fresh("activity_schema.report")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import activity_schema.report  # noqa: F401
        from activity_schema.report import Issue  # noqa: F401
    assert caught == []


def test_readme_paths_of_old_still_resolve() -> None:
    """The names the README documented before the layout are the same objects now."""
    from activity_schema.jobs.progress import ProgressEvent
    from activity_schema.jobs.stream import convert_stream, lint_stream
    from activity_schema.jobs.whole import prepare
    from activity_schema.output.write import convert
    from activity_schema.schema.model import ActivityImportDataItem

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import activity_schema.model as old_model
        import activity_schema.pipeline as old_pipeline
        import activity_schema.progress as old_progress
        import activity_schema.stream as old_stream
        from activity_schema.convert import convert as old_convert
    assert old_pipeline.prepare is prepare
    assert old_model.ActivityImportDataItem is ActivityImportDataItem
    assert old_stream.lint_stream is lint_stream
    assert old_stream.convert_stream is convert_stream
    assert old_progress.ProgressEvent is ProgressEvent
    assert old_convert is convert


def test_an_old_package_path_imports_its_old_submodules() -> None:
    from activity_schema.jobs.stream import lint

    sys.modules.pop("activity_schema.stream", None)
    alias, caught = _import_fresh("activity_schema.stream.lint")
    assert alias.lint_stream is lint.lint_stream  # type: ignore[attr-defined]
    assert [str(w.message).split(" moved")[0] for w in caught] == [
        "activity_schema.stream",
        "activity_schema.stream.lint",
    ]


def test_the_old_convert_module_does_not_hide_the_convert_function() -> None:
    """``activity_schema.convert`` is the function: the old module's alias never replaces it.

    So ``from activity_schema.convert import convert`` works, while the form
    ``import activity_schema.convert as m`` gives the function (Python looks the name up
    on the package first).
    """
    from activity_schema.api import convert

    _import_fresh("activity_schema.convert")
    assert activity_schema.convert is convert
    from activity_schema import convert as imported

    assert imported is convert


def test_an_alias_exposes_no_private_name_and_unknown_paths_still_fail() -> None:
    alias, _ = _import_fresh("activity_schema.output_folder")
    with pytest.raises(AttributeError, match="output_folder"):
        _ = alias._private_name  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = alias.no_such_name  # type: ignore[attr-defined]
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("activity_schema.no_such_module")
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("activity_schema.pipeline.no_such_module")


def test_the_table_lists_only_paths_that_are_gone_and_targets_that_exist() -> None:
    for old, new in MOVED.items():
        where = PACKAGE.joinpath(*old.split("."))
        assert not where.with_suffix(".py").exists() and not where.is_dir(), old
        target = PACKAGE.joinpath(*new.split("."))
        assert target.with_suffix(".py").is_file() or (target / "__init__.py").is_file(), new


def test_importing_the_package_or_a_new_path_warns_nothing() -> None:
    code = (
        "import activity_schema\n"
        "import activity_schema.jobs.whole, activity_schema.output.manifest\n"
        "from activity_schema import convert, prepare\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
