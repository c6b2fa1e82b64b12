"""Streamed (batched) convert and lint: big delimited inputs in record batches, in bounded memory.

The batches come from :mod:`activity_schema.readers`:

- :mod:`~activity_schema.readers.encoding_blocks`: the encoding decided over the *whole*
  file in a first pass, then the file decoded block by block, exactly as
  :func:`~activity_schema.readers.encoding.decode` would decode it at once;
- :mod:`~activity_schema.readers.batches`: decoded blocks cut into record batches at
  record boundaries (quote parity carried across blocks), each a
  :class:`~activity_schema.readers.SourceTable` with the file's global row and line
  numbers.

This package checks and writes them:

- :mod:`.index` and :mod:`.duplicates`: the compact first-seen index of 64-bit row
  hashes behind duplicate-row warnings and ``--dedupe`` across batches;
- :mod:`.issues`: the report's issues and counts, bounded;
- :mod:`.output`: parts packed across batches, rejects and the manifest spilled to disk;
- :mod:`.convert`: the batch driver, which writes the same parts, ``rejects.csv`` and
  ``manifest.json`` as :func:`~activity_schema.output.write.convert` does;
- :mod:`.lint`: the same batch loop without outputs, for ``lint``.
"""

from __future__ import annotations

from .convert import StreamedConvert, StreamedRun, convert_stream, should_stream
from .lint import StreamedLint, lint_stream

__all__ = [
    "StreamedConvert",
    "StreamedLint",
    "StreamedRun",
    "convert_stream",
    "lint_stream",
    "should_stream",
]
