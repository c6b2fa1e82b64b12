"""Run the CLI as ``python -m activity_schema``."""

from activity_schema.cli import main

if __name__ == "__main__":
    main(prog_name="activity-schema")
