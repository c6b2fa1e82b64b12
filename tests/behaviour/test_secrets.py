"""No Eloqua secret appears in anything ``upload`` prints, logs or writes, on any path.

The credentials are checked before use (a stray CR or a non-ASCII character is one
line naming the variable, exit 2), and every text passes through one redactor. The
proof is a grep: the real command runs against the fake Eloqua on 127.0.0.1 with
Basic and Bearer credentials through every fault the fake can inject, including a
proxy that echoes the request's headers (``Authorization`` first) in its error
bodies, and stdout, stderr, every log record and every byte of every file under the
test's folder are searched for each form of the secret.
"""

from __future__ import annotations

import base64
import gc
import json
import logging
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
from click.testing import CliRunner, Result
from fake_eloqua import FakeEloqua, definition

from activity_schema.cli import main
from activity_schema.eloqua import Credentials, EloquaClient, responses
from activity_schema.eloqua.auth import check_credential
from activity_schema.eloqua.redact import MASK, LogRedaction, Redactor
from activity_schema.eloqua.responses import body_excerpt
from activity_schema.errors import ConfigError, UploadError
from activity_schema.jobs.seams import Seams
from activity_schema.upload.state import STATE_NAME, PartRecord, PartStatus, UploadState

FIELDS = {
    "activityId": "{{Activity.Id}}",
    "email": "{{Activity.Contact.Field(C_EmailAddress)}}",
    "type": "{{Activity.Type}}",
}
IMPORT_ID = 2900
SITE = "FakeSite"
USER = "Fake.User"
# Characters that JSON, URLs, HTML and Python's repr each escape differently, and a
# non-ASCII one: a form the redactor forgot shows up as a leak.
PASSWORD = 'pw/Fake+S3cret "q" <&> \\ ßΩ'
TOKEN = "tok-Fake.S3cret~0123/456+789=="
WRONG_PASSWORD = "Wr0ng/Pa55+word ü"
WRONG_TOKEN = "tok-Wr0ng-S3cret/+=="
ENV_NAMES = (
    "ELOQUA_SITE",
    "ELOQUA_USER",
    "ELOQUA_PASSWORD",
    "ELOQUA_TOKEN",
    "ELOQUA_BASE_URL",
    "ELOQUA_LOGIN_URL",
)


def secret_forms(env: dict[str, str]) -> dict[str, str]:
    """Return every form of the secrets in ``env`` that must never be seen, by name."""
    forms: dict[str, str] = {}
    if token := env.get("ELOQUA_TOKEN"):
        forms |= {
            "token": token,
            "header": f"Bearer {token}",
            "token url-encoded": quote(token, safe=""),
            "token json": json.dumps(token)[1:-1],
        }
    if password := env.get("ELOQUA_PASSWORD"):
        userpass = f"{env['ELOQUA_SITE']}\\{env['ELOQUA_USER']}:{password}"
        encoded = base64.b64encode(userpass.encode()).decode()
        forms |= {
            "password": password,
            "password json": json.dumps(password)[1:-1],
            "password url-encoded": quote(password, safe=""),
            "password form-encoded": quote_plus(password, safe=""),
            "Site\\User:password": userpass,
            "Site\\User:password json": json.dumps(userpass)[1:-1],
            "base64": encoded,
            "header": f"Basic {encoded}",
        }
    return forms


def basic_env(fake: FakeEloqua, password: str = PASSWORD) -> dict[str, str]:
    return {
        "ELOQUA_SITE": SITE,
        "ELOQUA_USER": USER,
        "ELOQUA_PASSWORD": password,
        "ELOQUA_LOGIN_URL": fake.url,
    }


def bearer_env(fake: FakeEloqua, token: str = TOKEN) -> dict[str, str]:
    return {"ELOQUA_TOKEN": token, "ELOQUA_LOGIN_URL": fake.url}


REJECTED_DOMAIN = "@reject.example"


def eloqua_rule(row: dict[str, str | None]) -> tuple[str, str, list[str]] | None:
    if (row.get("email") or "").endswith(REJECTED_DOMAIN):
        return ("ELQ-00002", "Invalid email address.", ["email"])
    return None


@pytest.fixture
def fake() -> Iterator[FakeEloqua]:
    server = FakeEloqua(
        {IMPORT_ID: definition(FIELDS)},
        site=SITE,
        user=USER,
        password=PASSWORD,
        token=TOKEN,
        reject_rule=eloqua_rule,
    )
    with server:
        yield server
    assert server.server_errors == []


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in ``tmp_path``, with temporary folders inside it too (they are searched)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    lines = ["activityId,email,type"]
    lines += [f"{i},user{i}@example.com,Registered" for i in range(1, 9)]
    lines[3] = f"3,user3{REJECTED_DOMAIN},Registered"  # valid here, rejected by the sync
    (tmp_path / "in.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def run_upload(env: dict[str, str], *extra: str) -> Result:
    """Run ``activity-schema upload in.csv`` with only ``env``'s Eloqua variables."""
    environment: dict[str, str | None] = dict.fromkeys(ENV_NAMES)
    environment.update(env)
    args = ["upload", "in.csv", "--import-id", str(IMPORT_ID), "--max-bytes", "300", *extra]
    seams = Seams(
        sleep=lambda _: None,
        transport=httpx.HTTPTransport(),
        progress=True,  # the retry and progress notes are printed, and searched
    )
    return CliRunner().invoke(main, args, env=environment, obj=seams, catch_exceptions=False)


def leaks(texts: dict[str, str], forms: dict[str, str]) -> list[str]:
    """Return ``where: form`` for every secret form found in ``texts``."""
    return [
        f"{where}: {name}"
        for where, text in texts.items()
        for name, form in forms.items()
        if form in text
    ]


def everything_written(
    folder: Path, results: list[Result], caplog: pytest.LogCaptureFixture
) -> dict[str, str]:
    """Return stdout, stderr, log records and every file under ``folder``, by origin."""
    texts: dict[str, str] = {}
    for number, result in enumerate(results, start=1):
        texts[f"run {number} stdout"] = result.stdout
        texts[f"run {number} stderr"] = result.stderr
    texts["log"] = "\n".join(f"{record.name}: {record.getMessage()}" for record in caplog.records)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            texts[str(path.relative_to(folder))] = path.read_bytes().decode("utf-8", "replace")
    return texts


# --- the scenarios: every fault of the fake, on every endpoint upload calls --------------


@dataclass(frozen=True)
class Scenario:
    """Faults queued before each run of ``upload`` (one run per list), and its flags."""

    name: str
    runs: tuple[tuple[dict[str, Any], ...], ...]
    flags: tuple[str, ...] = ("-o", "out", "--wait")
    resume_flags: tuple[str, ...] = ("--resume", "--clear-staged")
    wrong_secret: bool = False


def echo(status: int, method: str, path: str, kind: str = "echo", **more: Any) -> dict[str, Any]:
    return {"kind": kind, "status": status, "method": method, "path": path, **more}


DATA, DEFN, SYNCS = "/data", f"/activities/imports/{IMPORT_ID}", "/syncs"
SCENARIOS = [
    Scenario("clean run", ((),)),
    Scenario("wrong secret: 'Not authenticated.' at discovery", ((),), wrong_secret=True),
    Scenario("echo 401 at discovery", ((echo(401, "GET", "/id"),),)),
    Scenario("echo 200 without urls.base at discovery", ((echo(200, "GET", "/id"),),)),
    Scenario("echo HTML 200 at discovery", ((echo(200, "GET", "/id", "echo_html"),),)),
    Scenario("echo 403 on the definition", ((echo(403, "GET", DEFN),),)),
    Scenario("echo HTML 200 on the definition", ((echo(200, "GET", DEFN, "echo_html"),),)),
    Scenario("echo 400 failures on a data POST", ((echo(400, "POST", DATA, skip=1),),)),
    Scenario("echo 404 on a data POST", ((echo(404, "POST", DATA),),)),
    Scenario("echo 413 on a data POST", ((echo(413, "POST", DATA, skip=1),),)),
    Scenario("echo 418 on a data POST", ((echo(418, "POST", DATA, skip=1),),)),
    Scenario("echo HTML 502 on a data POST", ((echo(502, "POST", DATA, "echo_html"),),)),
    Scenario("echo 409 on sync creation", ((echo(409, "POST", SYNCS),),)),
    Scenario("echo 500 until the retries run out", ((echo(500, "GET", DEFN, times=99),),)),
    Scenario("echo 400 on a sync's status", ((echo(400, "GET", "/syncs/1"),),)),
    Scenario("echo 400 on the rejects", ((echo(400, "GET", "/rejects"),),)),
    Scenario("echo HTML 200 on the rejects", ((echo(200, "GET", "/rejects", "echo_html"),),)),
    Scenario(
        "redirect to a URL quoting the header",
        (({"status": 302, "method": "GET", "path": DEFN, "headers": {"Location": "{auth-url}"}},),),
    ),
    Scenario(
        "503, 503, 429 retried",
        (
            (
                {"status": 503, "method": "GET", "path": DEFN, "times": 2},
                {"status": 429, "method": "POST", "path": DATA, "headers": {"Retry-After": "0"}},
            ),
        ),
    ),
    Scenario(
        "dropped data POST, then resume with an echo on the DELETE, then resume",
        (
            ({"kind": "drop", "method": "POST", "path": DATA, "skip": 1},),
            (echo(400, "DELETE", DATA),),
            (),
        ),
    ),
    Scenario(
        "staged then dropped, cut answer on sync creation, garbage on its status",
        (
            (
                {"kind": "drop", "method": "POST", "path": DATA, "after_processing": True},
                {"kind": "drop_mid_body", "method": "POST", "path": SYNCS},
                {"kind": "garbage", "status": 200, "method": "GET", "path": "/syncs/"},
            ),
            (),
        ),
    ),
    Scenario(
        "no -o: the kept temporary folder",
        ((echo(418, "POST", DATA, skip=1),),),
        flags=("--sync",),
        resume_flags=(),
    ),
]


@pytest.mark.parametrize("kind", ["basic", "bearer"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_no_secret_in_any_output_or_file(
    scenario: Scenario,
    kind: str,
    fake: FakeEloqua,
    workdir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx, httpcore and the client's own records
    if kind == "basic":
        env = basic_env(fake, WRONG_PASSWORD if scenario.wrong_secret else PASSWORD)
    else:
        env = bearer_env(fake, WRONG_TOKEN if scenario.wrong_secret else TOKEN)
    forms = secret_forms(env)
    header = forms["header"]
    results = []
    planned: list[int] = []
    for number, faults in enumerate(scenario.runs):
        for fault in faults:
            options = dict(fault)
            if options.get("headers", {}).get("Location") == "{auth-url}":
                location = f"https://evil.example/login?auth={quote(header)}&raw={header}"
                options["headers"] = {"Location": location}
            fake.fail(**options)
            planned.append(options.get("times", 1))
        flags = scenario.flags + (scenario.resume_flags if number else ())
        result = run_upload(env, *flags)
        assert result.exit_code in (0, 1, 2, 4), result.output
        assert "Traceback" not in result.output
        results.append(result)
    # Every fault fired: each scenario went down the path it names.
    assert all(
        fault.times < fault_times for fault, fault_times in zip(fake.faults, planned, strict=True)
    )
    texts = everything_written(workdir, results, caplog)
    assert leaks(texts, forms) == []
    # The secret was on the wire: the search looked for something that was there to leak.
    sent = [r.headers.get("authorization") for r in fake.requests]
    assert header in sent


def test_the_search_finds_a_leak_when_redaction_is_off(
    fake: FakeEloqua,
    workdir: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control experiment: without the redactor, the echo leaks into output and state."""
    monkeypatch.setattr(Redactor, "__call__", lambda self, text: text)
    env = basic_env(fake)
    fake.fail(**echo(418, "POST", DATA, skip=1))
    result = run_upload(env, "-o", "out", "--wait")
    assert result.exit_code == 4
    found = leaks(everything_written(workdir, [result], caplog), secret_forms(env))
    assert "run 1 stderr: base64" in found
    assert f"out/{STATE_NAME}: base64" in found


@pytest.mark.parametrize("kind", ["basic", "bearer"])
def test_the_cli_and_the_state_writer_redact_even_when_the_source_does_not(
    kind: str,
    fake: FakeEloqua,
    workdir: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Defence in depth: a body quoted unredacted still never shows a whole secret.

    (Only a whole one: the cut to 200 characters can leave the head of a secret, which no
    later pass recognises. That is why the body is redacted at the source, before the cut.)
    """
    monkeypatch.setattr(responses, "redactor_of", lambda response: Redactor())
    env = basic_env(fake) if kind == "basic" else bearer_env(fake)
    fake.fail(**echo(418, "POST", DATA, skip=1))
    result = run_upload(env, "-o", "out", "--wait")
    assert result.exit_code == 4
    scheme = "Basic" if kind == "basic" else "Bearer"
    masked = f'418: {{"failures": [{{"field": "Authorization", "value": "{scheme} {MASK}"'
    assert masked in result.stderr  # by the CLI's redactor
    state = json.loads((workdir / "out" / STATE_NAME).read_text(encoding="utf-8"))
    stored = next(p["error"] for p in state["parts"] if p["error"])
    assert re.search(rf'"Authorization", "value": "({scheme} )?\*\*\*"', stored)  # the state's
    assert leaks(everything_written(workdir, [result], caplog), secret_forms(env)) == []


def test_the_echo_fault_sends_the_header_back(fake: FakeEloqua) -> None:
    fake.fail(**echo(400, "GET", DEFN))
    fake.fail(**echo(502, "GET", DEFN, "echo_html"))
    header = fake.credentials.authorization_header()
    with httpx.Client() as http:
        for _ in range(2):
            answer = http.get(fake.url + "/api/bulk/2.0" + DEFN, headers={"Authorization": header})
            assert header in answer.text[:200]  # within what an error message quotes


# --- credentials are checked before use ---------------------------------------------------


SECRET_CORE = "Zq9S3cretZq9"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"ELOQUA_TOKEN": f"{SECRET_CORE}\r"},
            "ELOQUA_TOKEN contains a control character (CR) at position 13",
        ),
        (
            {"ELOQUA_TOKEN": f"{SECRET_CORE}\n"},
            "ELOQUA_TOKEN contains a control character (LF) at position 13",
        ),
        (
            {"ELOQUA_TOKEN": f"{SECRET_CORE}\tx"},
            "ELOQUA_TOKEN contains a control character (TAB) at position 13",
        ),
        ({"ELOQUA_TOKEN": f"{SECRET_CORE}\x00"}, "ELOQUA_TOKEN contains a control character (NUL)"),
        (
            {"ELOQUA_TOKEN": f"Zq9é{SECRET_CORE}"},
            "ELOQUA_TOKEN contains a non-ASCII character at position 4",
        ),
        ({"ELOQUA_TOKEN": f"{SECRET_CORE} x"}, "ELOQUA_TOKEN contains a space at position 13"),
        (
            {"ELOQUA_TOKEN": f"\ufeff{SECRET_CORE}"},
            "(U+FEFF ZERO WIDTH NO-BREAK SPACE) at position 1",
        ),
        ({"ELOQUA_TOKEN": f"Zq9\u200b{SECRET_CORE}"}, "(U+200B ZERO WIDTH SPACE) at position 4"),
        (
            {"ELOQUA_TOKEN": f"{SECRET_CORE}\udcff"},
            "ELOQUA_TOKEN contains bytes that are not UTF-8",
        ),
        (
            {"ELOQUA_SITE": "Site", "ELOQUA_USER": "User", "ELOQUA_PASSWORD": f"{SECRET_CORE}\r"},
            "ELOQUA_PASSWORD contains a control character (CR) at position 13",
        ),
        (
            {
                "ELOQUA_SITE": "Site",
                "ELOQUA_USER": "User",
                "ELOQUA_PASSWORD": f"Zq9\u00a0{SECRET_CORE}",
            },
            "ELOQUA_PASSWORD contains an invisible or unusual character (U+00A0 NO-BREAK SPACE)",
        ),
        (
            {"ELOQUA_SITE": "Site", "ELOQUA_USER": "Us:er", "ELOQUA_PASSWORD": SECRET_CORE},
            "ELOQUA_USER contains ':' at position 3",
        ),
        (
            {"ELOQUA_SITE": "Site ", "ELOQUA_USER": "User", "ELOQUA_PASSWORD": SECRET_CORE},
            "ELOQUA_SITE ends with a space",
        ),
        (
            {"ELOQUA_SITE": "Si\\te", "ELOQUA_USER": "User", "ELOQUA_PASSWORD": SECRET_CORE},
            "ELOQUA_SITE must not contain a backslash",
        ),
    ],
)
def test_a_bad_credential_is_refused_naming_the_variable_never_the_value(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        Credentials.from_env(env)
    text = info.value.one_line()
    assert message in text
    assert "\n" not in text and info.value.exit_code == 2
    assert SECRET_CORE not in text


@pytest.mark.parametrize(
    "password", ["pässwörd-Ω", "  spaces at both ends  ", "colon:and\\backslash", "😀 emoji"]
)
def test_a_printable_password_is_used_exactly_as_given(password: str) -> None:
    with FakeEloqua({IMPORT_ID: definition(FIELDS)}, password=password) as fake:
        env = {"ELOQUA_SITE": fake.site, "ELOQUA_USER": fake.user, "ELOQUA_PASSWORD": password}
        credentials = Credentials.from_env(env)
        with EloquaClient(credentials, login_url=fake.url, transport=httpx.HTTPTransport()) as c:
            assert c.get_import_definition(IMPORT_ID)["fields"]  # UTF-8 Basic: accepted


@pytest.mark.parametrize(
    ("value", "kind", "problem"),
    [
        ("tok\r", "token", "a control character (CR)"),
        ("Usér", "user", ""),
        ("Sité", "site", ""),
        ("p\u2028w", "password", "(U+2028 LINE SEPARATOR)"),
        ("p\x7fw", "password", "a control character (DEL)"),
        ("p\x85w", "password", "a control character (U+0085)"),
    ],
)
def test_check_credential_without_a_variable_describes_the_value(
    value: str, kind: str, problem: str
) -> None:
    if not problem:
        check_credential(value, kind)  # non-ASCII site and user names go as UTF-8
        return
    with pytest.raises(
        ConfigError, match=rf"^the (Eloqua )?{kind} contains .*{re.escape(problem)}"
    ):
        check_credential(value, kind)


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"ELOQUA_TOKEN": TOKEN + "\r"}, "ELOQUA_TOKEN"),
        ({"ELOQUA_TOKEN": "tok-Fake-S3crét"}, "ELOQUA_TOKEN"),
        (
            {"ELOQUA_SITE": SITE, "ELOQUA_USER": USER, "ELOQUA_PASSWORD": "pw-S3cret\r\n"},
            "ELOQUA_PASSWORD",
        ),
    ],
)
def test_upload_refuses_a_bad_credential_in_one_line_before_any_request(
    env: dict[str, str], name: str, fake: FakeEloqua, workdir: Path
) -> None:
    result = run_upload({**env, "ELOQUA_LOGIN_URL": fake.url}, "-o", "out")
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"activity-schema: error: {name} contains ")
    secret = env.get("ELOQUA_TOKEN") or env["ELOQUA_PASSWORD"]
    assert secret.strip() not in line
    assert fake.requests == []
    assert not (workdir / "out" / STATE_NAME).exists()


# --- the redactor -----------------------------------------------------------------------


def test_every_form_of_a_basic_secret_is_removed() -> None:
    env = {"ELOQUA_SITE": SITE, "ELOQUA_USER": USER, "ELOQUA_PASSWORD": PASSWORD}
    redact = Credentials.from_env(env).redactor()
    forms = secret_forms(env)
    for name, form in forms.items():
        cleaned = redact(f"before {form} after")
        assert cleaned.startswith("before ") and cleaned.endswith(" after"), name
        assert leaks({"text": cleaned}, forms) == [], name
    # Shapes a body takes: JSON (ASCII escapes), HTML, a query string, a repr.
    userpass = f"{SITE}\\{USER}:{PASSWORD}"
    for shaped in (json.dumps({"a": userpass}), repr(PASSWORD), quote_plus(PASSWORD)):
        assert PASSWORD not in redact(shaped) and MASK in redact(shaped)


def test_every_form_of_a_token_is_removed_and_a_header_is_read_back() -> None:
    redact = Redactor.for_header(f"Bearer {TOKEN}")
    assert redact(f"Authorization: Bearer {TOKEN}") == f"Authorization: {MASK}"
    encoded = quote(TOKEN, safe="")
    lower_hex = re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded)
    assert lower_hex != encoded
    assert redact(f"?t={encoded}&u={lower_hex}") == f"?t={MASK}&u={MASK}"
    basic = Credentials.basic(SITE, USER, PASSWORD).authorization_header()
    assert Redactor.for_header(basic)(f"pw={PASSWORD}") == f"pw={MASK}"


def test_a_body_is_redacted_before_it_is_cut() -> None:
    header = f"Bearer {TOKEN}"
    request = httpx.Request("GET", "https://example.com/x", headers={"Authorization": header})
    # The token straddles the 200-character cut: cutting first would leave its head.
    body = "x" * 190 + TOKEN + " tail"
    response = httpx.Response(418, text=body, request=request)
    quoted = body_excerpt(response)
    assert TOKEN[:10] not in quoted and quoted.endswith(MASK + " tail")


def test_a_redactor_shows_no_secret_in_its_repr() -> None:
    redact = Credentials.bearer(TOKEN).redactor()
    assert TOKEN not in repr(redact) and repr(redact).startswith("Redactor(")
    assert Redactor.of(None, "")("unchanged") == "unchanged"
    assert not Redactor.of() and redact


def test_an_httpx_error_quoting_the_header_is_redacted(fake: FakeEloqua) -> None:
    """A transport error's text goes through the client's redactor (illegal header here)."""
    credentials = Credentials.bearer(TOKEN)
    # Past the check, as if some future path built such a header: httpx quotes it whole.
    object.__setattr__(credentials, "token", f"{TOKEN}\r")
    client = EloquaClient(credentials, base_url=fake.url, transport=httpx.HTTPTransport())
    with client, pytest.raises(UploadError) as info:
        client.get_import_definition(IMPORT_ID)
    assert "Illegal header value" in str(info.value)
    assert TOKEN not in str(info.value) and MASK in str(info.value)


def test_the_state_writer_redacts_every_text_it_stores(tmp_path: Path) -> None:
    credentials = Credentials.basic(SITE, USER, PASSWORD)
    header = credentials.authorization_header()
    state = UploadState(tmp_path / STATE_NAME, IMPORT_ID)
    state.set_part(
        PartRecord(
            file="part-00001.json",
            sha256="0" * 64,
            rows=1,
            bytes=10,
            import_id=IMPORT_ID,
            status=PartStatus.FAILED,
            seq=1,
            error=f"Eloqua answered 418: echo {header} and {json.dumps(PASSWORD)}",
        )
    )
    state.save(redact=credentials.redactor())
    stored = (tmp_path / STATE_NAME).read_text(encoding="utf-8")
    env = {"ELOQUA_SITE": SITE, "ELOQUA_USER": USER, "ELOQUA_PASSWORD": PASSWORD}
    assert leaks({"state": stored}, secret_forms(env)) == []
    loaded = UploadState.load(tmp_path / STATE_NAME)
    assert loaded is not None
    assert loaded.parts["part-00001.json"].error == (
        f'Eloqua answered 418: echo Basic {MASK} and "{MASK}"'
    )


def test_http_log_records_are_redacted_while_a_client_lives(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("httpcore.http11")
    caplog.set_level(logging.DEBUG, logger=logger.name)
    before = len(logger.filters)
    with EloquaClient(Credentials.bearer(TOKEN), base_url="https://secure.p03.eloqua.com"):
        # What httpcore logs at DEBUG: the response headers, a proxy's echo included.
        echoed = [(b"Location", f"https://x/?auth=Bearer {TOKEN}".encode())]
        logger.debug("return_value=%r", echoed)
    assert TOKEN not in caplog.text and MASK in caplog.text
    assert len(logger.filters) == before  # close() took the filter off


def test_a_log_filter_goes_with_its_owner() -> None:
    class Owner:
        pass

    logger = logging.getLogger("httpx")
    before = len(logger.filters)
    owner = Owner()
    LogRedaction(Redactor.of(TOKEN), owner=owner)
    assert len(logger.filters) == before + 1
    del owner  # a client never closed
    gc.collect()
    assert len(logger.filters) == before
