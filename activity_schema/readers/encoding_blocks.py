"""Decide a big file's encoding over the whole file, then decode it block by block.

The order is :func:`~activity_schema.readers.encoding.decode`'s, applied to a file read in
blocks: an explicit encoding; a byte-order mark; UTF-16 without a BOM (judged on the
first 4 KB, as ``decode`` does); a strict, incremental UTF-8 decode of *every* block;
then the detector, on the lines that hold non-ASCII bytes gathered from the whole file,
never from the first block alone (docs/eloqua.md section 7: detectors answer ``ascii`` when
the first 200 KB are ASCII).

The second pass cuts the file at line ends (in code units), so that every block decodes
on its own exactly as it would inside the whole file; undecodable bytes, NUL characters
and stray byte-order marks get the offsets and lines a whole-file decode gives them.
The helpers of :mod:`.encoding` and :mod:`.encoding_guess` are reused on purpose, so
that the two paths cannot drift apart.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np

from ..defaults import (
    CHARDET_SAMPLE_BYTES,
    MAX_REPORTED_BAD_BYTES,
    STREAM_BLOCK_BYTES,
    UTF8_CHECK_BYTES,
)
from ..errors import InputError
from ..threads import WorkBehind
from .encoding import (
    BOMS,
    MOJIBAKE_SAFE,
    BadByte,
    cesu8_sequences,
    decode_in_pieces,
    decode_recording,
    find_utf8_lines,
    finish_decoded,
    needs_cleaning,
    python_codec,
    utf8_with_errors,
    utf16_without_bom,
)
from .encoding_guess import Detector, Doubt, Guess, detect_legacy
from .files import open_regular_file
from .scan import NL, count_byte

__all__ = ["DecodedBlock", "EncodingChoice", "choose_encoding", "decode_blocks", "open_input"]

_ASCII = bytes(range(128))
_HEAD_BYTES = 8192

Kind = Literal["given", "bom", "utf16", "utf8", "utf8-with-errors", "detected"]


@dataclass(frozen=True)
class EncodingChoice:
    """The encoding of a whole file, decided before any record is read.

    Attributes:
        codec: The Python codec the file is decoded with.
        kind: Which rule chose it (the order of :func:`~activity_schema.readers.encoding.decode`).
        reason: Why, for humans (see :meth:`final_reason` for the counted forms).
        confidence: The detector's confidence, when a detector chose.
        bom: Whether the file starts with a byte-order mark.
        skip: Bytes of that mark, skipped before decoding.
        size: The file's size in bytes.
        sha256: Hex SHA-256 of the file's bytes (None when not asked for).
        strict_utf8: The bytes after the mark are valid UTF-8 (blocks need no decoding).
        valid_multibyte: Valid UTF-8 multi-byte sequences in the file (when counted).
        check_utf8_lines: Report lines that are all UTF-8 in a legacy-encoded file.
        doubt: Other encodings as plausible as the detected one (reported as a warning).
    """

    codec: str
    kind: Kind
    reason: str
    confidence: float | None
    bom: bool
    skip: int
    size: int
    sha256: str | None
    strict_utf8: bool = False
    valid_multibyte: int = 0
    check_utf8_lines: bool = False
    doubt: Doubt | None = None

    @property
    def unit(self) -> int:
        """Return the code unit's size in bytes (1, 2 or 4)."""
        return _unit(self.codec)

    def final_reason(self, failures: int, utf8_sequences: int) -> str:
        """Return the reason as a whole-file decode words it, with the decoded counts.

        Args:
            failures: Undecodable byte sequences found while decoding every block.
            utf8_sequences: UTF-8 sequences reported on all-UTF-8 lines.

        Example:
            >>> choice = EncodingChoice("utf-8", "utf8-with-errors", "UTF-8", None, False, 0,
            ...                         9, "", valid_multibyte=3)
            >>> choice.final_reason(1, 0)
            'UTF-8 (3 valid multi-byte characters) with 1 undecodable byte sequence(s)'
        """
        if self.kind == "utf8-with-errors":
            return (
                f"UTF-8 ({self.valid_multibyte} valid multi-byte characters) "
                f"with {failures} undecodable byte sequence(s)"
            )
        if self.kind == "detected" and utf8_sequences:
            return (
                f"{self.reason}; {utf8_sequences} UTF-8 sequence(s) on lines that are all "
                "UTF-8 are reported, not decoded as " + self.codec
            )
        return self.reason


@dataclass(frozen=True)
class DecodedBlock:
    """One block of a file, decoded to UTF-8 and ending at a line end (or the file's end).

    Attributes:
        data: UTF-8 text without NUL characters or stray byte-order marks; line ends as
            in the file (LF, CRLF or CR).
        first_line: The 1-based line of the file on which ``data`` starts.
        lines: Line ends in ``data``.
        bad_bytes: Undecodable bytes, with offsets and lines in the whole file.
        nul_count: NUL characters removed.
        nul_lines: Lines of the first removed NUL characters (file-wide, at most
            ``MAX_REPORTED_BAD_BYTES`` across all blocks).
        bom_count: Stray byte-order marks removed.
        bom_lines: Lines of the first removed marks (capped as ``nul_lines``).
        failures: Undecodable byte sequences (for the reason).
        utf8_sequences: UTF-8 sequences reported on all-UTF-8 lines (for the reason).
        end_offset: The file offset just past the block's last raw byte (the file's
            size for the last block): how much of the file has been read, for progress.
    """

    data: bytes
    first_line: int
    lines: int
    bad_bytes: tuple[BadByte, ...] = ()
    nul_count: int = 0
    nul_lines: tuple[int, ...] = ()
    bom_count: int = 0
    bom_lines: tuple[int, ...] = ()
    failures: int = 0
    utf8_sequences: int = 0
    end_offset: int = 0


def _unit(codec: str) -> int:
    return 4 if codec.startswith("utf-32") else 2 if codec.startswith("utf-16") else 1


@contextlib.contextmanager
def open_input(path: Path, name: str) -> Iterator[BinaryIO]:
    """Open an input for reading, turning file-system errors into ``InputError``.

    Raises:
        InputError: The file is missing, a directory, not a regular file, or unreadable.
    """
    handle = open_regular_file(path, name)
    with handle:
        try:
            yield handle
        except OSError as err:
            raise InputError(f"cannot read the file: {err.strerror}", path=name) from None


def _raw_blocks(handle: BinaryIO, block_bytes: int) -> Iterator[bytes]:
    while block := handle.read(block_bytes):
        yield block


def _last_line_end(buf: bytes, unit: int, big_endian: bool) -> int | None:
    """Return the offset just after the last line end of ``buf`` that is safe to cut at.

    A CR is a line end only when the next unit is known and is not LF (else CRLF would
    be split between two blocks and counted twice).
    """
    if unit == 1:
        lf = buf.rfind(b"\n")
        if lf >= 0:
            return lf + 1
        cr = buf.rfind(b"\r", 0, len(buf) - 1)
        return cr + 1 if cr >= 0 else None
    dtype = {2: ">u2" if big_endian else "<u2", 4: ">u4" if big_endian else "<u4"}[unit]
    units = np.frombuffer(buf, dtype=dtype, count=len(buf) // unit)
    lfs = np.flatnonzero(units == 10)
    if lfs.size:
        return (int(lfs[-1]) + 1) * unit
    crs = np.flatnonzero(units[:-1] == 13)
    return (int(crs[-1]) + 1) * unit if crs.size else None


def _aligned_blocks(
    handle: BinaryIO, block_bytes: int, unit: int, big_endian: bool
) -> Iterator[bytes]:
    """Yield the rest of the file in blocks that end at a line end (or the file's end)."""
    carry = b""
    for chunk in _raw_blocks(handle, block_bytes):
        buf = carry + chunk if carry else chunk
        cut = _last_line_end(buf, unit, big_endian)
        if cut is None:
            carry = buf
            continue
        carry = buf[cut:]
        yield buf[:cut]
    if carry:
        yield carry


def _check_size(size: int, codec: str, name: str) -> None:
    # As encoding._check_unit_size does, on a length: the file is not in memory.
    unit = _unit(codec)
    if size % unit:
        raise InputError(
            f"{codec.upper()} input has {size} bytes, not a multiple of {unit}: "
            "the file is truncated",
            path=name,
            offset=size - 1,
            hint=f"export the file again, or pass --encoding if it is not {codec.upper()}",
        )


def _hash_and_utf8(
    handle: BinaryIO, block_bytes: int, *, digest_it: bool = True
) -> tuple[str | None, bool, bool]:
    """Hash the whole file (when asked) and decode it as strict UTF-8, block by block.

    Returns:
        The hex SHA-256 (None when not asked), whether every block is valid UTF-8,
        whether all are ASCII.
    """
    digest = hashlib.sha256() if digest_it else None
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    valid, ascii_only = True, True
    # hashlib lets go of the GIL on large blocks: each block is hashed on a thread while
    # it is decoded here, one block in flight (the file is never held whole).
    with WorkBehind(name="sha256") as hasher:
        for block in _raw_blocks(handle, block_bytes):
            if digest is not None:
                hasher.submit(digest.update, block)
            ascii_only = ascii_only and block.isascii()
            if valid:
                try:
                    decode_in_pieces(decoder, block, chunk_bytes=UTF8_CHECK_BYTES)
                except UnicodeDecodeError:
                    valid = False
    if valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
    return (digest.hexdigest() if digest is not None else None), valid, ascii_only


@dataclass
class _Stats:
    valid_multibyte: int = 0
    bad_bytes: int = 0
    cesu8: int = 0
    high: frozenset[int] = frozenset()
    sample: bytearray = field(default_factory=bytearray)


def _non_ascii_lines(block: bytes, room: int) -> list[bytes]:
    """Return the first lines of ``block`` (LF-terminated) that hold a non-ASCII byte."""
    arr = np.frombuffer(block, dtype=np.uint8)
    high = np.flatnonzero(arr >= 0x80)
    if not high.size:
        return []
    newlines = np.flatnonzero(arr == 10)
    found: list[bytes] = []
    size = 0
    lines = np.searchsorted(newlines, high)
    # Sorted already: dropping repeats is cheaper than np.unique's hashing.
    for index in lines[np.concatenate(([True], lines[1:] != lines[:-1]))].tolist():
        start = int(newlines[index - 1]) + 1 if index else 0
        end = int(newlines[index]) + 1 if index < newlines.size else len(block)
        found.append(block[start:end])
        size += end - start
        if size >= room:
            break
    return found


def _legacy_stats(handle: BinaryIO, block_bytes: int) -> _Stats:
    """Count what ``decode`` counts on input that is not valid UTF-8, block by block.

    Blocks end at a newline, and UTF-8 resynchronizes at every ASCII byte, so counts
    summed over the blocks are the whole file's.
    """
    stats = _Stats()
    high: set[int] = set()
    for block in _aligned_blocks(handle, block_bytes, 1, False):
        if block.isascii():
            continue
        # As decode: the valid text's non-ASCII characters are its valid multi-byte
        # sequences; the bytes the decoder drops are the undecodable ones.
        valid = block.decode("utf-8", errors="ignore")
        stats.valid_multibyte += len(valid) - len(valid.encode("ascii", errors="ignore"))
        stats.bad_bytes += len(block) - len(valid.encode("utf-8"))
        stats.cesu8 += cesu8_sequences(block)
        high.update(block.translate(None, _ASCII))
        room = CHARDET_SAMPLE_BYTES - len(stats.sample)
        if room > 0:
            stats.sample += b"".join(_non_ascii_lines(block, room))
    stats.high = frozenset(high)
    return stats


def _detector_input(stats: _Stats) -> bytes:
    """Return what the detector is shown in place of the whole file.

    ``detect_legacy`` looks at the first ``CHARDET_SAMPLE_BYTES`` of the file's non-ASCII
    lines, plus a line of the byte values found only past them
    (:func:`~activity_schema.readers.encoding_guess.detector_sample`): built here from the
    blocks, it gives the detector the same answer as the whole file.
    """
    sample = bytes(stats.sample)
    if len(sample) < CHARDET_SAMPLE_BYTES:
        return sample
    missing = bytes(sorted(stats.high - set(sample)))
    return sample + b"\n" + missing if missing else sample


def choose_encoding(
    path: Path,
    *,
    name: str,
    encoding: str | None = None,
    detector: Detector = detect_legacy,
    block_bytes: int = STREAM_BLOCK_BYTES,
    digest: bool = True,
) -> EncodingChoice:
    """Decide a file's encoding from the whole file, reading it in blocks.

    Args:
        path: The file.
        name: Its display name, for messages.
        encoding: An encoding to use instead of detecting one.
        detector: The legacy-encoding detector; it is shown the file's first non-ASCII
            lines (see :func:`_detector_input`), as ``detect_legacy`` would pick them.
        block_bytes: Bytes read at a time.
        digest: Take the file's SHA-256 on the way (a manifest needs it; a lint does not).

    Returns:
        The choice, with the file's size and SHA-256 (None without ``digest``).

    Raises:
        InputError: The file is unreadable, empty, or truncated UTF-16/32.
        UsageError: ``encoding`` is not a known codec.
    """
    with open_input(path, name) as handle:
        head = handle.read(_HEAD_BYTES)
        if not head:
            raise InputError("the file is empty", path=name, hint="export the data again")
        handle.seek(0)
        size = path.stat().st_size
        bom, skip = False, 0
        kind: Kind | None = None
        codec, reason = "utf-8", ""
        if encoding:
            codec = python_codec(encoding)
            family = codec.split("-")[0] + "-" + codec.split("-")[1] if "-" in codec else codec
            for mark, bom_codec, _label in BOMS:
                if head.startswith(mark) and bom_codec.startswith(family):
                    # A BOM of the named family also tells the byte order.
                    bom, codec, skip = True, bom_codec, len(mark)
                    break
            if codec in ("utf-16", "utf-32"):
                codec = utf16_without_bom(head[skip:]) or f"{codec}-le"
            kind, reason = "given", f"given with --encoding {encoding}"
        else:
            for mark, bom_codec, label in BOMS:
                if head.startswith(mark):
                    bom, codec, skip = True, bom_codec, len(mark)
                    kind, reason = "bom", f"{label} byte-order mark"
                    break
            else:
                utf16 = utf16_without_bom(head)
                if utf16:
                    codec, kind = utf16, "utf16"
                    reason = "no BOM, but every other byte is NUL: UTF-16 " + (
                        "little-endian" if utf16.endswith("le") else "big-endian"
                    )
        sha256, valid, ascii_only = _hash_and_utf8(handle, block_bytes, digest_it=digest)
        if kind is not None:
            _check_size(size - skip, codec, name)
            # The UTF-8 mark is itself valid UTF-8: the body is valid when the file is.
            strict = codec == "utf-8" and valid
            return EncodingChoice(
                codec, kind, reason, None, bom, skip, size, sha256, strict_utf8=strict
            )
        if valid:
            reason = (
                "pure ASCII (read as UTF-8)"
                if ascii_only
                else "strict UTF-8 decode of the whole input"
            )
            return EncodingChoice("utf-8", "utf8", reason, None, False, 0, size, sha256, True)
        handle.seek(0)
        stats = _legacy_stats(handle, block_bytes)
    if utf8_with_errors(stats.valid_multibyte, stats.bad_bytes, stats.cesu8):
        return EncodingChoice(
            "utf-8",
            "utf8-with-errors",
            "UTF-8 with undecodable bytes",
            None,
            False,
            0,
            size,
            sha256,
            valid_multibyte=stats.valid_multibyte,
        )
    guess = detector(_detector_input(stats))
    codec, confidence, evidence = guess[0], guess[1], guess[2]
    return EncodingChoice(
        codec,
        "detected",
        evidence,
        confidence,
        False,
        0,
        size,
        sha256,
        valid_multibyte=stats.valid_multibyte,
        # UTF-8 read as cp1252 is mojibake that cleaning repairs; read as another legacy
        # encoding it is garbled, so such lines are reported (as decode does).
        check_utf8_lines=bool(stats.valid_multibyte) and codec not in MOJIBAKE_SAFE,
        doubt=guess.doubt if isinstance(guess, Guess) else None,
    )


def _line_ends(data: bytes) -> int:
    r"""Return the line breaks in ``data``: LF, CR and CRLF each count once.

    A file without CR (most of them) is counted in one pass instead of three.

    Example:
        >>> _line_ends(b"a\nb\r\nc\rd"), _line_ends(b"a\nb\n")
        (3, 2)
    """
    lfs = count_byte(data, NL)
    if b"\r" not in data:  # a memchr; counting is slower
        return lfs
    return lfs + data.count(b"\r") - data.count(b"\r\n")


def decode_blocks(
    path: Path, choice: EncodingChoice, *, name: str, block_bytes: int = STREAM_BLOCK_BYTES
) -> Generator[DecodedBlock, None, None]:
    """Decode a file with the encoding chosen for it, in blocks that end at line ends.

    Args:
        path: The file.
        choice: Its encoding (:func:`choose_encoding`).
        name: Its display name, for messages.
        block_bytes: Bytes read at a time.

    Yields:
        The decoded blocks, in order; their ``data`` joined is the whole-file
        :attr:`~activity_schema.readers.encoding.Decoded.data`.
    """
    unit = choice.unit
    big_endian = choice.codec.endswith("be")
    line_base, offset = 0, choice.skip
    nul_room, bom_room = MAX_REPORTED_BAD_BYTES, MAX_REPORTED_BAD_BYTES
    with open_input(path, name) as handle:
        handle.seek(choice.skip)
        for block in _aligned_blocks(handle, block_bytes, unit, big_endian):
            if choice.strict_utf8 and not needs_cleaning(block):
                lines = _line_ends(block)
                yield DecodedBlock(block, line_base + 1, lines, end_offset=offset + len(block))
                line_base += lines
                offset += len(block)
                continue
            failures: list[tuple[int, bytes]] = []
            if choice.strict_utf8:
                text = block.decode("utf-8")
            else:
                text, failures = decode_recording(block, choice.codec)
            utf8 = find_utf8_lines(block) if choice.check_utf8_lines else []
            decoded = finish_decoded(
                block,
                text,
                failures,
                encoding=choice.codec,
                reason=choice.reason,
                skipped=offset,
                utf8_lines=utf8,
            )
            lines = _line_ends(decoded.data)
            nul_lines = tuple(line_base + n for n in decoded.nul_lines[:nul_room])
            bom_lines = tuple(line_base + n for n in decoded.stray_bom_lines[:bom_room])
            nul_room -= len(nul_lines)
            bom_room -= len(bom_lines)
            yield DecodedBlock(
                decoded.data,
                line_base + 1,
                lines,
                bad_bytes=tuple(replace(b, line=b.line + line_base) for b in decoded.bad_bytes),
                nul_count=decoded.nul_count,
                nul_lines=nul_lines,
                bom_count=decoded.stray_bom_count,
                bom_lines=bom_lines,
                failures=len(failures),
                utf8_sequences=len(utf8),
                end_offset=offset + len(block),
            )
            line_base += lines
            offset += len(block)
