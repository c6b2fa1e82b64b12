"""What the tool finds, as data: the issue codes and the issue records.

- :mod:`.codes`: every stable issue code, its severity, why Eloqua cares and how to fix it
  (the public contract of reports, CI annotations and ``activity-schema explain``);
- :mod:`.records`: the :class:`~activity_schema.issues.records.Issue` record and the polars
  issue frames that hold row-level issues by the million.

Everything else depends on this package; it depends only on polars.
"""
