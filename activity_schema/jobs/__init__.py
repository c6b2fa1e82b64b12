"""The jobs the commands and the Python API run: read, check, report, write.

- :mod:`.whole`: ``prepare``, inputs read and checked whole, in memory;
- :mod:`.stream`: the same jobs over big delimited inputs in record batches;
- :mod:`.inspect`: what ``activity-schema inspect`` shows about an input;
- :mod:`.starter`: the starter ``activity_schema.toml`` of ``activity-schema init``;
- :mod:`.progress`: progress events for a display (the jobs never print).
"""
