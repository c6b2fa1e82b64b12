"""The jobs the commands, the uploader and the Python API run: read, check, report, write.

- :mod:`.lint`, :mod:`.convert` and :mod:`.inspect`: ``lint_files``, ``convert_files`` and
  ``inspect_files``, the one entry point of each command; lint and convert choose
  whole-file or record batches and return typed results;
- :mod:`.report`: the report as data (the JSON contract every format is rendered from);
- :mod:`.whole`: ``prepare``, inputs read and checked whole, in memory;
- :mod:`.stream`: the same jobs over big delimited inputs in record batches;
- :mod:`.starter`: the starter ``activity_schema.toml`` of ``activity-schema init``;
- :mod:`.progress`: progress events for a display (the jobs never print);
- :mod:`.seams`: what a test may change about a run (``Seams``).
"""
