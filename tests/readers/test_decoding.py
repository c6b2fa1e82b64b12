"""Tests for readers.encoding and readers.encoding_guess: the order, the evidence, bad bytes."""

from __future__ import annotations

import codecs
import tempfile
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from activity_schema.errors import InputError, UsageError
from activity_schema.readers import encoding_blocks, encoding_guess
from activity_schema.readers.encoding import decode, is_utf8
from activity_schema.readers.encoding_blocks import choose_encoding
from activity_schema.readers.encoding_guess import (
    Doubt,
    describe_doubt,
    detect_legacy,
    detector_sample,
)
from activity_schema.readers.sniff import sniff_binary

DATA = Path(__file__).parents[1] / "data"


def never_called(raw: bytes) -> tuple[str, float, str]:
    """A detector for inputs whose encoding must be settled before any guessing."""
    raise AssertionError("the legacy detector must not run for this input")


# (golden file, encoding, BOM, words of the reason, the codec that wrote the file)
GOLDEN = [
    ("utf8.csv", "utf-8", False, "strict UTF-8", "utf-8"),
    ("utf8_bom.csv", "utf-8", True, "UTF-8 byte-order mark", "utf-8-sig"),
    ("utf16le_bom.tsv", "utf-16-le", True, "UTF-16LE byte-order mark", "utf-16"),
    ("utf16be_bom.csv", "utf-16-be", True, "UTF-16BE byte-order mark", "utf-16"),
    ("utf16le_nobom.csv", "utf-16-le", False, "every other byte is NUL", "utf-16-le"),
    ("utf32_bom.csv", "utf-32-le", True, "UTF-32LE byte-order mark", "utf-32"),
    ("cp1252.csv", "cp1252", False, "chardet", "cp1252"),
    ("cp1250.csv", "cp1250", False, "chardet", "cp1250"),
    ("cp1251.csv", "cp1251", False, "chardet", "cp1251"),
    ("shift_jis.csv", "cp932", False, "chardet", "shift_jis"),
    ("semicolon.csv", "utf-8", False, "pure ASCII", "ascii"),
]


@pytest.mark.parametrize(("name", "encoding", "bom", "reason", "writer"), GOLDEN)
def test_golden_encodings(name: str, encoding: str, bom: bool, reason: str, writer: str) -> None:
    raw = (DATA / name).read_bytes()
    decoded = decode(raw, path=name)
    assert decoded.encoding == encoding
    assert decoded.bom is bom
    assert reason in decoded.reason
    assert decoded.data == raw.decode(writer).encode("utf-8")
    assert decoded.bad_bytes == ()
    assert "\ufffd" not in decoded.data.decode("utf-8")


@pytest.mark.parametrize(
    "name",
    ["utf8.csv", "utf8_bom.csv", "utf16le_bom.tsv", "utf16be_bom.csv", "utf16le_nobom.csv"],
)
def test_detector_never_runs_for_unicode_inputs(name: str) -> None:
    decode((DATA / name).read_bytes(), detector=never_called)


def test_detector_is_injected_and_its_evidence_kept() -> None:
    calls: list[bytes] = []

    def detector(raw: bytes) -> tuple[str, float, str]:
        calls.append(raw)
        return "cp1250", 0.9, "a test detector said so"

    raw = "Łódź,Plzeň\n".encode("cp1250")
    decoded = decode(raw, detector=detector)
    assert calls == [raw]
    assert (decoded.encoding, decoded.confidence) == ("cp1250", 0.9)
    assert decoded.reason == "a test detector said so"
    assert decoded.data.decode() == "Łódź,Plzeň\n"


@pytest.mark.parametrize(
    ("text", "codec", "expected"),
    [
        ("René Müller, Café Crème, 5 €, “quoted”\n" * 3, "cp1252", "cp1252"),
        ("株式会社サンプル,東京商事,大阪物産\n" * 3, "shift_jis", "cp932"),
        ("Name,City\nZoë Müller,Köln\n", "cp1252", "cp1252"),
        # cp1252 would turn these letters into symbols (Ma³gorzata): cp1250 stays.
        ("Name,City\nMałgorzata Wąs,Łódź\nAgnieszka,Kraków\n", "cp1250", "cp1250"),
    ],
)
def test_detect_legacy_prefers_windows_supersets(text: str, codec: str, expected: str) -> None:
    assert detect_legacy(text.encode(codec))[0] == expected


def test_invalid_utf8_bytes_are_recorded_not_replaced_nor_reguessed() -> None:
    raw = (DATA / "utf8_invalid_bytes.csv").read_bytes()
    decoded = decode(raw, detector=never_called)  # never re-guessed as MacRoman or else
    assert decoded.encoding == "utf-8"
    assert "2 undecodable" in decoded.reason
    assert [(b.line, b.offset, b.raw) for b in decoded.bad_bytes] == [
        (3, raw.index(b"\xeb"), b"\xeb"),
        (5, raw.index(b"\xf6"), b"\xf6"),
    ]
    text = decoded.data.decode("utf-8")
    assert "Zo\\xeb" in text
    assert "Bj\\xf6rn" in text
    assert "\ufffd" not in text
    assert "René" in text


def test_bad_byte_offsets_count_the_bom() -> None:
    raw = codecs.BOM_UTF8 + "a,b\nZoë,x\xff\n".encode("utf-8", errors="surrogateescape")
    raw = raw.replace("x\xff".encode(), b"x\xff")
    decoded = decode(raw)
    assert [(b.line, b.offset) for b in decoded.bad_bytes] == [(2, raw.index(b"\xff"))]


def test_bad_utf16_code_unit_has_its_line() -> None:
    raw = codecs.BOM_UTF16_LE + "a,b\nZoë,x\n".encode("utf-16-le") + b"\x00\xd8" + b"\n\x00"
    decoded = decode(raw)
    assert decoded.encoding == "utf-16-le"
    assert [(b.line, b.offset, b.raw) for b in decoded.bad_bytes] == [
        (3, len(raw) - 4, b"\x00\xd8")
    ]


def test_late_non_ascii_utf8_is_found_by_a_whole_file_decode(late_utf8_file: Path) -> None:
    raw = late_utf8_file.read_bytes()
    assert raw.index("ë".encode()) > 300 * 1024
    decoded = decode(raw, detector=never_called)
    assert decoded.encoding == "utf-8"
    assert decoded.data.decode("utf-8").endswith("Zoë Ñandú,Attended\n")


def test_late_non_ascii_cp1252_is_judged_on_the_late_lines(
    late_bytes: Callable[[str, str], bytes],
) -> None:
    seen: list[bytes] = []

    def detector(raw: bytes) -> tuple[str, float, str]:
        seen.append(raw)
        return detect_legacy(raw)

    raw = late_bytes("francois@example.fr,François Lefèvre,“Très bien” – 10 €", "cp1252")
    assert decode(raw, detector=detector).encoding == "cp1252"


def test_late_single_accented_cp1252_line(late_bytes: Callable[[str, str], bytes]) -> None:
    raw = late_bytes("zoe@example.com,Zoë Ñandú,Attended", "cp1252")
    assert decode(raw).encoding == "cp1252"


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        # Short Latin samples that chardet ranks first as Greek (cp1253) or Arabic (cp1256).
        ("Café Crème\n", "cp1252"),
        ("z@b.co,Zoë Ñandú\n", "cp1252"),
        ("René Müller, Café Crème, 5 €, “quoted”\n" * 3, "cp1252"),
        # Scripts that write whole words in high bytes keep their code page.
        ("ivan@example.ru;Иван;Петров;Москва\n", "cp1251"),
        ("Αθήνα, Θεσσαλονίκη\n", "cp1253"),
        ("שלום עולם\n", "cp1255"),
        ("مرحبا بالعالم\n", "cp1256"),
    ],
)
def test_weak_non_latin_guess_yields_to_cp1252_only_for_latin_text(text: str, codec: str) -> None:
    decoded = decode(text.encode(codec))
    assert decoded.encoding == codec
    assert decoded.data.decode("utf-8") == text


@pytest.mark.parametrize(
    ("raw", "encoding", "expected", "bom", "text"),
    [
        ("Łódź\n".encode("cp1250"), "cp1250", "cp1250", False, "Łódź\n"),
        ("Łódź\n".encode("cp1250"), "WINDOWS-1250", "cp1250", False, "Łódź\n"),
        ("Zoë\n".encode("utf-8-sig"), "utf-8", "utf-8", True, "Zoë\n"),
        ("Zoë\n".encode("utf-16-le"), "utf-16", "utf-16-le", False, "Zoë\n"),
        ("Zoë\n".encode("utf-16-be"), "utf-16", "utf-16-be", False, "Zoë\n"),
        (codecs.BOM_UTF16_BE + "Zoë\n".encode("utf-16-be"), "utf-16", "utf-16-be", True, "Zoë\n"),
        ("Zoë\n".encode("latin-1"), "latin-1", "iso8859-1", False, "Zoë\n"),
    ],
)
def test_explicit_encoding(raw: bytes, encoding: str, expected: str, bom: bool, text: str) -> None:
    decoded = decode(raw, encoding=encoding, detector=never_called)
    assert (decoded.encoding, decoded.bom) == (expected, bom)
    assert decoded.reason == f"given with --encoding {encoding}"
    assert decoded.data.decode("utf-8") == text


@pytest.mark.parametrize("name", ["no-such-codec", "utf-9", "hex", "base64", "rot13", "idna"])
def test_bad_codec_name_is_a_usage_error(name: str) -> None:
    with pytest.raises(UsageError) as info:
        decode(b"a,b\n", encoding=name)
    assert info.value.exit_code == 2
    assert repr(name) in str(info.value)


@pytest.mark.parametrize(
    ("raw", "codec"),
    [
        (codecs.BOM_UTF16_LE + "email,type\n".encode("utf-16-le") + b"x", "UTF-16-LE"),
        (codecs.BOM_UTF16_BE + "email,type\n".encode("utf-16-be")[:-1], "UTF-16-BE"),
        ("email,type\n".encode("utf-16-le") + b"e", "UTF-16-LE"),
        (codecs.BOM_UTF32_LE + "email,type\n".encode("utf-32-le")[:-2], "UTF-32-LE"),
    ],
)
def test_truncated_wide_encodings_are_refused(raw: bytes, codec: str) -> None:
    with pytest.raises(InputError) as info:
        decode(raw, path="export.csv")
    err = info.value
    assert err.exit_code == 3
    assert err.path == "export.csv"
    assert err.offset is not None
    assert codec in str(err)
    assert "truncated" in str(err)


def test_nul_bytes_are_removed_and_counted() -> None:
    decoded = decode(b"email,type\na@b.co\x00,x\nc@d.co,y\x00\x00\n")
    assert decoded.data == b"email,type\na@b.co,x\nc@d.co,y\n"
    assert decoded.nul_count == 3
    assert decoded.nul_lines == (2, 3, 3)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400).filter(lambda raw: b"\xef\xbf\xbd" not in raw))
def test_no_replacement_character_ever(raw: bytes) -> None:
    try:
        decoded = decode(raw)
    except InputError:
        return
    assert "\ufffd" not in decoded.data.decode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"])))
def test_utf8_text_round_trips(text: str) -> None:
    decoded = decode(text.encode("utf-8"), detector=never_called)
    assert decoded.encoding == "utf-8"
    assert decoded.data.decode("utf-8") == text.removeprefix("\ufeff")


_PIECES = [
    b"a",
    b"\xc3\xa9",
    b"\xe2\x82\xac",
    b"\xf0\x9f\x98\x80",
    b"\x80",
    b"\xc3",
    b"\xed\xa0\x80",
]


@settings(max_examples=400, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=40),
        st.text(max_size=20).map(lambda t: t.encode("utf-8", errors="surrogatepass")),
        st.lists(st.sampled_from(_PIECES), max_size=20).map(b"".join),
    ),
    chunk=st.integers(min_value=1, max_value=9),
)
def test_is_utf8_in_pieces_agrees_with_a_whole_decode(data: bytes, chunk: int) -> None:
    try:
        data.decode("utf-8")
        expected = True
    except UnicodeDecodeError:
        expected = False
    assert is_utf8(data, chunk_bytes=chunk) is expected


@settings(max_examples=200, deadline=None)
@given(
    data=st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30).map(b"".join),
    block=st.integers(min_value=1, max_value=12),
    piece=st.integers(min_value=1, max_value=7),
)
@example(data="aé€😀".encode() * 3, block=7, piece=2)  # characters cut by pieces and blocks
@example(data=b"ab\xc3\xa9\xc3", block=8, piece=3)  # a character cut off by the end
def test_streamed_utf8_check_agrees_with_a_whole_decode(
    data: bytes, block: int, piece: int
) -> None:
    # A streamed run's encoding pass reads blocks and decodes each in small pieces
    # (UTF8_CHECK_BYTES): a character cut between pieces or blocks is still one character.
    try:
        data.decode("utf-8")
        expected = True
    except UnicodeDecodeError:
        expected = False
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.csv"
        path.write_bytes(b"email\n" + data)
        with mock.patch.object(encoding_blocks, "UTF8_CHECK_BYTES", piece):
            choice = choose_encoding(
                path, name="in.csv", detector=lambda raw: ("cp1252", 0.9, "test"), block_bytes=block
            )
    assert (choice.kind == "utf8") is expected


# --- Legacy 8-bit encodings: the ISO sets are not the Windows code pages ---------------


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Gęślą jaźń, Wiśniewska, Źródło\n", "iso8859-2"),  # not cp1250: gę¶l± ja¼ń
        ("Александр Иванов, Москва, Екатерина Смирнова\n", "iso8859-5"),  # not cp1251
        ("Offre spéciale : 20 € de remise, Cœur, Œuvres\n", "iso8859-15"),  # not ¤ and ½
        ("Άννα Παπαδοπούλου, Όμιλος Αθηνών, Έβρος\n", "iso8859-7"),  # not ¶ννα
        ("Şükrü Yılmaz, Gülşen Çelik, İstanbul\n", "cp1254"),  # not Þükrü
        ("Győző Kovács, Tűzoltó Szerviz, Lőrinc\n", "cp1250"),  # not Gyõzõ
        ("Žydrūnas Savickas, Ūkininkų Sąjunga, Jūratė\n", "cp1257"),
        ("Александр Иванов;Москва;Екатерина\n", "cp866"),
        ("Александр Иванов;Москва;Екатерина\n", "mac-cyrillic"),
        ("François Lefèvre, Crème brûlée, Zoë Müller, Œuvres\n", "mac-roman"),
    ],
)
def test_legacy_code_pages_are_read_as_written(text: str, codec: str) -> None:
    decoded = decode(text.encode(codec))
    assert decoded.data.decode("utf-8") == text
    assert decoded.doubt is None


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        # Other code pages read the guillemets or the euro sign as letters (ĞCrecimiento,
        # "49 ğ"): a letter glued to a capital, or alone, is not a word.
        ("María,Peña,Construcciones Ibáñez,Conferencia «Crecimiento de ventas»\n", "cp1252"),
        ("Jürgen,Müller,Bäckerei Größe GmbH,Kundenbeziehungen für 49 €\n", "mac-roman"),
        # cp1252 reads ő as õ, as plausible a letter: chardet's answer, said to be doubtful.
        ("Lőrinc,Tóth,Székesfehérvári Gyár,Konferencia Győrben\n", "cp1250"),
    ],
)
def test_short_samples_are_read_right(text: str, codec: str) -> None:
    decoded = decode(text.encode(codec))
    assert decoded.data.decode("utf-8") == text


def test_iso_8859_9_is_read_by_its_windows_superset() -> None:
    # cp1254 reads every ISO-8859-9 letter alike: the superset is a safe name for it.
    text = "Şükrü Yılmaz, Gülşen Çelik, İstanbul\n"
    decoded = decode(text.encode("iso8859-9"))
    assert (decoded.encoding, decoded.data.decode("utf-8")) == ("cp1254", text)


def test_western_names_in_cp1252_are_not_doubted() -> None:
    # Åsa and Núñez read as letters in other Latin code pages too (Ċsa, Nśńez): chardet's
    # near tie between them is not a doubt when cp1252 reads every value as Western text.
    names = ["Zoë", "José", "Åsa", "Chloé", "Björn Müller", "García", "Núñez"]
    text = "email,Name\n" + "".join(f"p{i}@example.com,{n}\n" for i, n in enumerate(names))
    decoded = decode(text.encode("cp1252"))
    assert (decoded.encoding, decoded.doubt) == ("cp1252", None)
    assert decoded.data.decode("utf-8") == text


def test_a_reading_of_symbols_loses_to_a_reading_of_letters() -> None:
    guess = detect_legacy("x\nCœur, Œuvres, 20 €\n".encode("iso8859-15"))
    assert (guess.codec, guess.doubt) == ("iso8859-15", None)
    assert "cp1252" in guess.evidence  # it reads C½ur, ¼uvres, ¤: less plausibly


def test_equally_plausible_readings_are_a_doubt() -> None:
    guess = detect_legacy("Name\nGyőri\n".encode("cp1250"))
    assert guess.doubt is not None
    assert {"cp1250", "cp1252"} <= set(guess.doubt.candidates)
    readings = dict(zip(guess.doubt.candidates, guess.doubt.values[0], strict=True))
    assert (readings["cp1250"], readings["cp1252"]) == ("Győri", "Gyõri")
    assert (guess.doubt.differing, guess.doubt.values_seen) == (1, 1)


def test_a_lone_byte_is_never_silently_read_as_another_script() -> None:
    # "€ 20" in ISO-8859-15: chardet ranks DOS Greek first ("ν 20").
    decoded = decode("Price\n€ 20\n".encode("iso8859-15"))
    assert decoded.doubt is not None


def test_doubt_message_quotes_both_readings_and_escapes_controls() -> None:
    doubt = Doubt(("cp1252", "iso8859-1"), (("a…b", "a\x85b"),), 1, 3)
    message, fix = describe_doubt("cp1252", doubt)
    assert message == (
        "encoding guessed as cp1252, but iso8859-1 is as plausible and reads 1 of 3 "
        'non-ASCII values differently: "a…b" (cp1252) / "a\\x85b" (iso8859-1)'
    )
    assert fix == (
        "check these values, then pass --encoding cp1252 to confirm, or --encoding iso8859-1"
    )


def test_detector_sample_holds_every_byte_value_of_the_file() -> None:
    lines = [f"p{i}@example.com,Zoë\n".encode("cp1252") for i in range(20_000)]
    raw = b"".join(lines) + "late@example.com,Œuvre €\n".encode("iso8859-15")
    sample = detector_sample(raw)
    assert len(sample) < len(raw)
    assert set(sample) >= {b for b in raw if b >= 0x80}


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(
        st.lists(st.sampled_from([b"a", b",", b"\xe9", b"\x80", b"z"]), max_size=12).map(b"".join),
        min_size=1,
        max_size=40,
    ),
    end=st.sampled_from([b"\n", b""]),
    budget=st.integers(1, 60),
    first=st.integers(1, 50),
)
def test_the_sample_lines_are_found_on_a_start_of_the_file_as_on_all_of_it(
    lines: list[bytes], end: bytes, budget: int, first: int
) -> None:
    # The sample's lines are looked for on a growing start of the file (a big file's
    # first megabytes usually fill the budget); they must be those the whole file gives:
    # the first lines with a high byte, as many as fit the budget (at least one, cut).
    import numpy as np

    raw = b"\n".join(lines) + end
    buf = np.frombuffer(raw, dtype=np.uint8)
    high = np.flatnonzero(buf >= 0x80)
    if not high.size:
        return
    with_high = [line + b"\n" for line in raw.split(b"\n") if any(b >= 0x80 for b in line)]
    if not raw.endswith(b"\n") and with_high and raw.rsplit(b"\n", 1)[-1] == with_high[-1][:-1]:
        with_high[-1] = with_high[-1][:-1]  # the last line has no line break
    expected, total = [], 0
    for line in with_high:
        if expected and total + len(line) > budget:
            break
        expected.append(line)
        total += len(line)
    want = b"".join(expected)[:budget]
    assert encoding_guess._non_ascii_lines(raw, budget, buf, high, first=first) == want
    assert encoding_guess._non_ascii_lines(raw, budget, buf, high) == want


# --- Unicode signs that the legacy detector must not overrule --------------------------


def _cesu8(text: str) -> bytes:
    return (
        text.encode("utf-16-le", "surrogatepass")
        .decode("utf-16-le", "surrogatepass")
        .encode("utf-8", "surrogatepass")
    )


def test_cesu8_in_a_small_utf8_file_is_utf8_with_undecodable_bytes() -> None:
    emoji = "\ud83c\udf89"  # U+1F389 as a surrogate pair, as CESU-8 writes it
    raw = "a,b\nZoë,x\n".encode() + b"c," + emoji.encode("utf-8", "surrogatepass") + b"\n"
    decoded = decode(raw, detector=never_called)
    assert decoded.encoding == "utf-8"
    assert {b.line for b in decoded.bad_bytes} == {3}
    assert b"".join(b.raw for b in decoded.bad_bytes) == emoji.encode("utf-8", "surrogatepass")


def test_a_cp1252_file_is_not_taken_for_cesu8() -> None:
    raw = "email,Name\nmaria@example.es,María Núñez\n".encode("cp1252")
    assert decode(raw).encoding == "cp1252"


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Почта,Имя,Фамилия\na@b.ru,Александр,Иванов\nc@d.ru,Екатерина,Смирнова\n", "utf-16-le"),
        ("Όνομα,Επώνυμο\nΆννα,Παπαδοπούλου\nΓιώργος,Νικολάου\n", "utf-16-be"),
        ("メール,名,姓\nt@example.jp,太郎,山田\nh@example.jp,花子,佐藤\n", "utf-16-be"),
    ],
)
def test_utf16_without_bom_in_non_latin_scripts(text: str, codec: str) -> None:
    raw = text.encode(codec) * 20
    decoded = decode(raw, detector=never_called)
    assert decoded.encoding == codec
    assert decoded.data.decode("utf-8") == text * 20
    assert sniff_binary(raw, path="x.csv") is None


def test_legacy_text_is_not_taken_for_utf16() -> None:
    raw = "email,Name\nivan@example.ru,Иван Петров\n".encode("cp1251") * 50
    assert decode(raw).encoding == "cp1251"


def test_given_utf16_is_never_refused_as_binary() -> None:
    raw = bytes(range(1, 9)) * 600
    with pytest.raises(InputError, match="binary"):
        sniff_binary(raw, path="x.csv")
    assert sniff_binary(raw, path="x.csv", encoding="utf-16-le") is None
    assert sniff_binary(raw, path="x.csv", encoding="UTF-32") is None
