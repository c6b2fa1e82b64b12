"""The HTML report in a real browser: headless Chromium renders it, offline.

Each test runs ``chromium --headless`` on a report that ``lint --format html`` wrote,
with every request sent to a recording proxy on loopback: the DOM after the page's
script ran (``--dump-dom``) has the report's counts, the filters given in the address'
fragment apply, a screenshot is not blank, and the page asked the network for nothing.
A control page that does load an image proves the proxy sees what a page requests.

The tests skip when Chromium is not installed, unless ``ACTIVITY_SCHEMA_REQUIRE_BROWSER=1``
(CI's ``.ci/run`` installs it and sets it), where they fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socketserver
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from html_page import BAD, Node, parse_page

from activity_schema.cli import main

pytestmark = pytest.mark.slow  # a browser per test

REQUIRE_ENV = "ACTIVITY_SCHEMA_REQUIRE_BROWSER"
#: The flags of every run: headless, no sandbox (CI runs as root), no first-run work.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: Chromium's own services, which it calls at start-up whatever page it opens (seen with
#: Chromium 156 on Debian: the Optimization Guide's model manifest is installed "on
#: demand" despite --disable-component-update, and the sign-in service is looked up;
#: Chromium 150 on Debian 12 also opens a connection to www.google.com for a blank
#: page, with every flag that stops background networking given).
#: Only these hosts are not counted as the page's requests; the control page below
#: shows that anything a page asks for is seen.
BROWSER_OWN_HOSTS = frozenset(
    {"update.googleapis.com", "accounts.google.com", "clients2.google.com", "www.google.com"}
)
#: Timeout of one browser run (a guard against a hung browser, not a measurement).
RUN_TIMEOUT = 180


@pytest.fixture(scope="module")
def chromium() -> str:
    """Return the Chromium to run: skip without one, unless one is required."""
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


@dataclass
class Recorder:
    """What the recording proxy saw: one request line per request."""

    lines: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def page_requests(self) -> list[str]:
        """Return the requests that are not to Chromium's own services."""
        with self.lock:
            return [line for line in self.lines if _host(line) not in BROWSER_OWN_HOSTS]

    def clear(self) -> None:
        with self.lock:
            self.lines.clear()


def _host(request_line: str) -> str | None:
    method, _, rest = request_line.partition(" ")
    target = rest.split(" ", 1)[0]
    if method == "CONNECT":
        return target.rsplit(":", 1)[0]
    return urlsplit(target).hostname


@pytest.fixture(scope="module")
def proxy() -> Iterator[tuple[int, Recorder]]:
    """Run an HTTP proxy on loopback that records each request and answers 502."""
    recorder = Recorder()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            line = self.rfile.readline(65536).decode("latin-1").strip()
            if line:
                with recorder.lock:
                    recorder.lines.append(line)
            self.wfile.write(
                b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass(frozen=True)
class Browser:
    """Run headless Chromium through the recording proxy."""

    binary: str
    port: int
    recorder: Recorder
    folder: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        profile = self.folder / f"profile-{len(list(self.folder.glob('profile-*')))}"
        command = [
            self.binary,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--proxy-server=127.0.0.1:{self.port}",
            "--proxy-bypass-list=<-loopback>",  # loopback goes through the proxy too
            *args,
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done

    def dump_dom(self, url: str) -> Node:
        root, _ = parse_page(self.run("--dump-dom", url).stdout)
        return root


@pytest.fixture
def browser(chromium: str, proxy: tuple[int, Recorder], tmp_path: Path) -> Iterator[Browser]:
    port, recorder = proxy
    recorder.clear()
    yield Browser(chromium, port, recorder, tmp_path)


@dataclass(frozen=True)
class Written:
    """A report written by ``lint``: the page and the JSON report of the same run."""

    page: Path
    report: dict[str, Any]

    def url(self, fragment: str = "") -> str:
        return self.page.as_uri() + fragment


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Written:
    folder = tmp_path_factory.mktemp("browser")
    (folder / "in.csv").write_text(BAD, encoding="utf-8")
    runner = CliRunner()
    with contextlib.chdir(folder):  # no config file of the repository is found
        as_json = runner.invoke(main, ["lint", "in.csv", "--format", "json"])
        as_html = runner.invoke(main, ["lint", "in.csv", "--format", "html", "--report", "r.html"])
    assert as_json.exit_code == as_html.exit_code == 1, as_html.output
    return Written(folder / "r.html", json.loads(as_json.stdout))


def _listed(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [issue for issue in report["issues"] if issue["severity"] != "fixed"]


def _shown(root: Node) -> list[Node]:
    rows = root.by_id("problems-table").find_all("tbody")[0].find_all("tr")
    return [row for row in rows if "hidden" not in row.attrs]


def test_the_browser_shows_the_counts_after_the_script_ran(
    browser: Browser, written: Written
) -> None:
    root = browser.dump_dom(written.url())
    [html] = root.find_all("html")
    assert html.get("data-js") == "ready"  # the script ran (the policy let it)
    for key, value in written.report["summary"].items():
        assert root.find_all("div", data_total=key)[0].get("data-n") == str(value), key
    listed = _listed(written.report)
    assert len(_shown(root)) == len(listed)
    form = root.find_all("form", data_filter="problems-table")[0]
    assert "hidden" not in form.attrs  # the filters are shown once they work
    [output] = form.find_all("output")
    assert output.get("data-shown") == str(len(listed))
    assert output.text() == f"Showing {len(listed)} of {len(listed)} listed"
    headers = root.by_id("problems-table").find_all("th")
    assert all(th.find_all("button") for th in headers)  # sorting is wired
    assert browser.recorder.page_requests() == []


@pytest.mark.parametrize(
    ("fragment", "wanted"),
    [
        ("#severity=error&code=invalid-email", {"severity": "error", "code": "invalid-email"}),
        ("#severity=warning", {"severity": "warning"}),
        ("#q=ONMOUSEOVER", {"value": "onmouseover"}),
    ],
)
def test_the_fragment_filters_the_rows(
    browser: Browser, written: Written, fragment: str, wanted: dict[str, str]
) -> None:
    expected = [
        issue
        for issue in _listed(written.report)
        if all(
            wanted[key] in (issue[key] or "") if key == "value" else issue[key] == wanted[key]
            for key in wanted
        )
    ]
    assert expected  # the filter keeps some rows and hides others
    assert len(expected) < len(_listed(written.report))
    root = browser.dump_dom(written.url(fragment))
    shown = _shown(root)
    assert [(r.get("data-code"), r.find_all("td")[2].text()) for r in shown] == [
        (i["code"], f"{i['file']}:{i['line']}" if i["line"] else i["file"]) for i in expected
    ]
    [output] = root.find_all("form", data_filter="problems-table")[0].find_all("output")
    total = len(_listed(written.report))
    assert output.text() == f"Showing {len(expected)} of {total} listed"
    assert browser.recorder.page_requests() == []


def _png(data: bytes) -> tuple[int, int, list[bytes], int]:
    """Return the width, height, rows and bytes per pixel of an 8-bit RGB(A) PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    header = b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, interlace) == (8, 0) and colour in (2, 6)
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(b"".join(chunks)), width * bpp
    previous, rows = bytearray(stride), []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):  # undo the row's filter (PNG specification, section 9)
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, rows, bpp


def test_a_screenshot_of_the_report_is_not_blank(browser: Browser, written: Written) -> None:
    shot = browser.folder / "report.png"
    browser.run(
        "--window-size=1000,700", "--hide-scrollbars", f"--screenshot={shot}", written.url()
    )
    width, height, rows, bpp = _png(shot.read_bytes())
    assert (width, height) == (1000, 700)
    pixels = [row[x : x + 3] for row in rows for x in range(0, len(row), bpp)]
    background = max(set(pixels), key=pixels.count)
    drawn = sum(1 for p in pixels if p != background)
    assert drawn > len(pixels) // 50  # text, tables and the verdict, not an empty page
    assert len(set(pixels)) > 50  # anti-aliased text in several colours
    # The verdict's red border: the style sheet applied (its hash is in the policy).
    red = sum(1 for r, g, b in pixels if abs(r - 0xB4) < 8 and abs(g - 0x23) < 8 and b < 0x30)
    assert red > 100
    assert browser.recorder.page_requests() == []


def test_the_proxy_sees_what_a_page_requests(browser: Browser) -> None:
    # The control: were the report to load anything, the tests above would see it.
    page = browser.folder / "control.html"
    page.write_text(
        '<!DOCTYPE html><p>control</p><img src="http://example.test/pixel.png">',
        encoding="utf-8",
    )
    browser.dump_dom(page.as_uri())
    assert browser.recorder.page_requests() == ["GET http://example.test/pixel.png HTTP/1.1"]
