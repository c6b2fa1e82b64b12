"""activity_schema: make tabular activity data safe to upload to Oracle Eloqua.

The public API is re-exported here lazily (the folder-writing job is
``activity_schema.output.write.convert``; it is not re-exported because the name would shadow
the module), so that importing the package (and running
``activity-schema --help``) does not import polars, pandera or httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
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
    "FieldSpec",
    "InputError",
    "Issue",
    "IssueCode",
    "Kind",
    "Prepared",
    "ReadOptions",
    "SchemaSpec",
    "Settings",
    "Severity",
    "SourceTable",
    "Summary",
    "UploadError",
    "UsageError",
    "__version__",
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
