"""activity_schema: make tabular activity data safe to upload to Oracle Eloqua.

The public API is re-exported here lazily, so that importing the package (and running
``activity-schema --help``) does not import polars, pandera or httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .catalog import DEFAULT_SCHEMA, FieldSpec, Kind, SchemaSpec
    from .codes import IssueCode, Severity
    from .config import Settings, load_settings
    from .definition import schema_from_definition
    from .errors import (
        ActivitySchemaError,
        ConfigError,
        InputError,
        UploadError,
        UsageError,
    )
    from .model import ActivityImportDataItem
    from .pipeline import Prepared, Summary, prepare
    from .readers import ReadOptions, SourceTable, read_bytes, read_path
    from .report import Issue

__all__ = [
    "DEFAULT_SCHEMA",
    "ActivityImportDataItem",
    "ActivitySchemaError",
    "ConfigError",
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
    "prepare",
    "read_bytes",
    "read_path",
    "schema_from_definition",
]

_LAZY = {
    "DEFAULT_SCHEMA": "catalog",
    "FieldSpec": "catalog",
    "Kind": "catalog",
    "SchemaSpec": "catalog",
    "IssueCode": "codes",
    "Severity": "codes",
    "Settings": "config",
    "load_settings": "config",
    "schema_from_definition": "definition",
    "ActivitySchemaError": "errors",
    "ConfigError": "errors",
    "InputError": "errors",
    "UploadError": "errors",
    "UsageError": "errors",
    "ActivityImportDataItem": "model",
    "Prepared": "pipeline",
    "Summary": "pipeline",
    "prepare": "pipeline",
    "ReadOptions": "readers",
    "SourceTable": "readers",
    "read_bytes": "readers",
    "read_path": "readers",
    "Issue": "report",
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
