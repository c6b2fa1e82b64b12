"""JSON Schemas (draft 2020-12) of what the tool reads and writes, shipped in the package.

- ``report``: the JSON report of ``lint`` and ``convert`` (``--format json``), versions 1
  and 2;
- ``config``: ``activity_schema.toml`` (or ``[tool.activity-schema]`` in
  ``pyproject.toml``) as parsed from TOML;
- ``inspect``: what ``inspect --format json`` prints;
- ``manifest``: the ``manifest.json`` that ``convert`` writes and ``upload`` reads.

Each file is ``activity_schema/schemas/NAME.schema.json`` and its ``$id`` is where the
docs site publishes it, so an editor or a CI job can validate against either. The
per-code and per-field rules that depend on the run (which fields a schema has) are the
tool's to check; the schemas say what every document has.

Example:
    >>> from activity_schema import schemas
    >>> schema = schemas.load("report")
    >>> schema["$schema"]
    'https://json-schema.org/draft/2020-12/schema'
    >>> sorted(schema["properties"])
    ['inputs', 'issue_counts', 'issues', 'normalizations', 'summary', 'version']
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Final

__all__ = ["SCHEMA_NAMES", "load", "schema_filename"]

#: The schemas this package ships, by name.
SCHEMA_NAMES: Final = ("report", "config", "inspect", "manifest")


def schema_filename(name: str) -> str:
    """Return the file name of the schema ``name`` (``report`` -> ``report.schema.json``).

    Raises:
        ValueError: ``name`` is not one of :data:`SCHEMA_NAMES`.
    """
    if name not in SCHEMA_NAMES:
        raise ValueError(f"no schema named {name!r}; expected one of: {', '.join(SCHEMA_NAMES)}")
    return f"{name}.schema.json"


def load(name: str) -> dict[str, Any]:
    """Return the JSON Schema ``name`` as a new dict (the caller may change it).

    Args:
        name: One of :data:`SCHEMA_NAMES`: ``report``, ``config``, ``inspect`` or
            ``manifest``.

    Raises:
        ValueError: ``name`` is not a schema this package ships.

    Example:
        >>> load("config")["properties"]["date_order"]["enum"]
        ['auto', 'mdy', 'dmy']
    """
    text = resources.files(__name__).joinpath(schema_filename(name)).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
