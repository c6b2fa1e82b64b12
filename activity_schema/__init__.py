"""activity_schema: make tabular activity data safe to upload to Oracle Eloqua.

The public API is re-exported here lazily, so that importing the package (and running
``activity-schema --help``) does not import polars, pandera or httpx. :func:`lint`,
:func:`convert` and :func:`inspect` run the commands' jobs and return typed results
(:mod:`activity_schema.api`); :func:`prepare` checks inputs in memory and gives the data
itself (clean rows, rejects) as polars frames.

Modules imported from the paths they had before the layout of issue 15
(``activity_schema.pipeline``, ``activity_schema.stream``, ...) still import, with a
DeprecationWarning naming the new path (:mod:`activity_schema._moved`).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from . import _moved
from ._version import __version__

if TYPE_CHECKING:
    from .api import Converted, convert, inspect, lint
    from .checking.result import Prepared, Summary
    from .errors import (
        ActivitySchemaError,
        ConfigError,
        InputError,
        UploadError,
        UsageError,
    )
    from .issues.codes import IssueCode, Severity
    from .issues.records import Issue
    from .jobs.report import InputSummary, Normalization, Report, Rewrite
    from .jobs.whole import prepare
    from .output.encode import Chunk
    from .output.plan import ConvertPlan, plan_convert
    from .readers import ReadOptions, SourceTable, read_bytes, read_path
    from .schema.config import Settings, load_settings
    from .schema.definition import schema_from_definition
    from .schema.fields import DEFAULT_SCHEMA, FieldSpec, Kind, SchemaSpec
    from .schema.model import ActivityImportDataItem

__all__ = [
    "DEFAULT_SCHEMA",
    "ActivityImportDataItem",
    "ActivitySchemaError",
    "Chunk",
    "ConfigError",
    "ConvertPlan",
    "Converted",
    "FieldSpec",
    "InputError",
    "InputSummary",
    "Issue",
    "IssueCode",
    "Kind",
    "Normalization",
    "Prepared",
    "ReadOptions",
    "Report",
    "Rewrite",
    "SchemaSpec",
    "Settings",
    "Severity",
    "SourceTable",
    "Summary",
    "UploadError",
    "UsageError",
    "__version__",
    "convert",
    "inspect",
    "lint",
    "load_settings",
    "plan_convert",
    "prepare",
    "read_bytes",
    "read_path",
    "schema_from_definition",
]

_LAZY = {
    "DEFAULT_SCHEMA": "schema.fields",
    "FieldSpec": "schema.fields",
    "Kind": "schema.fields",
    "SchemaSpec": "schema.fields",
    "IssueCode": "issues.codes",
    "Severity": "issues.codes",
    "Settings": "schema.config",
    "load_settings": "schema.config",
    "schema_from_definition": "schema.definition",
    "ActivitySchemaError": "errors",
    "ConfigError": "errors",
    "InputError": "errors",
    "UploadError": "errors",
    "UsageError": "errors",
    "ActivityImportDataItem": "schema.model",
    "Prepared": "checking.result",
    "ConvertPlan": "output.plan",
    "plan_convert": "output.plan",
    "Chunk": "output.encode",
    "convert": "api",
    "lint": "api",
    "inspect": "api",
    "Converted": "api",
    "Report": "jobs.report",
    "InputSummary": "jobs.report",
    "Normalization": "jobs.report",
    "Rewrite": "jobs.report",
    "Summary": "checking.result",
    "prepare": "jobs.whole",
    "ReadOptions": "readers",
    "SourceTable": "readers",
    "read_bytes": "readers",
    "read_path": "readers",
    "Issue": "issues.records",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'activity_schema' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


class _Package(types.ModuleType):
    """The package's module type: an old module path does not hide a public name."""

    def __setattr__(self, name: str, value: Any) -> None:
        # Importing the deprecated `activity_schema.convert` would otherwise set the alias
        # module as the package's `convert`, hiding the function for the whole process.
        if name in _LAZY and hasattr(value, "__moved_to__"):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
if _moved.FINDER not in sys.meta_path:
    # Last: a module that exists is always found by the regular finders first.
    sys.meta_path.append(_moved.FINDER)
