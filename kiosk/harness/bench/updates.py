"""`kiosk bench updates`: verify-and-activate time of a 5 MB flow bundle, and the bytes an idle
poll fetches.

Everything is real: a TUF repository in a temp folder, a loopback HTTP server counting bytes,
the terminal's BundleUpdater with the default bundle check. The floor, measured in the same run on
the same archive, is what any updater must at least do: sha256 of the bundle plus extracting the
tar (``tarfile`` with the ``data`` filter). The ratio says what TUF verification, the safe
unpacker, manifest digests, the check and the slot switch cost on top.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import statistics
import tarfile
import tempfile
import time
from pathlib import Path

from kiosk.updates.bundle import build_archive, remove_tree
from kiosk.updates.httpserve import RepoServer
from kiosk.updates.repository import Audience, Repository
from kiosk.updates.terminal import BundleUpdater

#: Real services from the built-in catalogue, so the terminal's checks (lint, smoke run) are
#: the ones a real bundle goes through.
_SERVICES = ("social-insurance-payments", "appointment")
_CATALOGUE = Path(__file__).resolve().parents[2] / "flows" / "catalogue"


def _flows(folder: Path, version: int, size_bytes: int) -> Path:
    for service in _SERVICES:
        shutil.copytree(_CATALOGUE / service, folder / service, dirs_exist_ok=True)
        flow = folder / service / "flow.yaml"
        flow.write_text(re.sub(r'^version: "?1\.0\.0"?$', f'version: "{version}.0.0"',
                               flow.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    # Incompressible assets so the archive really is ~size_bytes on the wire.
    fixtures = folder / "appointment" / "assets"
    fixtures.mkdir(exist_ok=True)
    chunk = 512 * 1024
    for index in range(max(1, size_bytes // chunk)):
        (fixtures / f"scan-{index:02d}.bin").write_bytes(os.urandom(chunk))
    return folder


def _floor_seconds(archive: Path, scratch: Path) -> float:
    start = time.perf_counter()
    hashlib.sha256(archive.read_bytes()).hexdigest()
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(scratch, filter="data")
    elapsed = time.perf_counter() - start
    remove_tree(scratch)
    return elapsed


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="kiosk bench updates", description=__doc__)
    parser.add_argument("--size-mb", type=float, default=5.0, help="bundle size (default 5)")
    parser.add_argument("--repeat", type=int, default=3, help="bundles activated (default 3)")
    parser.add_argument("--idle-polls", type=int, default=5, help="idle polls measured")
    args = parser.parse_args(argv)
    size_bytes = int(args.size_mb * 1024 * 1024)

    with tempfile.TemporaryDirectory(prefix="kiosk-bench-updates-") as tmp_name:
        tmp = Path(tmp_name)
        repo = Repository(tmp / "published", tmp / "keys")
        root = repo.init()
        archives = []
        for version in range(1, args.repeat + 1):
            archive = tmp / f"flows-{version}.tar.gz"
            build_archive(_flows(tmp / f"src-{version}", version, size_bytes), archive, version,
                          "0.1.0")
            archives.append(archive)
        size_mb = archives[0].stat().st_size / 1e6
        with RepoServer(repo.repo_dir) as server:
            updater = BundleUpdater(data_dir=tmp / "terminal", repo_url=server.url,
                                    trusted_root=root.to_bytes(), terminal_id="BENCH-1",
                                    is_idle=lambda: True)
            activate_s: list[float] = []
            floor_s: list[float] = []
            wire_bytes: list[int] = []
            for version, archive in enumerate(archives, start=1):
                repo.publish(archive, [Audience("all")])
                server.reset_counters()
                start = time.perf_counter()
                outcome = updater.poll()
                activate_s.append(time.perf_counter() - start)
                wire_bytes.append(server.bytes_sent)
                if outcome.kind != "activated" or outcome.version != version:
                    print(f"bench updates: bundle {version} not activated: {outcome}")
                    return 1
                floor_s.append(_floor_seconds(archive, tmp / "floor"))
            idle_bytes: list[int] = []
            idle_requests: list[int] = []
            idle_s: list[float] = []
            for _ in range(args.idle_polls):
                server.reset_counters()
                start = time.perf_counter()
                updater.poll()
                idle_s.append(time.perf_counter() - start)
                idle_bytes.append(server.bytes_sent)
                idle_requests.append(len(server.requests))

    median_activate = statistics.median(activate_s)
    median_floor = statistics.median(floor_s)
    print(f"bundle size on the wire      : {size_mb:.2f} MB ({statistics.median(wire_bytes)} "
          "bytes fetched incl. metadata)")
    print(f"refresh+download+verify+unpack+activate+check: median {median_activate * 1000:.0f} ms"
          f" over {len(activate_s)} bundles (each: "
          + ", ".join(f"{s * 1000:.0f}" for s in activate_s) + " ms)")
    print(f"floor (sha256 + tar extract) : median {median_floor * 1000:.0f} ms")
    print(f"ratio to floor               : {median_activate / median_floor:.2f}x")
    print(f"idle poll, nothing changed   : {statistics.median(idle_bytes):.0f} bytes in "
          f"{statistics.median(idle_requests):.0f} requests, "
          f"{statistics.median(idle_s) * 1000:.1f} ms (median of {len(idle_bytes)})")
    return 0
