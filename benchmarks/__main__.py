"""Benchmark activity-schema against plain polars on the same messy file, in one run.

Usage::

    python -m benchmarks --rows 1000000 --repeat 3

Every measurement is a separate process (so interpreter start-up and imports count for
everyone alike) and the commands alternate within each repetition, so that a noisy,
shared machine slows them all alike. It prints medians, rows per second, the ratios the
project's targets are written in, and each command's peak RSS (from ``wait4``) as a
multiple of the input file's size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BASELINE = (
    "import sys, polars as pl\n"
    "pl.read_csv(sys.argv[1], infer_schema=False, encoding={enc!r}).write_json(sys.argv[2])\n"
)


@dataclass
class Sample:
    """One timed command: its name, wall-clock seconds and peak RSS in bytes."""

    name: str
    seconds: float
    peak_rss: int


def _run(name: str, argv: list[str]) -> Sample:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # 1: rows rejected, which the file has on purpose
        raise SystemExit(f"{name} failed with exit code {proc.returncode}: {' '.join(argv)}")
    return Sample(name, seconds, usage.ru_maxrss * 1024)


#: The report formats ``--formats`` times against ``lint --format json`` (to stdout, as
#: the JSON report is).
REPORT_FORMATS = ("text", "github", "sarif", "gitlab", "junit", "html")


def _commands(
    path: str,
    variant: str,
    out: Path,
    *,
    stream: bool = False,
    frictionless: str | None = None,
    formats: bool = False,
) -> dict[str, list[str]]:
    py = sys.executable
    # polars reads UTF-8 (and lossy utf8) only; transcoding is part of the baseline's
    # job for the legacy variants, done the fastest way Python has.
    if variant == "utf8":
        baseline = [py, "-c", BASELINE.format(enc="utf8"), path, str(out / "baseline.json")]
    else:
        codec = "cp1252" if variant == "cp1252" else "utf-16"
        script = (
            "import sys, io, polars as pl\n"
            f"data = open(sys.argv[1], 'rb').read().decode({codec!r}).encode('utf-8')\n"
            "pl.read_csv(io.BytesIO(data), infer_schema=False).write_json(sys.argv[2])\n"
        )
        baseline = [py, "-c", script, path, str(out / "baseline.json")]
    cli = [py, "-m", "activity_schema"]
    commands = {
        "polars": baseline,
        "lint": [*cli, "lint", path, "--format", "json"],
        "convert": [*cli, "convert", path, "-o", str(out / "parts"), "--force", "--format", "json"],
    }
    if stream:
        # The batched convert (the default above 256 MB), forced on the same file.
        commands["convert-stream"] = [
            *cli,
            "convert",
            path,
            "-o",
            str(out / "parts-stream"),
            "--force",
            "--format",
            "json",
            "--stream",
        ]
    if formats and variant == "utf8":
        for name in REPORT_FORMATS:
            commands[f"lint-{name}"] = [*cli, "lint", path, "--format", name]
    if frictionless and variant == "utf8":
        # --trusted: frictionless refuses absolute paths ("not safe") without it.
        commands["frictionless"] = [frictionless, "validate", "--trusted", "--json", path]
    return commands


def _generate(rows: int, folder: Path) -> dict[str, str]:
    """Write the input variants from a child process; return {variant: path}.

    On Linux a child's peak RSS (``wait4``) starts from its parent's resident size at
    the fork, so the parent must stay small: generating a million rows with polars
    here would put a floor of several hundred megabytes under every measurement.
    """
    code = (
        "import json, sys\n"
        "from benchmarks.generate import write_variants\n"
        "print(json.dumps(write_variants(int(sys.argv[1]), sys.argv[2])))\n"
    )
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-c", code, str(rows), str(folder)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    paths: dict[str, str] = json.loads(proc.stdout)
    return paths


def _median(samples: list[Sample], name: str) -> tuple[float, int]:
    mine = [s for s in samples if s.name == name]
    return statistics.median(s.seconds for s in mine), max(s.peak_rss for s in mine)


def main(argv: list[str] | None = None) -> None:
    """Generate the inputs, time every command, and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--variants", default="utf8,cp1252,utf16")
    parser.add_argument("--workdir", default=None, help="Keep generated files here.")
    parser.add_argument(
        "--stream", action="store_true", help="Also time convert --stream (record batches)."
    )
    parser.add_argument(
        "--formats",
        action="store_true",
        help="Also time lint in every report format, as a ratio to --format json (utf8).",
    )
    parser.add_argument(
        "--frictionless",
        default=shutil.which("frictionless"),
        help="The frictionless executable to compare with (default: the one on PATH).",
    )
    args = parser.parse_args(argv)

    work = Path(args.workdir or tempfile.mkdtemp(prefix="activity-schema-bench-"))
    paths = _generate(args.rows, work)
    variants = [v for v in args.variants.split(",") if v in paths]
    print(
        f"# {args.rows:,} rows; {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; median of {args.repeat}"
    )
    print(
        "| input | size MB | polars s | lint s | convert s | lint/polars | convert/polars "
        "| lint rows/s | convert rows/s | peak RSS (x size) polars / lint / convert |"
    )
    print("|---" * 10 + "|")
    results: dict[str, dict[str, float]] = {}
    # Printed after the table, so that its rows stay one Markdown table.
    notes: list[str] = []
    for variant in variants:
        path = paths[variant]
        size = Path(path).stat().st_size
        out = work / f"out-{variant}"
        out.mkdir(exist_ok=True)
        commands = _commands(
            path,
            variant,
            out,
            stream=args.stream,
            frictionless=args.frictionless,
            formats=args.formats,
        )
        samples: list[Sample] = []
        for _ in range(args.repeat):
            for name, command in commands.items():
                samples.append(_run(name, command))
        base, base_rss = _median(samples, "polars")
        lint, lint_rss = _median(samples, "lint")
        conv, conv_rss = _median(samples, "convert")
        results[variant] = {"lint": lint, "convert": conv, "polars": base}
        print(
            f"| {variant} | {size / 1e6:.0f} | {base:.2f} | {lint:.2f} | {conv:.2f} | "
            f"{lint / base:.2f}x | {conv / base:.2f}x | {args.rows / lint:,.0f} | "
            f"{args.rows / conv:,.0f} | {base_rss / size:.1f} / {lint_rss / size:.1f} / "
            f"{conv_rss / size:.1f} |",
            flush=True,
        )
        if "convert-stream" in commands:
            streamed, streamed_rss = _median(samples, "convert-stream")
            notes.append(
                f"convert --stream ({variant}): {streamed:.2f} s, "
                f"{streamed / base:.2f}x polars, peak RSS {streamed_rss / size:.1f}x size"
            )
        shown = [name for name in REPORT_FORMATS if f"lint-{name}" in commands]
        if shown:
            ratios = ", ".join(
                f"{name} {_median(samples, f'lint-{name}')[0] / lint:.2f}x" for name in shown
            )
            notes.append(f"lint --format X / lint --format json ({variant}): {ratios}")
        if "frictionless" in commands:
            fric, fric_rss = _median(samples, "frictionless")
            notes.append(
                f"frictionless validate ({variant}): {fric:.2f} s, "
                f"{args.rows / fric:,.0f} rows/s, peak RSS {fric_rss / size:.1f}x size; "
                f"frictionless/convert = {fric / conv:.1f}x"
            )
    if "utf8" in results:
        for variant in ("cp1252", "utf16"):
            if variant in results:
                ratio = results[variant]["convert"] / results["utf8"]["convert"]
                notes.append(f"convert {variant} / convert utf8 = {ratio:.2f}x")
    if notes:
        print()
        print("\n".join(f"- {note}" for note in notes))
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
