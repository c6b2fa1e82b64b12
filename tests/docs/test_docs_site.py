"""The documentation site builds, strictly and offline, with every generated page.

``mkdocs build --strict`` runs once (in a subprocess, into a temporary folder) with the
network closed: any attempt to open a connection or resolve a name is recorded and
refused, so a plugin that fetches something fails here, not on a user's machine. Strict
mode turns every warning (a broken link or anchor, a page missing from the navigation, a
docstring mkdocstrings cannot read) into a failure. Then the built pages are checked: one
page per issue code at the address ``code_url`` gives, the commands' reference generated
from the CLI lists every option, and the API reference has every public name.
"""

from __future__ import annotations

import html
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from docs_markdown import ROOT

import activity_schema
from activity_schema.cli import main
from activity_schema.issues.codes import CODE_INFO, DOCS_URL, IssueCode, code_url

pytestmark = pytest.mark.slow  # one mkdocs build in a subprocess

#: Run mkdocs with the network closed; what was attempted is written to argv[1].
_OFFLINE_MKDOCS = """
import socket, sys
log = open(sys.argv.pop(1), "a", encoding="utf-8")
def refuse(*args, **kwargs):
    log.write(repr(args[:2]) + "\\n")
    log.flush()
    raise OSError("the docs build must not use the network")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.getaddrinfo = refuse
socket.create_connection = refuse
from mkdocs.__main__ import cli
sys.exit(cli())
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the site once for this module and return its folder."""
    out = tmp_path_factory.mktemp("site")
    attempts = out.parent / "network-attempts.log"
    command = [sys.executable, "-c", _OFFLINE_MKDOCS, str(attempts), "build", "--strict"]
    command += ["--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(out)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not attempts.exists() or not attempts.read_text(), attempts.read_text()
    return out


def _page(site: Path, address: str) -> str:
    return (site / address / "index.html").read_text(encoding="utf-8")


def test_site_url_is_where_code_url_points() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_url"] == DOCS_URL


@pytest.mark.parametrize("code", list(IssueCode), ids=str)
def test_every_issue_code_has_its_page(site: Path, code: IssueCode) -> None:
    address = code_url(code).removeprefix(DOCS_URL)
    assert address == f"codes/{code}/"
    page = _page(site, address)
    info = CODE_INFO[code]
    for text in (str(code), info.summary, info.why, info.fix):
        assert html.escape(text, quote=False) in page, f"codes/{code}/ lacks {text!r}"


def test_the_codes_index_links_every_page(site: Path) -> None:
    index = _page(site, "codes")
    for code in IssueCode:
        assert f'href="{code}/"' in index, code


def test_the_generated_reference_lists_every_command_and_option(site: Path) -> None:
    page = _page(site, "commands")
    for name, command in main.commands.items():
        assert f"activity-schema {name}" in page, name
        for param in command.params:
            for opt in param.opts if param.param_type_name == "option" else []:
                assert opt in page, f"the commands reference lacks {name} {opt}"


def test_the_api_reference_has_every_public_name(site: Path) -> None:
    page = _page(site, "python-api")
    for name in activity_schema.__all__:
        if not name.startswith("__"):
            assert f'id="activity_schema.{name}"' in page, name


def test_the_json_schemas_are_published_at_their_id(site: Path) -> None:
    from activity_schema import schemas

    listed = (ROOT / "docs" / "schemas.md").read_text(encoding="utf-8")
    for name in schemas.SCHEMA_NAMES:
        filename = schemas.schema_filename(name)
        shipped = ROOT / "activity_schema" / "schemas" / filename
        published = site / "schemas" / filename
        assert published.read_bytes() == shipped.read_bytes(), filename
        assert schemas.load(name)["$id"] == f"{DOCS_URL}schemas/{filename}"
        assert f"[`{filename}`](schemas/{filename})" in listed, f"docs/schemas.md: {filename}"
