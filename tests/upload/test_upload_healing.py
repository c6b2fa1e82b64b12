"""Test that an upload heals its own faults: exactly once, under faults, kills and a rival.

Everything runs against the strict fake Eloqua over real HTTP on 127.0.0.1. "Exactly
once" is asserted on what the fake holds: the rows of every sync it created, each input
row in exactly one of them, and nothing left staged. Crashes are simulated through the
upload's ``checkpoint`` seam: a hook that raises a ``BaseException`` (nothing in the
uploader catches it, so the state on disk is what a ``kill -9`` at that instant leaves)
or, in a child process, kills the process for real with SIGKILL. Nothing sleeps: the
client's waits go to a recording fake clock, and the child is synchronised through its
pipes.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from fake_eloqua import FakeEloqua, definition

from activity_schema.cli import main
from activity_schema.eloqua import EloquaClient, RetryPolicy
from activity_schema.errors import ConfigError, LockedError, UploadError, UsageError
from activity_schema.jobs.seams import Seams
from activity_schema.jobs.whole import prepare
from activity_schema.output.write import convert
from activity_schema.schema.definition import schema_from_definition
from activity_schema.schema.fields import DEFAULT_SCHEMA, FieldSpec, Kind, SchemaSpec
from activity_schema.upload import (
    ELOQUA_REJECTS_NAME,
    LOCK_NAME,
    STATE_NAME,
    STEPS,
    NewImport,
    UploadOptions,
    upload,
)
from activity_schema.upload.import_fields import import_statements, statement_for
from activity_schema.upload.state import UploadState

IMPORT_ID = 2900
FIELDS = {
    "activityId": "{{Activity.Id}}",
    "email": "{{Activity.Contact.Field(C_EmailAddress)}}",
    "type": "{{Activity.Type}}",
}
EMAIL_STATEMENT = "{{Activity.Contact.Field(C_EmailAddress)}}"
FIRST_NAME_STATEMENT = "{{Activity.Contact.Field(C_FirstName)}}"
ROWS = 30
REJECTED = {5, 17, 26}  # pass our checks; the fake's sync rejects them
REJECTED_DOMAIN = "@reject.example"
ENV_NAMES = (
    "ELOQUA_SITE",
    "ELOQUA_USER",
    "ELOQUA_PASSWORD",
    "ELOQUA_TOKEN",
    "ELOQUA_BASE_URL",
    "ELOQUA_LOGIN_URL",
)


class Killed(BaseException):
    """The process "died" here: nothing below the uploader's own frames runs."""


def eloqua_rule(row: dict[str, str | None]) -> tuple[str, str, list[str]] | None:
    if (row.get("email") or "").endswith(REJECTED_DOMAIN):
        return ("ELQ-00002", "Invalid email address.", ["email"])
    return None


def write_input(path: Path) -> Path:
    lines = ["activityId,email,type"]
    for i in range(1, ROWS + 1):
        domain = REJECTED_DOMAIN if i in REJECTED else "@example.com"
        lines.append(f"{i},user{i}{domain},Registered")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def fake() -> Iterator[FakeEloqua]:
    with FakeEloqua({IMPORT_ID: definition(FIELDS)}, reject_rule=eloqua_rule) as server:
        yield server
    assert server.server_errors == []


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def client(fake: FakeEloqua, fake_time: FakeTime) -> Iterator[EloquaClient]:
    with EloquaClient(
        fake.credentials,
        base_url=fake.url,
        retry=RetryPolicy(jitter=False),
        transport=httpx.HTTPTransport(),
        sleep=fake_time.sleep,
        clock=fake_time.clock,
    ) as made:
        yield made


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Ten parts of three rows each."""
    spec = schema_from_definition({"name": "t", "fields": FIELDS}, source="test")
    out = tmp_path / "out"
    convert(prepare(write_input(tmp_path / "in.csv"), spec=spec), out, max_rows=3)
    return out


def new_import() -> NewImport:
    spec = schema_from_definition({"name": "t", "fields": FIELDS}, source="test")
    return NewImport("healing test", import_statements(spec, spec.names))


def options(mode: str, **changes: Any) -> UploadOptions:
    """Options for a mode: ``exclusive``, ``create`` or ``plain`` (no healing)."""
    base: dict[str, Any] = {"sync": True, "wait": True, "poll_interval": 0}
    if mode == "create":
        base["create_import"] = new_import()
    else:
        base["import_id"] = IMPORT_ID
        base["exclusive"] = mode == "exclusive"
    return UploadOptions(**{**base, **changes})


def script_faults(fake: FakeEloqua) -> None:
    """503 after staging, 503, 429, a dropped answer after staging, a lost sync answer."""
    fake.fail(status=503, method="POST", path="/data", nth=2, after_processing=True)
    fake.fail(status=503, method="POST", path="/data", nth=4)
    fake.fail(status=429, headers={"Retry-After": "2"}, method="POST", path="/data", nth=7)
    fake.fail("drop", method="POST", path="/data", nth=10, after_processing=True)
    fake.fail("drop", method="POST", path="/syncs", nth=1, after_processing=True)


def synced_ids(fake: FakeEloqua) -> Counter[str | None]:
    return Counter(row["activityId"] for s in fake.syncs.values() for row in s.rows)


def assert_exactly_once(fake: FakeEloqua) -> None:
    ids = synced_ids(fake)
    assert sorted(ids, key=lambda i: int(i or 0)) == [str(i) for i in range(1, ROWS + 1)]
    assert set(ids.values()) == {1}, f"duplicated: {[i for i, n in ids.items() if n > 1]}"
    assert all(not rows for rows in fake.staged.values()), "rows left staged, never synced"


def reject_lines(folder: Path) -> list[int]:
    with (folder / ELOQUA_REJECTS_NAME).open(encoding="utf-8", newline="") as handle:
        return sorted(int(row["line"]) for row in csv.DictReader(handle))


EXPECTED_LINES = sorted(i + 1 for i in REJECTED)  # the header is line 1


# --- one run heals every fault -------------------------------------------------------


@pytest.mark.parametrize("mode", ["exclusive", "create"])
def test_one_run_heals_503_503_429_a_dropped_post_and_a_lost_sync_answer(
    fake: FakeEloqua, client: EloquaClient, folder: Path, fake_time: FakeTime, mode: str
) -> None:
    script_faults(fake)
    result = upload(client, folder, options(mode))
    assert_exactly_once(fake)
    assert len(fake.syncs) == 1 and len(fake.requests_to("POST", "/syncs")) == 1
    assert [(r.record_index, r.line) for r in result.rejects] == [
        (i, i + 1) for i in sorted(REJECTED)
    ]
    assert reject_lines(folder) == EXPECTED_LINES
    # Three unknown outcomes healed: parts 1-2, 1-2 again, then 1-5.
    assert [h.parts for h in result.heals] == [
        ("part-00001.json", "part-00002.json"),
        ("part-00001.json", "part-00002.json"),
        tuple(f"part-{i:05d}.json" for i in range(1, 6)),
    ]
    assert result.reposted == 9 and "answered 503" in result.heals[0].reason
    assert len(fake.requests_to("DELETE", "/data")) == 3
    assert len(fake.requests_to("POST", "/data")) == 20  # 10 parts + 9 re-posts + one 429
    assert any("answer creating /syncs/1 was lost" in note for note in result.notes)
    assert 2.0 in fake_time.sleeps  # the 429's Retry-After
    assert len(result.posted) == 10 and result.rows_posted == ROWS
    if mode == "create":
        assert fake.created_imports == [result.import_id]
        assert result.created_import == f"/activities/imports/{result.import_id}"
        created = fake.definitions[fake.created_imports[0]]
        assert created["fields"] == FIELDS and created["isSyncTriggeredOnImport"] is False
        assert (created["autoDeleteDuration"], created["dataRetentionDuration"]) == (
            "P7D",
            "P14D",
        )


def test_without_a_mode_an_unknown_outcome_still_stops_safely(
    fake: FakeEloqua, client: EloquaClient, folder: Path
) -> None:
    fake.fail(status=503, method="POST", path="/data", nth=2, after_processing=True)
    with pytest.raises(UploadError, match="may have staged") as info:
        upload(client, folder, options("plain"))
    assert "--resume --clear-staged" in str(info.value) and "--exclusive" in str(info.value)
    assert fake.requests_to("DELETE", "/data") == []


def test_healing_gives_up_after_the_retry_budget_and_resume_finishes(
    fake: FakeEloqua, client: EloquaClient, folder: Path
) -> None:
    fake.fail(status=503, method="POST", path="/data", times=6, after_processing=True)
    with pytest.raises(UploadError, match="gave up after 5 unknown outcomes"):
        upload(client, folder, options("exclusive"))
    assert fake.syncs == {}
    result = upload(client, folder, options("exclusive", resume=True))
    assert_exactly_once(fake)
    assert "being sent when the earlier run stopped" in result.heals[0].reason


def test_exclusive_refuses_a_definition_that_syncs_on_import(
    fake: FakeEloqua, client: EloquaClient, folder: Path
) -> None:
    fake.definitions[IMPORT_ID] = definition(FIELDS, sync_on_import=True)
    with pytest.raises(UsageError, match="syncs on every POST"):
        upload(client, folder, options("exclusive"))
    assert fake.requests_to("POST", "/data") == []


def test_exactly_one_of_import_id_and_create_import() -> None:
    with pytest.raises(UsageError, match="exactly one of --import-id and --create-import"):
        UploadOptions()
    with pytest.raises(UsageError, match="exactly one"):
        UploadOptions(IMPORT_ID, create_import=new_import())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "n" * 101}, "1 to 100 characters"),
        ({"retention": "P15D"}, "PT1H to P14D"),
        ({"retention": "PT30M", "auto_delete": "PT10M"}, "PT1H to P14D"),
        ({"auto_delete": "seven days"}, "not an ISO-8601 duration"),
        ({"auto_delete": "P10D", "retention": "P7D"}, "expire"),
    ],
)
def test_new_import_rules(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        NewImport(**{"name": "n", "fields": FIELDS, **changes})


# --- kill -9 at any step, then --resume ----------------------------------------------


def kill_at(step: str, occurrence: int) -> Callable[[str], None]:
    assert step in STEPS
    seen: Counter[str] = Counter()

    def hook(name: str) -> None:
        seen[name] += 1
        if name == step and seen[name] == occurrence:
            raise Killed(f"{step} #{occurrence}")

    return hook


KILLS = [
    ("part-saved", 3),  # recorded as sending, not posted
    ("part-answered", 3),  # mid data POST: staged, the answer never recorded
    ("sync-intent-saved", 2),  # the intent recorded, the sync not asked for
    ("sync-answered", 2),  # the sync exists (and took the rows), not recorded
    ("staged-deleted", 1),  # a heal deleted the staged data, not recorded
    ("rejects-written", 1),  # a sync's rejects written, not recorded
]


@pytest.mark.parametrize("mode", ["exclusive", "create"])
@pytest.mark.parametrize(("step", "occurrence"), KILLS)
def test_kill_at_any_step_then_resume_is_exactly_once(
    fake: FakeEloqua,
    client: EloquaClient,
    folder: Path,
    mode: str,
    step: str,
    occurrence: int,
) -> None:
    if step == "staged-deleted":
        fake.fail(status=503, method="POST", path="/data", nth=6)
    with pytest.raises(Killed):
        upload(client, folder, options(mode, batch_size=4), checkpoint=kill_at(step, occurrence))
    assert not (folder / LOCK_NAME).read_bytes()  # released, as the kernel does on a kill
    result = upload(client, folder, options(mode, batch_size=4, resume=True))
    assert_exactly_once(fake)
    assert reject_lines(folder) == EXPECTED_LINES
    assert all(s.is_final for s in UploadState.load(folder / STATE_NAME).syncs)  # type: ignore[union-attr]
    if step.startswith("sync-"):
        assert any("stopped while asking for a sync" in note for note in result.notes)
    if mode == "create":
        assert len(fake.created_imports) == 1  # the resumed run reused it


def test_a_kill_right_after_creating_the_import_costs_one_unused_definition(
    fake: FakeEloqua, client: EloquaClient, folder: Path
) -> None:
    with pytest.raises(Killed):
        upload(client, folder, options("create"), checkpoint=kill_at("import-created", 1))
    upload(client, folder, options("create", resume=True))
    assert_exactly_once(fake)
    unused, used = fake.created_imports
    assert fake.staged.get(unused) is None and {s.import_id for s in fake.syncs.values()} == {used}


@pytest.mark.parametrize(("step", "occurrence"), [("sync-answered", 2), ("sync-intent-saved", 2)])
def test_clear_staged_never_reposts_rows_a_sync_holds(
    fake: FakeEloqua, client: EloquaClient, folder: Path, step: str, occurrence: int
) -> None:
    with pytest.raises(Killed):
        upload(client, folder, options("plain", batch_size=4), checkpoint=kill_at(step, occurrence))
    result = upload(client, folder, options("plain", batch_size=4, resume=True, clear_staged=True))
    assert_exactly_once(fake)
    if step == "sync-answered":
        assert result.cleared == ()  # the sync took those parts: nothing to post again


def test_plain_resume_after_a_kill_mid_post_stops_then_clear_staged_finishes(
    fake: FakeEloqua, client: EloquaClient, folder: Path
) -> None:
    with pytest.raises(Killed):
        upload(client, folder, options("plain"), checkpoint=kill_at("part-answered", 3))
    with pytest.raises(UploadError, match=r"may already hold the rows of part-00003\.json"):
        upload(client, folder, options("plain", resume=True))
    upload(client, folder, options("plain", resume=True, clear_staged=True))
    assert_exactly_once(fake)


# --- a real SIGKILL, and a second upload on the same folder --------------------------

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import httpx
    from activity_schema.eloqua import Credentials, EloquaClient
    from activity_schema.upload import UploadOptions, upload

    url, folder, site, user, password = sys.argv[1:6]
    held = []

    def hook(step):
        if step == "part-answered" and not held:  # part 1 is staged, its answer not saved
            held.append(step)
            print("holding", flush=True)
            sys.stdin.readline()  # the parent says when to die
            os.kill(os.getpid(), signal.SIGKILL)

    credentials = Credentials.basic(site, user, password)
    transport = httpx.HTTPTransport()
    with EloquaClient(credentials, base_url=url, transport=transport) as client:
        options = UploadOptions(2900, sync=True, wait=True, exclusive=True, poll_interval=0)
        upload(client, Path(folder), options, checkpoint=hook)
    """
)


def cli_env(fake: FakeEloqua) -> dict[str, str | None]:
    env: dict[str, str | None] = dict.fromkeys(ENV_NAMES)
    env.update(
        {
            "ELOQUA_SITE": fake.site,
            "ELOQUA_USER": fake.user,
            "ELOQUA_PASSWORD": fake.password,
            "ELOQUA_BASE_URL": fake.url,
        }
    )
    return env


def test_a_second_upload_refuses_at_once_and_a_sigkill_is_healed_by_resume(
    fake: FakeEloqua, client: EloquaClient, folder: Path
) -> None:
    args = [fake.url, str(folder), fake.site, fake.user, fake.password]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ELOQUA_")}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**environment, "NO_PROXY": "*"},
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "holding"
        rival = CliRunner().invoke(
            main,
            ["upload", str(folder), "--import-id", str(IMPORT_ID), "--resume", "--wait"],
            env=cli_env(fake),
            obj=Seams(transport=httpx.HTTPTransport(), sleep=lambda s: None),
        )
        assert rival.exit_code == 4, rival.output
        [line] = [ln for ln in rival.output.splitlines() if "another upload run" in ln]
        assert f"pid {child.pid}, started " in line
        with pytest.raises(LockedError) as info:
            upload(client, folder, options("exclusive", resume=True))
        assert info.value.pid == child.pid and info.value.exit_code == 4
        child.stdin.write("die\n")
        child.stdin.close()
        assert child.wait() == -9
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert len(fake.requests_to("POST", "/data")) == 1  # staged; the answer died with it
    result = upload(client, folder, options("exclusive", resume=True))
    assert_exactly_once(fake)
    assert result.heals and "part-00001.json was being sent" in result.heals[0].reason


# --- the command line ----------------------------------------------------------------


def run_cli(fake: FakeEloqua, tmp_path: Path, *args: str) -> Result:
    os.chdir(tmp_path)
    sleeps: list[float] = []
    return CliRunner().invoke(
        main,
        ["upload", *args],
        env=cli_env(fake),
        obj=Seams(transport=httpx.HTTPTransport(), sleep=sleeps.append),
        catch_exceptions=False,
    )


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_input(tmp_path / "in.csv")
    (tmp_path / "def.json").write_text(json.dumps({"name": "d", "fields": FIELDS}))
    return tmp_path


@pytest.mark.parametrize(
    "mode_args",
    [
        ["--import-id", str(IMPORT_ID), "--exclusive"],
        ["--create-import", "--definition", "def.json"],
    ],
    ids=["exclusive", "create-import"],
)
def test_the_command_heals_every_fault_and_exits_1_for_eloqua_rejects(
    fake: FakeEloqua, in_tmp: Path, mode_args: list[str]
) -> None:
    script_faults(fake)
    result = run_cli(fake, in_tmp, "in.csv", "-o", "out", "--max-rows", "3", "--wait", *mode_args)
    assert result.exit_code == 1, result.output
    assert_exactly_once(fake)
    assert reject_lines(in_tmp / "out") == EXPECTED_LINES
    out = result.stdout
    assert "healed 3 unknown outcomes: deleted the staged data and re-posted 9 parts" in out
    assert "the answer creating /syncs/1 was lost" in out
    assert "Eloqua rejected 3 rows" in out and "ELQ-00002" in out
    if "--create-import" in mode_args:
        assert f"import /activities/imports/{fake.created_imports[0]} was created" in out


def test_create_import_maps_the_built_in_schema_to_statements(
    fake: FakeEloqua, in_tmp: Path
) -> None:
    result = run_cli(fake, in_tmp, "in.csv", "-o", "out", "--create-import", "--wait")
    assert result.exit_code == 1, result.output  # the fake rejects three rows
    [created] = fake.created_imports
    fields = fake.definitions[created]["fields"]
    assert fields["activityId"] == "{{Activity.Id}}"
    assert fields["email"] == "{{Activity.Contact.Field(C_EmailAddress)}}"
    assert fields["type"] == "{{Activity.Type}}"
    assert fields["ActivityDate"] == "{{Activity.CreatedAt}}"
    assert fields["CampaignId"] == "{{Activity.Campaign.Id}}"
    assert fields["AssetName"] == "{{Activity.Asset.Name}}"
    assert fake.definitions[created]["name"].startswith("activity-schema in.csv ")
    assert_exactly_once(fake)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "pass exactly one of --import-id and --create-import"),
        (["--import-id", "2900", "--create-import"], "pass exactly one"),
        (["--import-id", "2900", "--import-name", "x"], "--import-name applies only"),
        (["--create-import", "--import-retention", "P30D"], "PT1H to P14D"),
    ],
)
def test_mode_options_are_checked_in_one_line(
    fake: FakeEloqua, in_tmp: Path, args: list[str], message: str
) -> None:
    result = run_cli(fake, in_tmp, "in.csv", "-o", "out", *args)
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert fake.requests_to("POST", "/data") == []


def test_resume_with_create_import_reuses_the_created_definition(
    fake: FakeEloqua, in_tmp: Path
) -> None:
    fake.fail(status=403, method="POST", path="/data", nth=4)  # a verdict: stops the run
    args = ["in.csv", "-o", "out", "--max-rows", "3", "--create-import", "--definition", "def.json"]
    first = run_cli(fake, in_tmp, *args, "--wait")
    assert first.exit_code == 4
    again = run_cli(fake, in_tmp, *args, "--wait", "--resume")
    assert again.exit_code == 1, again.output
    assert len(fake.created_imports) == 1
    assert_exactly_once(fake)


def test_dry_run_with_create_import_creates_nothing(fake: FakeEloqua, in_tmp: Path) -> None:
    args = ["in.csv", "-o", "out", "--create-import", "--definition", "def.json", "--dry-run"]
    result = run_cli(fake, in_tmp, *args)
    assert result.exit_code == 0, result.output
    assert "would create an import definition" in result.stdout
    assert "to a new import" in result.stdout
    assert fake.requests == []


# --- statements of a created definition ----------------------------------------------


@pytest.mark.parametrize(
    ("spec_field", "statement"),
    [
        (FieldSpec("X", statement="{{Activity.Asset.Id}}"), "{{Activity.Asset.Id}}"),
        (FieldSpec("kind", aliases=("Activity.Type",)), "{{Activity.Type}}"),
        (FieldSpec("mail", Kind.EMAIL, aliases=("C_EmailAddress",)), EMAIL_STATEMENT),
        (FieldSpec("First", Kind.NAME, aliases=("C_FirstName",)), FIRST_NAME_STATEMENT),
        (FieldSpec("Activity Date", Kind.DATETIME), "{{Activity.CreatedAt}}"),
        (FieldSpec("Campaign ID", Kind.INTEGER), "{{Activity.Campaign.Id}}"),
        (FieldSpec("Work Email", Kind.EMAIL), EMAIL_STATEMENT),
        (FieldSpec("Score"), "{{Activity.Field(Score)}}"),
    ],
)
def test_each_field_maps_to_its_statement(spec_field: FieldSpec, statement: str) -> None:
    assert statement_for(spec_field) == statement


def test_a_field_without_a_possible_statement_is_refused() -> None:
    with pytest.raises(ConfigError, match="no Eloqua statement"):
        statement_for(FieldSpec("Score (%)"))


def test_two_fields_with_one_statement_and_unknown_fields_are_refused() -> None:
    spec = SchemaSpec("s", (FieldSpec("email", Kind.EMAIL), FieldSpec("Email2", Kind.EMAIL)))
    with pytest.raises(ConfigError, match="'email' and 'Email2' both map to"):
        import_statements(spec, ["email", "Email2"])
    with pytest.raises(ConfigError, match="which the schema does not have"):
        import_statements(spec, ["nope"])


def test_the_built_in_schema_maps_without_collisions() -> None:
    fields = import_statements(DEFAULT_SCHEMA, DEFAULT_SCHEMA.names)
    assert len(set(fields.values())) == len(fields) == len(DEFAULT_SCHEMA.names)


def test_a_kill_right_after_clear_staged_deleted_never_syncs_without_those_rows(
    fake: FakeEloqua, client: EloquaClient, folder: Path
) -> None:
    with pytest.raises(Killed):
        upload(client, folder, options("plain"), checkpoint=kill_at("part-answered", 3))
    clear = options("plain", resume=True, clear_staged=True)
    with pytest.raises(Killed):
        upload(client, folder, clear, checkpoint=kill_at("staged-deleted", 1))
    assert fake.staged.get(IMPORT_ID) is None  # Eloqua deleted parts 1-3
    # The state must not claim parts 1-2 are still staged: a plain resume would sync
    # without their rows. It stops instead, and --clear-staged finishes the job.
    with pytest.raises(UploadError, match="may already hold the rows of part-00001"):
        upload(client, folder, options("plain", resume=True))
    upload(client, folder, clear)
    assert_exactly_once(fake)


def test_a_created_definition_nothing_reached_is_reused_without_resume(
    fake: FakeEloqua, client: EloquaClient, folder: Path
) -> None:
    fake.fail(status=403, method="POST", path="/data", nth=1)  # a verdict: nothing staged
    with pytest.raises(UploadError):
        upload(client, folder, options("create"))
    result = upload(client, folder, options("create"))
    assert fake.created_imports == [result.import_id]
    assert_exactly_once(fake)
