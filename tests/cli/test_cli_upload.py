"""Test ``activity-schema upload`` end to end against the fake Eloqua on 127.0.0.1.

The command runs in-process with click's runner; the context object injects a
recording ``sleep`` and a plain transport (so no proxy variable interferes), and the
credentials come through the environment, as they would for a user.
"""

from __future__ import annotations

import base64
import json
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from fake_eloqua import DEFAULT_TOKEN, FakeEloqua, definition
from imports_of import modules_imported

from activity_schema.cli import main
from activity_schema.jobs.seams import Seams
from activity_schema.output.manifest import load_manifest
from activity_schema.upload import ELOQUA_REJECTS_NAME, STATE_NAME

IMPORT_ID = "2900"
FIELDS = {
    "activityId": "{{Activity.Id}}",
    "email": "{{Activity.Contact.Field(C_EmailAddress)}}",
    "type": "{{Activity.Type}}",
}
REJECTED_DOMAIN = "@reject.example"
ENV_NAMES = (
    "ELOQUA_SITE",
    "ELOQUA_USER",
    "ELOQUA_PASSWORD",
    "ELOQUA_TOKEN",
    "ELOQUA_BASE_URL",
    "ELOQUA_LOGIN_URL",
)


def eloqua_rule(row: dict[str, str | None]) -> tuple[str, str, list[str]] | None:
    if (row.get("email") or "").endswith(REJECTED_DOMAIN):
        return ("ELQ-00002", "Invalid email address.", ["email"])
    return None


@pytest.fixture
def fake() -> Iterator[FakeEloqua]:
    with FakeEloqua({2900: definition(FIELDS)}, reject_rule=eloqua_rule) as server:
        yield server
    assert server.server_errors == []


@pytest.fixture
def sleeps() -> list[float]:
    return []


Invoke = Callable[..., Result]


@pytest.fixture
def cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeEloqua, sleeps: list[float]
) -> Invoke:
    """Run the CLI in ``tmp_path`` with Basic credentials for the fake in the environment."""
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str | Path, env: dict[str, str] | None = None, **obj: Any) -> Result:
        environment: dict[str, str | None] = dict.fromkeys(ENV_NAMES)
        environment.update(
            env
            if env is not None
            else {
                "ELOQUA_SITE": fake.site,
                "ELOQUA_USER": fake.user,
                "ELOQUA_PASSWORD": fake.password,
                "ELOQUA_LOGIN_URL": fake.url,
            }
        )
        seams = Seams(sleep=sleeps.append, transport=httpx.HTTPTransport(), **obj)
        return CliRunner().invoke(
            main, [str(a) for a in args], env=environment, obj=seams, catch_exceptions=False
        )

    return invoke


def write_input(path: Path, count: int = 10, bad: dict[int, str] | None = None) -> Path:
    """Write ``count`` rows; ``bad`` replaces the email of some ids."""
    lines = ["activityId,email,type"]
    for i in range(1, count + 1):
        email = (bad or {}).get(i, f"user{i}@example.com")
        lines.append(f"{i},{email},Registered")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def upload_args(source: Path | str, *extra: str) -> list[str]:
    return ["upload", str(source), "--import-id", IMPORT_ID, "--max-bytes", "200", *extra]


def accepted_shas(fake: FakeEloqua) -> Counter[str]:
    return Counter(
        r.body_sha256 for r in fake.requests_to("POST", "/data") if r.status in (201, 204)
    )


def part_shas(folder: Path) -> Counter[str]:
    return Counter(p.sha256 for p in load_manifest(folder).parts)


def synced_ids(fake: FakeEloqua) -> list[str | None]:
    return [row["activityId"] for s in fake.syncs.values() for row in s.rows]


# --- the happy path ------------------------------------------------------------------------


def test_upload_converts_posts_each_part_once_and_syncs(
    tmp_path: Path, fake: FakeEloqua, cli: Invoke
) -> None:
    source = write_input(tmp_path / "in.csv", 10)
    result = cli(*upload_args(source, "-o", "out", "--wait"))
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert len(load_manifest(out).parts) >= 3
    assert accepted_shas(fake) == part_shas(out)
    assert synced_ids(fake) == [str(i) for i in range(1, 11)]
    assert "sync /syncs/1: success (10 rows)" in result.stdout
    assert result.stdout.startswith(f"posted {len(load_manifest(out).parts)} parts")


def test_the_definition_is_fetched_from_eloqua_when_not_given(
    tmp_path: Path, fake: FakeEloqua, cli: Invoke
) -> None:
    source = write_input(tmp_path / "in.csv", 4, bad={2: "no-at-sign"})
    result = cli(*upload_args(source, "-o", "out", "--sync"))
    # The fetched definition makes 'email' an email field: the bad address is caught here.
    assert result.exit_code == 1
    assert len(fake.requests_to("GET", "/activities/imports/2900")) == 1
    assert "1 row rejected before upload" in result.stdout


def test_a_given_definition_is_not_fetched(tmp_path: Path, fake: FakeEloqua, cli: Invoke) -> None:
    (tmp_path / "def.json").write_text(json.dumps({"name": "d", "fields": FIELDS}))
    source = write_input(tmp_path / "in.csv", 3)
    result = cli(*upload_args(source, "-o", "out", "--definition", "def.json"))
    assert result.exit_code == 0, result.output
    assert fake.requests_to("GET", "/activities/imports/") == []
    assert fake.requests_to("GET", "/id")  # discovery, since no ELOQUA_BASE_URL


def test_a_folder_that_convert_wrote_is_uploaded_as_it_is(
    tmp_path: Path, fake: FakeEloqua, cli: Invoke
) -> None:
    (tmp_path / "def.json").write_text(json.dumps({"name": "d", "fields": FIELDS}))
    source = write_input(tmp_path / "in.csv", 5)
    converted = cli("convert", source, "-o", "parts", "--definition", "def.json", "--max-rows", "2")
    assert converted.exit_code == 0, converted.output
    result = cli("upload", "parts", "--import-id", IMPORT_ID, "--sync")
    assert result.exit_code == 0, result.output
    assert fake.requests_to("GET", "/activities/imports/") == []
    assert accepted_shas(fake) == part_shas(tmp_path / "parts")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["whole", "big", "--stream"])
def test_a_big_input_is_converted_in_batches_then_uploaded(
    tmp_path: Path, fake: FakeEloqua, cli: Invoke, how: str
) -> None:
    (tmp_path / "def.json").write_text(json.dumps({"name": "d", "fields": FIELDS}))
    source = write_input(tmp_path / "in.csv", 300)
    args = upload_args(source, "-o", "out", "--wait", *(["--stream"] if how == "--stream" else []))
    # Batches of a few hundred bytes; "big" lowers the threshold a run streams over itself.
    seams: dict[str, Any] = {"batch_bytes": 2_000, "block_bytes": 500}
    if how == "big":
        seams["stream_threshold"] = 1
    result = cli(*args, progress=True, **seams)
    assert result.exit_code == 0, result.output
    batches = re.findall(r"converted .*in\.csv in (\d+) batch\(es\)", result.stderr)
    if how == "whole":
        assert batches == []
    else:
        assert len(batches) == 1 and int(batches[0]) > 3
    # The parts are the ones a whole-file convert writes, each posted once.
    reference = cli(
        "convert", source, "-o", "ref", "--definition", "def.json", "--max-bytes", "200"
    )
    assert reference.exit_code == 0, reference.output
    assert part_shas(tmp_path / "out") == part_shas(tmp_path / "ref")
    assert accepted_shas(fake) == part_shas(tmp_path / "out")
    assert synced_ids(fake) == [str(i) for i in range(1, 301)]


def test_temporary_folder_is_removed_after_success(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Invoke
) -> None:
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))
    result = cli(*upload_args(write_input(tmp_path / "in.csv", 3), "--wait"))
    assert result.exit_code == 0, result.output
    assert list(work.iterdir()) == []


# --- faults -----------------------------------------------------------------------------------


def test_503_twice_then_success(
    tmp_path: Path, fake: FakeEloqua, cli: Invoke, sleeps: list[float]
) -> None:
    fake.fail(status=503, times=2, method="GET", path="/activities/imports/")
    fake.fail(status=503, times=2, method="POST", path="/syncs")
    write_input(tmp_path / "in.csv", 6)
    result = cli(*upload_args("in.csv", "-o", "out", "--wait"), progress=True)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("(HTTP 503, attempt") == 4
    assert len(sleeps) >= 4  # the retries' waits, then the polls'
    assert accepted_shas(fake) == part_shas(tmp_path / "out")


def test_429_on_a_data_post_is_retried_after_retry_after(
    tmp_path: Path, fake: FakeEloqua, cli: Invoke, sleeps: list[float]
) -> None:
    fake.fail(status=429, headers={"Retry-After": "3"}, method="POST", path="/data", skip=1)
    source = write_input(tmp_path / "in.csv", 6)
    result = cli(*upload_args(source, "-o", "out", "--wait"), progress=True)
    assert result.exit_code == 0, result.output
    assert sleeps[0] == 3.0 and sleeps[1:] == [5.0]  # Retry-After, then one sync poll
    assert "retrying POST in 3.0 s (HTTP 429" in result.stderr
    assert "posted part-00002.json" in result.stderr
    assert accepted_shas(fake) == part_shas(tmp_path / "out")


def test_a_dropped_data_post_stops_and_clear_staged_resumes_without_duplicates(
    tmp_path: Path, fake: FakeEloqua, cli: Invoke
) -> None:
    fake.fail("drop", method="POST", path="/data", skip=1, after_processing=True)
    source = write_input(tmp_path / "in.csv", 8)
    first = cli(*upload_args(source, "-o", "out", "--wait"))
    assert first.exit_code == 4
    [line] = first.stderr.strip().splitlines()[-1:]
    assert line.startswith("activity-schema: error:") and "--resume --clear-staged" in line
    assert "may have staged" in line
    again = cli(*upload_args(source, "-o", "out", "--wait", "--resume"))
    assert again.exit_code == 4 and "may already hold" in again.stderr
    done = cli(*upload_args(source, "-o", "out", "--wait", "--resume", "--clear-staged"))
    assert done.exit_code == 0, done.output
    assert "deleted the data staged for import 2900" in done.stdout
    assert synced_ids(fake) == [str(i) for i in range(1, 9)]  # each row once


def test_401_is_exit_4_in_one_line_without_the_secret(
    tmp_path: Path, fake: FakeEloqua, cli: Invoke
) -> None:
    env = {
        "ELOQUA_SITE": fake.site,
        "ELOQUA_USER": fake.user,
        "ELOQUA_PASSWORD": "Wrong-S3cret-Pa55",
        "ELOQUA_BASE_URL": fake.url,
    }
    result = cli(*upload_args(write_input(tmp_path / "in.csv", 3), "-o", "out"), env=env)
    assert result.exit_code == 4
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert "401" in line and "ELOQUA_PASSWORD" in line
    assert "Wrong-S3cret-Pa55" not in line
    assert fake.requests_to("POST") == []


def test_missing_credentials_are_a_usage_error(tmp_path: Path, cli: Invoke) -> None:
    result = cli(*upload_args(write_input(tmp_path / "in.csv", 3)), env={})
    assert result.exit_code == 2
    assert "ELOQUA_PASSWORD" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unreadable_input_is_exit_3(cli: Invoke) -> None:
    result = cli(*upload_args("missing.csv"))
    assert result.exit_code == 3


def test_resume_of_a_raw_input_needs_the_output_folder(tmp_path: Path, cli: Invoke) -> None:
    result = cli(*upload_args(write_input(tmp_path / "in.csv", 3), "--resume"))
    assert result.exit_code == 2 and "-o DIR" in result.stderr


# --- resume -----------------------------------------------------------------------------------


def test_resume_after_a_kill_posts_no_part_twice(
    tmp_path: Path, fake: FakeEloqua, cli: Invoke
) -> None:
    fake.fail(status=403, method="POST", path="/data", skip=2)  # part 3 fails fatally
    source = write_input(tmp_path / "in.csv", 10)
    first = cli(*upload_args(source, "-o", "out", "--wait"))
    assert first.exit_code == 4
    parts = load_manifest(tmp_path / "out").parts
    first_two = {p.sha256 for p in parts[:2]}
    assert set(accepted_shas(fake)) == first_two
    second = cli(*upload_args(source, "-o", "out", "--wait", "--resume"))
    assert second.exit_code == 0, second.output
    assert "skipped 2 parts accepted by an earlier run" in second.stdout
    assert accepted_shas(fake) == part_shas(tmp_path / "out")  # every part exactly once
    assert synced_ids(fake) == [str(i) for i in range(1, 11)]


def test_a_failed_upload_from_a_temporary_folder_keeps_it_for_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeEloqua, cli: Invoke
) -> None:
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))
    fake.fail(status=403, method="POST", path="/data", skip=1)
    result = cli(*upload_args(write_input(tmp_path / "in.csv", 6), "--sync"))
    assert result.exit_code == 4
    [temporary] = list(work.iterdir())
    kept = temporary / "parts"
    assert (kept / STATE_NAME).is_file()
    assert f"upload {kept} --import-id 2900 --resume" in result.stderr
    resumed = cli("upload", kept, "--import-id", IMPORT_ID, "--sync", "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert accepted_shas(fake) == part_shas(kept)


# --- rejects, dry run, fail-on-errors -----------------------------------------------------------


def test_eloqua_rejects_are_reported_by_source_line(
    tmp_path: Path, fake: FakeEloqua, cli: Invoke
) -> None:
    write_input(tmp_path / "in.csv", 8, bad={3: "c" + REJECTED_DOMAIN})
    result = cli(*upload_args("in.csv", "-o", "out", "--wait"))  # named as the user named it
    assert result.exit_code == 1
    assert "sync /syncs/1: warning" in result.stdout
    assert "ELQ-00002  1  Invalid email address.  e.g. in.csv:4" in result.stdout
    rejects = (tmp_path / "out" / ELOQUA_REJECTS_NAME).read_text(encoding="utf-8").splitlines()
    assert rejects[0] == "file,row,line,statusCode,message,invalidFields,fieldValues"
    assert rejects[1].startswith("in.csv,3,4,ELQ-00002,Invalid email address.,email,")


def test_dry_run_posts_nothing_and_prints_the_plan(
    tmp_path: Path, fake: FakeEloqua, cli: Invoke
) -> None:
    result = cli(*upload_args(write_input(tmp_path / "in.csv", 6), "-o", "out", "--dry-run"))
    assert result.exit_code == 0, result.output
    assert [r.method for r in fake.requests] == ["GET", "GET"]  # discovery, definition
    lines = result.stdout.splitlines()
    parts = load_manifest(tmp_path / "out").parts
    assert lines[0] == "dry run: nothing was sent"
    assert lines[1].startswith(f"would post {len(parts)} parts to import 2900: 6 rows, ")
    assert lines[2] == f"  part-00001.json  {parts[0].rows} rows  {parts[0].bytes} bytes"
    assert not (tmp_path / "out" / STATE_NAME).exists()
    # Then the real run converts again (nothing was uploaded) and posts every part once.
    assert cli(*upload_args(tmp_path / "in.csv", "-o", "out")).exit_code == 0
    assert accepted_shas(fake) == part_shas(tmp_path / "out")


def test_fail_on_errors_uploads_nothing(tmp_path: Path, fake: FakeEloqua, cli: Invoke) -> None:
    source = write_input(tmp_path / "in.csv", 4, bad={2: "no-at-sign"})
    result = cli(*upload_args(source, "-o", "out", "--sync", "--fail-on-errors"))
    assert result.exit_code == 1
    assert "--fail-on-errors" in result.stdout
    assert fake.requests_to("POST") == []


# --- secrets ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["basic", "bearer"])
def test_no_secret_in_anything_the_run_writes(
    tmp_path: Path, fake: FakeEloqua, cli: Invoke, kind: str
) -> None:
    if kind == "basic":
        env = {"ELOQUA_SITE": fake.site, "ELOQUA_USER": fake.user, "ELOQUA_PASSWORD": fake.password}
    else:
        env = {"ELOQUA_TOKEN": DEFAULT_TOKEN}
    env["ELOQUA_LOGIN_URL"] = fake.url
    raw = f"{fake.site}\\{fake.user}:{fake.password}".encode()
    secrets = [fake.password, DEFAULT_TOKEN, base64.b64encode(raw).decode()]
    fake.fail(status=429, headers={"Retry-After": "0"}, method="POST", path="/data")
    fake.fail("drop", method="POST", path="/data", skip=3)
    source = write_input(tmp_path / "in.csv", 10, bad={2: "no-at-sign", 5: "e" + REJECTED_DOMAIN})
    runs = [
        cli(*upload_args(source, "-o", "out", "--wait"), env=env, progress=True),
        cli(*upload_args(source, "-o", "out", "--wait", "--resume"), env=env, progress=True),
        cli(
            *upload_args(source, "-o", "out", "--wait", "--resume", "--clear-staged"),
            env=env,
            progress=True,
        ),
    ]
    assert [r.exit_code for r in runs] == [4, 4, 1]
    written = [r.stdout + r.stderr for r in runs]
    files = sorted((tmp_path / "out").iterdir())
    assert {STATE_NAME, ELOQUA_REJECTS_NAME, "manifest.json", "rejects.csv"} <= {
        f.name for f in files
    }
    written += [f.read_text(encoding="utf-8") for f in files]
    for text in written:
        for secret in secrets:
            assert secret not in text


def test_upload_help_does_not_import_heavy_libraries() -> None:
    imported = modules_imported(["upload", "--help"])
    assert [m for m in ("polars", "pandera", "httpx", "numpy") if m in imported] == []


@pytest.mark.parametrize("flag", [["--stream"], ["--to", "csv"]])
def test_a_conversion_flag_on_a_converted_folder_is_refused(
    tmp_path: Path, cli: Invoke, flag: list[str]
) -> None:
    folder = tmp_path / "converted"
    folder.mkdir()
    result = cli(*upload_args(folder, *flag))
    assert result.exit_code == 2
    assert f"{flag[0]} applies only when SOURCE is a file to convert" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_out_is_the_deprecated_name_of_output(
    tmp_path: Path, fake: FakeEloqua, cli: Invoke
) -> None:
    source = write_input(tmp_path / "in.csv")
    result = cli(*upload_args(source, "--out", "out", "--wait"))
    assert result.exit_code == 0, result.output
    assert "upload --out is deprecated; use -o/--output DIR" in result.stderr
    assert (tmp_path / "out" / "upload-state.json").is_file()
    both = cli(*upload_args(source, "--out", "a", "--output", "b"))
    assert both.exit_code == 2
    assert "pass only --output" in both.stderr
