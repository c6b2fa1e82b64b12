"""mkdocs hook: publish the JSON Schemas the package ships, at the address of their ``$id``.

Each ``activity_schema/schemas/NAME.schema.json`` is copied, byte for byte, to
``schemas/NAME.schema.json`` on the site, which is where its ``$id`` says it lives
(``DOCS_URL`` + that path), so an editor or a CI job can fetch it from there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

import activity_schema

#: The package's folder of JSON Schemas.
SCHEMAS = Path(activity_schema.__file__).parent / "schemas"


def on_files(files: Files, config: Any, **_: Any) -> Files:
    """Add ``schemas/NAME.schema.json`` for every schema the package ships."""
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        files.append(File.generated(config, f"schemas/{path.name}", content=path.read_bytes()))
    return files
