"""Check one table against a schema: map, normalize, relocate, validate, decide.

The stages run in this order, all polars expressions over whole columns:

- :mod:`.mapping`: source headers onto the schema's field names;
- :mod:`.cleaning` with :mod:`.normalize` and :mod:`.fastpath`: every value normalized by
  its field's kind, the expensive expressions only on the cells that need them;
- :mod:`.relocate`: values typed into the wrong field, moved back where that is safe;
- :mod:`.validate`: casts, pandera checks and row rules;
- :mod:`.decisions`: column-level decisions a batched run takes once and reuses.

:mod:`.engine` runs them for one :class:`~activity_schema.readers.SourceTable` and returns
a :class:`~activity_schema.checking.engine.CheckedTable`.
"""
