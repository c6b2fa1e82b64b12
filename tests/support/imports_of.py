"""What a real ``activity-schema`` process imports, for the fast-start tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def modules_imported(args: list[str], cwd: Path | None = None) -> set[str]:
    """Run ``python -X importtime -m activity_schema ARGS`` and return every module it imported.

    The process runs as a user starts it (it exits without interpreter teardown, so
    nothing can be inspected from inside it afterwards); ``-X importtime`` lists each
    import on stderr.
    """
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "activity_schema", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    )
    assert proc.stdout, proc.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    assert "activity_schema.cli" in imported
    return imported
