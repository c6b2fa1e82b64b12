"""What a schema is: the fields of an ``ActivityImportDataItem`` and where each rule came from.

- :mod:`.fields`: the field catalog (:class:`~activity_schema.schema.fields.SchemaSpec`,
  :class:`~activity_schema.schema.fields.FieldSpec`) and the built-in default;
- :mod:`.definition`: a schema derived from an Eloqua activity import definition;
- :mod:`.config`: ``activity_schema.toml``, found, validated and merged into the schema;
- :mod:`.model`: the same schemas as pandera polars models, for users who add rules;
- :mod:`.describe`: the effective schema as data, each rule attributed to its layer.

How a table is checked against a schema is :mod:`activity_schema.checking`'s business
(pandera's own split between ``api/`` and ``backends/``).
"""
