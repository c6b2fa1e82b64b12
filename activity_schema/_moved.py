"""Old module paths keep working, with a DeprecationWarning naming the new one.

Issue 15 moved the package's modules into concept packages (``activity_schema.pipeline``
is now :mod:`activity_schema.jobs.whole`). Code written against the old paths still
imports: :data:`FINDER`, installed on :data:`sys.meta_path` by the package, answers for
an old name only (never for a real module, which the regular finders find first) with a
small alias module that warns once, when it is imported, and exposes the new module's
public names (the same objects, not copies). The new module keeps its own ``__spec__``
and its place in :data:`sys.modules`: the alias is a module of its own.

This module imports nothing heavy: the new module is imported only when an old name is.

Example:
    >>> import sys, warnings
    >>> _ = sys.modules.pop("activity_schema.codes", None)  # warned once per process
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     from activity_schema.codes import IssueCode
    >>> print(caught[0].message)
    activity_schema.codes moved to activity_schema.issues.codes; import from there
    >>> from activity_schema.issues import codes
    >>> IssueCode is codes.IssueCode
    True
"""

from __future__ import annotations

import importlib
import types
import warnings
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from typing import TYPE_CHECKING, Any, Final, cast

if TYPE_CHECKING:
    from importlib.abc import Loader

__all__ = ["ALSO", "FINDER", "MOVED", "MovedModuleFinder"]

_PACKAGE: Final = "activity_schema"

#: Each old module path under the package (relative), and where the module now lives.
MOVED: Final[dict[str, str]] = {
    # issues/
    "codes": "issues.codes",
    "report": "issues.records",
    # schema/
    "catalog": "schema.fields",
    "definition": "schema.definition",
    "config": "schema.config",
    "model": "schema.model",
    "schema_info": "schema.describe",
    # readers/
    "decoding": "readers.encoding",
    "sniff": "readers.sniff",
    # checking/
    "engine": "checking.engine",
    "mapping": "checking.mapping",
    "cleaning": "checking.cleaning",
    "decisions": "checking.decisions",
    "fastpath": "checking.fastpath",
    "coerce": "checking.relocate",
    "checks": "checking.validate",
    "normalize": "checking.normalize",
    "normalize.dates": "checking.normalize.dates",
    "normalize.emails": "checking.normalize.emails",
    "normalize.numbers": "checking.normalize.numbers",
    "normalize.text": "checking.normalize.text",
    # output/
    "writers": "output.encode",
    "plan": "output.plan",
    "formulas": "output.formulas",
    "output_folder": "output.folder",
    "durable": "output.durable",
    "convert": "output.write",
    "upload_manifest": "output.manifest",
    "upload.manifest": "output.manifest",
    # jobs/
    "pipeline": "jobs.whole",
    "inspection": "jobs.inspect",
    "starter": "jobs.starter",
    "progress": "jobs.progress",
    "stream": "jobs.stream",
    "stream.convert": "jobs.stream.convert",
    "stream.duplicates": "jobs.stream.duplicates",
    "stream.index": "jobs.stream.index",
    "stream.issues": "jobs.stream.issues",
    "stream.lint": "jobs.stream.lint",
    "stream.output": "jobs.stream.output",
    "stream.decode": "readers.encoding_blocks",
    "stream.reader": "readers.batches",
    # upload/
    "import_fields": "upload.import_fields",
    "upload_rejects": "upload.rejects",
    "upload_state": "upload.state",
}

#: Old modules whose public names were split: the further modules that now hold some.
ALSO: Final[dict[str, tuple[str, ...]]] = {
    "decoding": ("readers.encoding_guess",),
}


def _public(module: types.ModuleType) -> list[str]:
    """Return the names ``from module import *`` gives."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return [str(n) for n in names]
    return [n for n in vars(module) if not n.startswith("_")]


class MovedModuleFinder:
    """Find the old module paths of :data:`MOVED`, and load each as an alias module.

    It is a finder and a loader by protocol, not by subclassing ``importlib.abc``, whose
    import would double the package's import time.
    """

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: types.ModuleType | None = None,
    ) -> ModuleSpec | None:
        """Return a spec for an old module path; None for any other name."""
        prefix, _, old = fullname.partition(".")
        if prefix != _PACKAGE or old not in MOVED:
            return None
        return ModuleSpec(fullname, cast("Loader", self), origin=f"{_PACKAGE}.{MOVED[old]}")

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        """Let the import system create the alias module (a plain module)."""
        del spec
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        """Fill the alias with the new module's public names, and warn once."""
        old = module.__name__
        short = old.partition(".")[2]
        new = f"{_PACKAGE}.{MOVED[short]}"
        target = importlib.import_module(new)
        sources = [
            target,
            *(importlib.import_module(f"{_PACKAGE}.{m}") for m in ALSO.get(short, ())),
        ]
        names: list[str] = []
        for source in sources:
            for name in _public(source):
                if name not in names and hasattr(source, name):
                    names.append(name)
                    setattr(module, name, getattr(source, name))
        module.__doc__ = f"Moved to :mod:`{new}` (this alias warns and will be removed)."
        module.__all__ = names  # type: ignore[attr-defined]
        module.__moved_to__ = new  # type: ignore[attr-defined]
        if hasattr(target, "__path__"):
            # A package's alias is a package too, so that its old submodules import.
            module.__path__ = []
        # Public names the new module gets later (a lazy __getattr__, a submodule) too.
        vars(module)["__getattr__"] = _forward(sources, old)
        where = " and ".join([new, *(f"{_PACKAGE}.{m}" for m in ALSO.get(short, ()))])
        warnings.warn(
            f"{old} moved to {where}; import from there",
            DeprecationWarning,
            # warnings.warn skips the import machinery's frames past the first level, so
            # 2 names the line that imported the old path (and Python's default filter
            # shows the warning when that line is in __main__).
            stacklevel=2,
        )


def _forward(sources: list[types.ModuleType], old: str) -> Any:
    def __getattr__(name: str) -> Any:  # noqa: N807 (a module's __getattr__)
        if not name.startswith("_"):
            for source in sources:
                if hasattr(source, name):
                    return getattr(source, name)
        raise AttributeError(f"module {old!r} has no attribute {name!r}")

    return __getattr__


#: The finder the package installs on :data:`sys.meta_path`.
FINDER: Final = MovedModuleFinder()
