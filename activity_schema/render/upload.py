"""Render what ``upload`` did (or would do) as plain text lines. Computes nothing."""

from __future__ import annotations

import math

from ..upload import UploadOptions, UploadResult
from ..upload.rejects import summarize_rejects

__all__ = ["upload_lines"]

_PARTS_LISTED = 20


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def upload_lines(result: UploadResult, options: UploadOptions, content_type: str) -> list[str]:
    """Return the summary of an upload, one line each, for stdout.

    Example:
        >>> from pathlib import Path
        >>> r = UploadResult(Path("out"), 2900, dry_run=False, parts_total=0)
        >>> upload_lines(r, UploadOptions(2900), "application/json")[0]
        'posted 0 parts to import 2900: 0 rows, 0 bytes'
    """
    if result.blocked:
        return [result.blocked]
    lines: list[str] = []
    verb = "would post" if result.dry_run else "posted"
    target = f"import {result.import_id}" if result.import_id else "a new import"
    if result.dry_run:
        lines.append("dry run: nothing was sent")
        if options.create_import is not None and result.created_import is None:
            lines.append(
                f"would create an import definition {options.create_import.name!r} "
                f"({_plural(len(options.create_import.fields), 'field')})"
            )
    elif result.created_import:
        lines.append(f"import {result.created_import} was created for this upload")
    if result.cleared:
        did = "would delete" if result.dry_run else "deleted"
        lines.append(
            f"{did} the data staged for {target}; "
            f"{_plural(len(result.cleared), 'part')} posted again"
        )
    lines.append(
        f"{verb} {_plural(len(result.posted), 'part')} to {target}: "
        f"{_plural(result.rows_posted, 'row')}, {_plural(result.bytes_posted, 'byte')}"
        + (f" ({content_type})" if result.dry_run else "")
    )
    if result.heals:
        lines.append(
            f"healed {_plural(len(result.heals), 'unknown outcome')}: deleted the staged data "
            f"and re-posted {_plural(result.reposted, 'part')} (each row is staged once):"
        )
        for heal in result.heals:
            lines.append(f"  {heal.reason}; re-posted {_plural(len(heal.parts), 'part')}")
    for note in result.notes:
        lines.append(note)
    if result.dry_run:
        for part in result.posted[:_PARTS_LISTED]:
            lines.append(
                f"  {part.file}  {_plural(part.rows, 'row')}  {_plural(part.bytes, 'byte')}"
            )
        if len(result.posted) > _PARTS_LISTED:
            lines.append(f"  ... and {_plural(len(result.posted) - _PARTS_LISTED, 'more part')}")
        if options.sync and result.posted:
            syncs = math.ceil(len(result.posted) / options.batch_size)
            lines.append(
                f"would create {_plural(syncs, 'sync')} (at most {options.batch_size} parts each)"
            )
    if result.skipped:
        lines.append(f"skipped {_plural(len(result.skipped), 'part')} accepted by an earlier run")
    if result.rows_rejected_locally:
        lines.append(
            f"{_plural(result.rows_rejected_locally, 'row')} rejected before upload "
            f"(see {result.folder / 'rejects.csv'})"
        )
    for sync in result.syncs:
        lines.append(f"sync {sync.uri}: {sync.status} ({_plural(sync.rows, 'row')})")
        if not sync.is_final:
            lines.append(
                f"  not finished; see its result later with: activity-schema upload "
                f"{result.folder} --import-id {result.import_id} --resume --wait"
            )
    if result.rejects:
        where = result.rejects_path or result.folder
        lines.append(f"Eloqua rejected {_plural(len(result.rejects), 'row')}, written to {where}:")
        for group in summarize_rejects(result.rejects):
            examples = ", ".join(group.examples)
            lines.append(
                f"  {group.status_code}  {group.count:,}  {group.message}  e.g. {examples}"
            )
    return lines
