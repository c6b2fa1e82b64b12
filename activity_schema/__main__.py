"""Run the CLI as ``python -m activity_schema``."""

from activity_schema.cli import run

if __name__ == "__main__":
    run()
