"""`kiosk bench bundles`: time to refuse each kind of hostile flow bundle, against the check of a
good bundle measured in the same run (the floor).

Every bundle goes the way it would on a terminal: unpacked folders through the isolated bundle
check (child process, CPU and memory limits: kiosk.updates.childcheck), archives through the
safe unpacker. Kinds: an over-budget expression in a receipt template (``round`` to -10**29
digits; a nested list product), a 1 KB YAML alias bomb, every YAML file padded to just under the
size cap (CPU and memory heavy: with a 1 s CPU limit, a 64 MB limit and the default limits; a
good bundle's check fits in 40 MB), and a 256 MB pax header in the archive (also read with bare
``tarfile``, the old path, for comparison). The padded folder and the alias bomb also go through
`kiosk flows lint` (the same limited child, ADR 0793), as a technician's or admin's machine
runs it.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import tarfile
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from kiosk.updates.bundle import MANIFEST_NAME, BundleError, make_manifest, unpack_archive
from kiosk.updates.childcheck import CheckLimits, isolated_check, isolated_flows

_SERVICES = ("social-insurance-payments", "appointment")
_CATALOGUE = Path(__file__).resolve().parents[3] / "flows" / "catalogue"
_TEMPLATE = "{{ data.submit.ticket }}"
_PAX_BYTES = 256 * 1024 * 1024


def _bundle(folder: Path, change: Callable[[Path], None] | None = None) -> Path:
    for service in _SERVICES:
        shutil.copytree(_CATALOGUE / service, folder / service)
    if change is not None:
        change(folder)
    (folder / MANIFEST_NAME).write_bytes(make_manifest(folder, 1, "0.1.0").to_json())
    return folder


def _template(expression: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        flow = folder / "appointment" / "flow.yaml"
        text = flow.read_text(encoding="utf-8")
        flow.write_text(text.replace(_TEMPLATE, "{{ " + expression + " }}"), encoding="utf-8")
    return change


def _laughs(folder: Path) -> None:
    flow = folder / "appointment" / "flow.yaml"
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * 9) + "]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 9)]
    flow.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _padded(folder: Path) -> None:
    for path in sorted(folder.glob("*/*.yaml")):  # each file just under the YAML size cap
        with path.open("a", encoding="utf-8") as out:
            out.write("padding: [" + ",".join(["0"] * 120_000) + "]\n")


def _pax_archive(path: Path) -> Path:
    info = tarfile.TarInfo("././@PaxHeader")
    info.type = tarfile.XHDTYPE
    block = bytearray(info.tobuf(format=tarfile.USTAR_FORMAT))
    block[124:136] = b"%011o\0" % _PAX_BYTES
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\0 " % (sum(block) & 0o777777)
    zeros = bytes(1024 * 1024)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                               compresslevel=1) as gz:
        gz.write(bytes(block))
        for _ in range(_PAX_BYTES // len(zeros)):
            gz.write(zeros)
        gz.write(bytes(1024))
    return path


def _timed(call: Callable[[], object]) -> tuple[float, float, object]:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = call()
    except BundleError as exc:
        result = [str(exc)]
    except tarfile.TarError as exc:
        result = [f"tarfile: {exc}"]
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak / 1e6, result


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="kiosk bench bundles", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the floor (default 3)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-hostile-") as tmp_name:
        tmp = Path(tmp_name)
        good = _bundle(tmp / "good")
        floor = [_timed(lambda: isolated_check(good))[0] for _ in range(max(1, args.repeat))]
        floor_s = statistics.median(floor)
        archive = _pax_archive(tmp / "pax.tar.gz")
        heavy = _bundle(tmp / "heavy", _padded)

        def _unpack_tarfile() -> object:
            with tarfile.open(archive, "r:gz") as tar:
                return tar.next()

        cases: list[tuple[str, Callable[[], object], bool]] = [
            ("expression round(1, -10**29)",
             lambda: isolated_check(_bundle(tmp / "round", _template("round(1, -10**29)"))),
             True),
            ("expression [[[1]*2000]*2000]*2000",
             lambda: isolated_check(_bundle(tmp / "cells",
                                            _template("[[[1] * 2000] * 2000] * 2000"))),
             True),
            ("YAML alias bomb (1 KB)", lambda: isolated_check(_bundle(tmp / "bomb", _laughs)),
             True),
            ("4 files of 240 KB, default limits", lambda: isolated_check(heavy), True),
            ("4 files of 240 KB, 1 s CPU limit",
             lambda: isolated_check(heavy, CheckLimits(cpu_seconds=1)), True),
            ("4 files of 240 KB, 64 MB limit",
             lambda: isolated_check(heavy, CheckLimits(memory_bytes=64 * 2**20)),
             True),
            ("flows lint: 4 files of 240 KB, 1 s CPU",
             lambda: isolated_flows([heavy], limits=CheckLimits(cpu_seconds=1)).problems, True),
            ("flows lint: YAML alias bomb (1 KB)",
             lambda: isolated_flows([_bundle(tmp / "lint-bomb", _laughs)]).problems, True),
            ("256 MB pax header, safe unpacker",
             lambda: unpack_archive(archive, tmp / "slot"), True),
            ("256 MB pax header, bare tarfile (old)", _unpack_tarfile, False),
        ]
        print(f"floor: isolated check of a good 2-service bundle: median "
              f"{floor_s * 1000:.0f} ms over {len(floor)} runs")
        for name, call, refused_expected in cases:
            seconds, peak_mb, result = _timed(call)
            reason = (result[0] if isinstance(result, list) and result else str(result))[:90]
            flag = "" if not refused_expected or (isinstance(result, list) and result) \
                else "  NOT REFUSED"
            print(f"{name:<38}: {seconds * 1000:7.0f} ms  {seconds / floor_s:5.2f}x floor  "
                  f"parent peak {peak_mb:6.1f} MB  {reason}{flag}")
    return 0
