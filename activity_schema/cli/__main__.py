"""Run the CLI as ``python -m activity_schema.cli``, as the single module allowed."""

from activity_schema.cli import run

if __name__ == "__main__":  # pragma: no cover
    run()
