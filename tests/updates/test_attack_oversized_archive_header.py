"""Archive members whose headers claim huge sizes: a pax extended header or a GNU long name of
hundreds of megabytes (``tarfile`` reads those whole into memory), and entries whose size field
says a terabyte. Each is refused by the raw header scan before ``tarfile`` allocates anything,
on the terminal (unpack) and on the admin side (publish).
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.updates.bundle import (
    MAX_EXTENSION_HEADER_BYTES,
    BundleError,
    read_manifest,
    unpack_archive,
)
from kiosk.updates.repository import AdminError, Audience
from tests.memory import refused_with_peak
from tests.updates.conftest import Setup

#: Size the hostile headers claim and really carry (zeros: ~256 KB once gzipped).
CLAIMED_BYTES = 256 * 1024 * 1024
_ZEROS = bytes(1024 * 1024)


def _header(name: str, kind: bytes, size_field: bytes) -> bytes:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = 0
    block = bytearray(info.tobuf(format=tarfile.USTAR_FORMAT))
    block[124:136] = size_field
    block[148:156] = b" " * 8  # recompute the checksum over the changed size
    block[148:156] = b"%06o\0 " % (sum(block) & 0o777777)
    return bytes(block)


def _octal(size: int) -> bytes:
    return b"%011o\0" % size


def _base256(size: int) -> bytes:
    return b"\x80" + size.to_bytes(11, "big")


def _write(path: Path, header: bytes, body_bytes: int) -> Path:
    """A gzipped tar: one hostile header, ``body_bytes`` of zeros after it, the end marker."""
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                               compresslevel=1) as gz:
        gz.write(header)
        left = body_bytes
        while left > 0:
            gz.write(_ZEROS[: min(left, len(_ZEROS))])
            left -= len(_ZEROS)
        gz.write(bytes(1024))
    return path


CASES: dict[str, Callable[[Path], Path]] = {
    "pax_header_256mb": lambda p: _write(p, _header("././@PaxHeader", tarfile.XHDTYPE,
                                                    _octal(CLAIMED_BYTES)), CLAIMED_BYTES),
    "pax_global_header_256mb": lambda p: _write(p, _header("pax_global_header", tarfile.XGLTYPE,
                                                           _octal(CLAIMED_BYTES)), CLAIMED_BYTES),
    "gnu_long_name_256mb": lambda p: _write(p, _header("././@LongLink",
                                                       tarfile.GNUTYPE_LONGNAME,
                                                       _octal(CLAIMED_BYTES)), CLAIMED_BYTES),
    "member_claims_a_terabyte": lambda p: _write(p, _header("svc/flow.yaml", tarfile.REGTYPE,
                                                            _octal(2**40)), 0),
    "member_base256_size": lambda p: _write(p, _header("svc/flow.yaml", tarfile.REGTYPE,
                                                       _base256(2**60)), 0),
}


def _pax_size_override(path: Path) -> Path:
    """A small pax header whose ``size`` record makes the next entry 1 TB."""
    line = b"22 size=1099511627776\n"  # a pax record counts its own length: 22 bytes
    assert len(line) == 22
    pax = _header("././@PaxHeader", tarfile.XHDTYPE, _octal(len(line)))
    body = line + bytes(-len(line) % 512)
    member = _header("svc/flow.yaml", tarfile.REGTYPE, _octal(10))
    return _write(path, pax + body + member, 0)


CASES["pax_size_record_a_terabyte"] = _pax_size_override


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_oversized_header_is_refused_before_allocation(tmp_path: Path, case: str) -> None:
    archive = CASES[case](tmp_path / "hostile.tar.gz")
    refused, peak_bytes = refused_with_peak(
        BundleError, lambda: unpack_archive(archive, tmp_path / "slot"), match="limit")
    assert peak_bytes < 8 * 1024 * 1024, f"{peak_bytes} bytes allocated"
    assert "Traceback" not in str(refused)
    assert not (tmp_path / "slot").exists()
    with pytest.raises(BundleError, match="limit"):
        read_manifest(archive)


def test_extension_header_within_the_limit_still_reads(tmp_path: Path) -> None:
    long_name = "svc/" + "n" * 150 + ".yaml"
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(long_name)
        info.size = 3
        tar.addfile(info, io.BytesIO(b"x: "))
    archive = tmp_path / "pax.tar.gz"
    archive.write_bytes(out.getvalue())
    assert MAX_EXTENSION_HEADER_BYTES >= 512
    with pytest.raises(BundleError, match=r"no bundle\.json"):
        read_manifest(archive)  # read past the pax header; only the manifest is missing


def test_admin_refuses_to_publish_it(setup: Setup, tmp_path: Path) -> None:
    archive = CASES["pax_header_256mb"](tmp_path / "hostile.tar.gz")
    with pytest.raises(AdminError, match="limit"):
        setup.repo.publish(archive, [Audience("all")])
