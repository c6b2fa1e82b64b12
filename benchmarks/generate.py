"""Generate a realistic messy activity export for benchmarks (vectorized, seeded).

About 2% of rows carry a planted error; the rest mix date formats, header variants,
non-ASCII names, padded and upper-case emails, thousands separators in ids.
"""

from __future__ import annotations

import polars as pl

__all__ = ["HEADERS", "generate_frame", "write_variants"]

HEADERS = [
    "E-mail Address",
    "First Name",
    "Last Name",
    "Activity Type",
    "Asset Type",
    "Asset Name",
    "Campaign ID",
    "Activity Date",
    "activityId",
]

_FIRST = ["Zoë", "Sean", "José", "Ana", "Li", "Nikita", "Åsa", "Chloé", "Björn", "Mary"]
_LAST = [
    "Müller",
    "Butler",
    "García",
    "Sousa",
    "Wei",
    "Robertson",
    "Núñez",
    "Dubois",
    "Ek",
    "O'Neil",
]
# Addresses are ASCII, as nearly all real ones are.
_LOCAL = ["zoe", "sean", "jose", "ana", "li", "nikita", "asa", "chloe", "bjorn", "mary"]
_TYPES = ["Registered", "Attended", "Visited Booth"]
_ASSETS = ["Q4 Product Tour", "Spring Summit, Paris", "Booth Scans"]


def generate_frame(rows: int, *, seed: int = 7) -> pl.DataFrame:
    """Return ``rows`` messy activity records as text columns named like an export."""
    i = pl.int_range(0, rows, dtype=pl.Int64)
    h = (i * 2654435761 + seed) % 1_000_003  # cheap deterministic scramble
    first = pl.lit(pl.Series(_FIRST)).gather(h % len(_FIRST))
    last = pl.lit(pl.Series(_LAST)).gather((h // 7) % len(_LAST))
    local = pl.concat_str(
        pl.lit(pl.Series(_LOCAL)).gather(h % len(_LOCAL)), pl.lit("."), i.cast(pl.String)
    )
    email = (
        pl.when(h % 50 == 0)
        .then(pl.concat_str(local, pl.lit("@@example.com")))  # invalid (2%)
        .when(h % 10 == 1)
        .then(pl.concat_str(pl.lit("  "), local, pl.lit("@EXAMPLE.COM ")))
        .otherwise(pl.concat_str(local, pl.lit("@example.com")))
    )
    month = (h % 12) + 1
    day = (h % 28) + 1
    date = (
        pl.when(h % 3 == 0)
        .then(
            pl.format(
                "2024-{}-{}T{}:05:00Z",
                month.cast(pl.String).str.zfill(2),
                day.cast(pl.String).str.zfill(2),
                (h % 24).cast(pl.String).str.zfill(2),
            )
        )
        .when(h % 3 == 1)
        .then(pl.format("{}/{}/2024 {}:30 PM", month, day, (h % 12) + 1))
        .otherwise(
            pl.format(
                "2024-{}-{} 10:00:00",
                month.cast(pl.String).str.zfill(2),
                day.cast(pl.String).str.zfill(2),
            )
        )
    )
    campaign = pl.when(h % 5 == 0).then(pl.lit("1,024")).otherwise(pl.lit("1024"))
    activity = pl.when(h % 97 == 3).then(pl.lit("12abc")).otherwise((i + 100000).cast(pl.String))
    return pl.select(
        email.alias(HEADERS[0]),
        first.alias(HEADERS[1]),
        last.alias(HEADERS[2]),
        pl.lit(pl.Series(_TYPES)).gather(h % 3).alias(HEADERS[3]),
        pl.lit("Webinar").alias(HEADERS[4]),
        pl.lit(pl.Series(_ASSETS)).gather((h // 3) % 3).alias(HEADERS[5]),
        campaign.alias(HEADERS[6]),
        date.alias(HEADERS[7]),
        activity.alias(HEADERS[8]),
    )


def write_variants(rows: int, folder: str) -> dict[str, str]:
    """Write the UTF-8, cp1252 and UTF-16 variants; return {variant: path}."""
    from pathlib import Path

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    frame = generate_frame(rows)
    utf8 = out / f"activities-{rows}-utf8.csv"
    frame.write_csv(utf8)
    data = utf8.read_bytes()
    text = data.decode("utf-8")
    cp1252 = out / f"activities-{rows}-cp1252.csv"
    cp1252.write_bytes(text.encode("cp1252"))
    utf16 = out / f"activities-{rows}-utf16.csv"
    utf16.write_bytes(text.encode("utf-16"))
    return {"utf8": str(utf8), "cp1252": str(cp1252), "utf16": str(utf16)}
