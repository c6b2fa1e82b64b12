"""Post the valid rows to an Eloqua activity import: the ``upload`` command.

SOURCE is an input file, converted first as ``convert`` does, or a folder ``convert``
wrote. This module reads the Eloqua credentials from the environment, chooses the
folder to upload (a temporary one, or one holding an upload to resume), reports
progress and retries on stderr, and turns the outcome into an exit code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..defaults import STREAM_THRESHOLD_BYTES
from ..errors import InputError, UsageError
from .common import (
    current_seams,
    date_options,
    echo_input_error,
    handle_errors,
    input_options,
    part_options,
    reading_options,
    render_report,
    schema_options,
)

if TYPE_CHECKING:
    from ..jobs.convert import PartFormat


def _upload_folder(
    source: Path, out: Path | None, resume: bool, convert_into: Callable[[Path], None]
) -> tuple[Path, bool]:
    """Return the folder to upload and whether it is a temporary one.

    A folder SOURCE is used as it is. An input file is converted into ``out`` (or a
    temporary folder) by ``convert_into``, unless ``out`` holds an upload of the same
    input in progress, which is continued as it is.
    """
    import hashlib
    import shutil
    import tempfile

    from ..output.manifest import MANIFEST_NAME, load_manifest
    from ..upload.state import STATE_NAME

    if source.is_dir():
        return source, False
    if not source.exists():
        raise InputError("no such file or folder", path=str(source))
    if out is None:
        if resume:
            raise UsageError(
                "--resume needs the folder of the earlier upload",
                hint="pass -o DIR as before, or that folder as SOURCE",
            )
        # The parts go one level down, so that whatever convert keeps beside its output
        # folder (its lock file) goes away with the temporary folder.
        root = Path(tempfile.mkdtemp(prefix="activity-schema-upload-"))
        folder = root / "parts"
        try:
            convert_into(folder)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        return folder, True
    if (out / MANIFEST_NAME).is_file() and (out / STATE_NAME).is_file():
        digest = hashlib.sha256()
        with source.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if load_manifest(out).input_hashes != (digest.hexdigest(),):
            raise UsageError(
                f"the folder holds an upload of another input than {source}",
                where=str(out),
                hint="choose another -o folder",
            )
        return out, False  # continued as converted: --resume must not convert again
    convert_into(out)
    return out, False


def _new_import(
    folder: Path,
    source: Path,
    name: str | None,
    auto_delete: str,
    retention: str,
    schema: Callable[[], Any],
) -> Any:
    """Return the definition ``--create-import`` creates for ``folder``.

    A resumed upload reuses the definition its state records, as it was created; a new
    one maps each field the parts carry (the manifest's schema fields) to its statement.
    """
    from ..output.manifest import load_manifest
    from ..upload import NewImport, default_import_name
    from ..upload.import_fields import import_statements
    from ..upload.state import STATE_NAME, UploadState

    state = UploadState.load(folder / STATE_NAME)
    created = state.created_import if state is not None else None
    if created is not None:
        return NewImport(created.name, created.fields, created.auto_delete, created.retention)
    manifest = load_manifest(folder)
    spec = schema()
    names = manifest.fields or spec.names
    return NewImport(
        name or default_import_name(source.name),
        import_statements(spec, names),
        auto_delete,
        retention,
    )


@click.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--import-id",
    type=click.IntRange(1),
    help="The activity import definition (or --create-import).",
)
@click.option(
    "--create-import",
    is_flag=True,
    help="Create an import definition for this upload from the schema's fields (--resume "
    "reuses it); lost POSTs are healed automatically.",
)
@click.option(
    "--import-name",
    metavar="NAME",
    help="Name of the definition --create-import creates (default: activity-schema, the "
    "source and the time).",
)
@click.option(
    "--import-auto-delete",
    metavar="DURATION",
    default="P7D",
    show_default=True,
    help="ISO-8601 time after which Eloqua deletes the created definition.",
)
@click.option(
    "--import-retention",
    metavar="DURATION",
    default="P14D",
    show_default=True,
    help="ISO-8601 time Eloqua keeps the created definition's unsynced data (PT1H to P14D, "
    "at least --import-auto-delete).",
)
@click.option(
    "--exclusive",
    is_flag=True,
    help="State that this run is the only writer of --import-id's staging area, so that "
    "lost POSTs are healed automatically.",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="The Eloqua pod's URL (default: ELOQUA_BASE_URL, else discovered at the login host).",
)
@click.option(
    "--to",
    type=click.Choice(["json", "csv"]),
    default="json",
    show_default=True,
    help="Part format when SOURCE is converted first.",
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Folder for the converted parts and upload-state.json, as convert's -o (default: "
    "a temporary folder, kept when the upload does not succeed).",
)
@click.option(
    "--out",
    "legacy_out",
    type=click.Path(file_okay=False, path_type=Path),
    hidden=True,
    help="Deprecated name of --output.",
)
@click.option("--sync", is_flag=True, help="Create a sync after the parts (and after every 500).")
@click.option(
    "--wait",
    is_flag=True,
    help="Wait for the syncs and report Eloqua's rejects by source line (implies --sync).",
)
@click.option(
    "--resume", is_flag=True, help="Continue an earlier upload; accepted parts are not re-sent."
)
@click.option(
    "--clear-staged",
    is_flag=True,
    help="Delete the data staged for the import first, and post again the parts no sync holds.",
)
@click.option("--dry-run", is_flag=True, help="Convert and plan, send nothing; print the plan.")
@click.option("--fail-on-errors", is_flag=True, help="Upload nothing if any row has an error.")
@click.option(
    "--stream",
    is_flag=True,
    help="Convert a CSV/TSV SOURCE in record batches, in bounded memory (automatic for "
    f"inputs over {STREAM_THRESHOLD_BYTES // 1_000_000} MB).",
)
@input_options
@schema_options
@part_options
@date_options
@handle_errors
def upload(
    source: Path,
    import_id: int | None,
    create_import: bool,
    import_name: str | None,
    import_auto_delete: str,
    import_retention: str,
    exclusive: bool,
    base_url: str | None,
    to: PartFormat,
    out: Path | None,
    legacy_out: Path | None,
    sync: bool,
    wait: bool,
    resume: bool,
    clear_staged: bool,
    dry_run: bool,
    fail_on_errors: bool,
    stream: bool,
    encoding: str | None,
    input_format: str | None,
    delimiter: str | None,
    sheet: str | None,
    definition: Path | None,
    config_path: Path | None,
    max_bytes: int,
    max_rows: int | None,
    no_fix: bool,
    dedupe: bool,
    escape_formulas: bool,
    timezone: str | None,
    date_order: str | None,
) -> None:
    """Post SOURCE's valid rows to an Eloqua activity import, once each, resumably.

    SOURCE is an input file, converted first as `convert` does, or a folder `convert`
    wrote. Pass --import-id ID, or --create-import to create a definition for this upload.
    Without --definition the definition of --import-id is fetched from Eloqua.
    Credentials: ELOQUA_SITE, ELOQUA_USER and ELOQUA_PASSWORD, or ELOQUA_TOKEN;
    ELOQUA_BASE_URL skips discovery, ELOQUA_LOGIN_URL changes the login host. Every part
    posted is recorded in upload-state.json. A data POST whose answer was lost is healed
    (staged data deleted, parts since the last sync posted again) with --create-import or
    --exclusive; otherwise it is not re-sent (Eloqua would stage its rows twice): rerun
    with --resume --clear-staged. Exit codes: 0 all uploaded (and synced, with --wait),
    1 rows rejected locally or by Eloqua, 2 usage, 3 unreadable input, 4 the upload failed
    (or another upload holds the folder), 5 the folder cannot be written.
    """
    import shutil

    from ..eloqua import EloquaClient, RetryEvent
    from ..eloqua.redact import Redactor
    from ..output.manifest import load_manifest
    from ..render.upload import upload_lines
    from ..upload import UploadEvent, UploadOptions
    from ..upload import upload as upload_folder
    from ..upload.state import STATE_NAME

    if legacy_out is not None:
        if out is not None:
            raise UsageError(
                "--out is the deprecated name of --output; pass only --output",
                hint="drop --out",
            )
        click.echo(
            "activity-schema: warning: upload --out is deprecated; use -o/--output DIR "
            "(the same option as convert's)",
            err=True,
        )
        out = legacy_out
    if (import_id is None) == (not create_import):
        raise UsageError(
            "pass exactly one of --import-id and --create-import",
            hint="--import-id ID posts to an existing definition; --create-import creates one "
            "for this upload",
        )
    if not create_import:
        given = [
            flag
            for flag, value, default in (
                ("--import-name", import_name, None),
                ("--import-auto-delete", import_auto_delete, "P7D"),
                ("--import-retention", import_retention, "P14D"),
            )
            if value != default
        ]
        if given:
            raise UsageError(f"{given[0]} applies only to --create-import")
    else:  # checked before any conversion or request
        from ..upload import check_import_durations

        check_import_durations(import_auto_delete, import_retention)
    if source.is_dir():
        # A converted folder is uploaded as it is: a conversion flag would silently do nothing.
        ctx = click.get_current_context()
        explicit = [
            flag
            for flag, name in (("--stream", "stream"), ("--to", "to"))
            if ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE
        ]
        if explicit:
            raise UsageError(
                f"{explicit[0]} applies only when SOURCE is a file to convert; {source} is a "
                "converted folder, uploaded as it is (drop the flag, or pass the file)"
            )

    # Tests pass Seams(sleep=..., transport=...) as the context object.
    seams = current_seams()
    progress = sys.stderr.isatty() if seams.progress is None else seams.progress

    # Whatever the run prints passes through the redactor of the secrets it was given.
    redact = Redactor.from_env(os.environ)

    def note(text: str) -> None:
        if progress:
            click.echo(f"activity-schema: {redact(text)}", err=True)

    def on_retry(event: RetryEvent) -> None:
        note(
            f"retrying {event.method} in {event.delay:.1f} s ({event.reason}, "
            f"attempt {event.attempt} of {event.max_attempts})"
        )

    def on_event(event: UploadEvent) -> None:
        note(
            f"[{event.parts_done}/{event.parts_total} parts, {event.bytes_sent:,} bytes] "
            f"{event.message}"
        )

    client_options: dict[str, Any] = {"on_retry": on_retry, **seams.client_options()}
    if base_url:
        client_options["base_url"] = base_url
    flags = {"fix": False if no_fix else None, "timezone": timezone, "date_order": date_order}
    # The only place the environment is read; the client gets a plain mapping.
    with EloquaClient.from_env(dict(os.environ), **client_options) as client:

        def settings_for() -> Any:
            from ..schema.config import load_settings
            from ..schema.definition import schema_from_definition

            fetched = None
            if definition is None and import_id is not None:
                data = client.get_import_definition(import_id)
                fetched = schema_from_definition(data, source=f"Eloqua import {import_id}")
            return load_settings(
                definition=definition,
                config=config_path,
                cwd=Path.cwd(),
                flags=flags,
                schema=fetched,
            )

        def convert_into(folder: Path) -> None:
            from ..jobs.convert import UnreadableInputsError, convert_files

            spec, settings = settings_for()
            try:
                done = convert_files(
                    (source,),
                    folder,
                    spec=spec,
                    settings=settings,
                    read_options=reading_options(encoding, input_format, delimiter, sheet),
                    to=to,
                    max_bytes=max_bytes,
                    max_rows=max_rows,
                    dedupe=dedupe,
                    escape_formulas=escape_formulas,
                    force=True,  # only when no upload from the folder is in progress
                    stream=True if stream else None,
                    on_input_error=echo_input_error(),
                    seams=seams,
                )
            except UnreadableInputsError:
                raise InputError(
                    "nothing was uploaded because the input is unreadable", path=str(source)
                ) from None
            render_report(done.report, "text", sys.stderr, 5)
            if done.streamed:
                note(f"converted {source} in {done.batches:,} batch(es)")

        folder, temporary = _upload_folder(source, out, resume, convert_into)
        succeeded = False
        try:
            options = UploadOptions(
                import_id,
                sync=sync or wait,
                wait=wait,
                resume=resume,
                clear_staged=clear_staged,
                dry_run=dry_run,
                fail_on_errors=fail_on_errors,
                exclusive=exclusive,
                create_import=_new_import(
                    folder,
                    source,
                    import_name,
                    import_auto_delete,
                    import_retention,
                    lambda: settings_for()[0],
                )
                if create_import
                else None,
            )
            result = upload_folder(client, folder, options, on_event, checkpoint=seams.checkpoint)
            for line in upload_lines(result, options, load_manifest(folder).content_type):
                click.echo(redact(line))
            rejected = bool(result.blocked or result.rejects or result.rows_rejected_locally)
            unsynced = wait and any(s.status != "success" for s in result.syncs)
            exit_code = 1 if rejected or unsynced else 0
            succeeded = exit_code == 0
        finally:
            if temporary:
                if succeeded or not (folder / STATE_NAME).exists():
                    shutil.rmtree(folder.parent, ignore_errors=True)
                else:
                    mode = "--create-import" if create_import else f"--import-id {import_id}"
                    if exclusive:
                        mode += " --exclusive"
                    click.echo(
                        f"activity-schema: the parts and the upload state are kept in {folder} "
                        f"(continue with: activity-schema upload {folder} {mode} --resume)",
                        err=True,
                    )
    sys.exit(exit_code)
