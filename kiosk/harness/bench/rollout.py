"""`kiosk bench rollout`: how long a staged-rollout step takes to land on a terminal, and what
signing a stage costs (docs/adr/0720, 0721).

Everything is real: a TUF repository in a temp folder with two-person targets signing (two
personal keys), the delegated ``rollout`` role, a loopback HTTP server counting bytes, and the
terminal's BundleUpdater with the default bundle check, on bundles of the whole built-in
catalogue. Figures:

- stage signed -> activated when the terminal polls right away (the work of one poll that finds
  a bundle: refresh incl. the rollout role, download, verify, unpack, check, switch), against
  the floor of sha256 + tar extract of the same archive;
- signing a stage for a pilot of ``--pilot`` terminals plus 50 buckets, against one bare Ed25519
  signature over the same metadata bytes; the bytes a terminal fetches for that stage;
- the arithmetic at the production poll interval: a terminal notices a stage at its next poll
  (uniform over one interval), then the work above; the console sees it one link round later.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import tarfile
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.updates import rollout
from kiosk.updates.bundle import build_archive, remove_tree
from kiosk.updates.httpserve import RepoServer
from kiosk.updates.repository import Repository
from kiosk.updates.terminal import POLL_INTERVAL_SECONDS, BundleUpdater
from kiosk.updates.threshold import (
    new_personal_key,
    prepare_release,
    publish_release,
    sign_release,
    unlock,
    use_personal_targets_keys,
)

_CATALOGUE = Path(__file__).resolve().parents[3] / "flows" / "catalogue"
_PASSPHRASES = ("bench-passphrase-one", "bench-passphrase-two")
#: The console link's default round ([console] interval_seconds).
CONSOLE_INTERVAL_SECONDS = 60.0


def _release(repo: Repository, keys: list, tmp: Path, version: int) -> Path:  # type: ignore[type-arg]
    archive = tmp / f"flows-{version}.tar.gz"
    build_archive(_CATALOGUE, archive, version, "0.1.0")
    prepared = prepare_release(repo, archive, [])
    publish_release(repo, archive, prepared, [
        sign_release(prepared, unlock(key, phrase)) for key, phrase in zip(
            keys, _PASSPHRASES, strict=True)])
    return archive


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
    parser = argparse.ArgumentParser(prog="kiosk bench rollout")
    parser.add_argument("--rounds", type=int, default=3, help="stages measured (default 3)")
    parser.add_argument("--pilot", type=int, default=500, help="pilot group size (default 500)")
    parser.add_argument("--interval", type=float, default=POLL_INTERVAL_SECONDS,
                        help="the terminals' poll interval in seconds (default 300)")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-bench-rollout-"))
    try:
        repo = Repository(tmp / "published", tmp / "keys")
        root = repo.init()
        keys = [new_personal_key(p) for p in _PASSPHRASES]
        use_personal_targets_keys(repo, [k.public_key() for k in keys])
        with RepoServer(repo.repo_dir) as server:
            updater = BundleUpdater(data_dir=tmp / "terminal", repo_url=server.url,
                                    trusted_root=root.to_bytes(), terminal_id="BENCH-0001",
                                    is_idle=lambda: True)
            _release(repo, keys, tmp, 1)
            rollout.point(repo, {rollout.ALL_PATH: 1})
            updater.poll()
            work, floors = [], []
            for version in range(2, 2 + args.rounds):
                archive = _release(repo, keys, tmp, version)
                rollout.point(repo, {rollout.ALL_PATH: version})
                start = time.perf_counter()
                outcome = updater.poll()
                work.append(time.perf_counter() - start)
                if outcome.kind != "activated" or outcome.version != version:
                    print(f"bench rollout: bundle {version} not activated: {outcome}")
                    return 1
                floors.append(_floor_seconds(archive, tmp / "floor"))
            version = 2 + args.rounds
            _release(repo, keys, tmp, version)
            pilot = {rollout.terminal_path(f"T-{n:05d}"): version for n in range(args.pilot)}
            pilot.update({rollout.bucket_path(b): version for b in range(50)})
            start = time.perf_counter()
            rollout.point(repo, pilot)
            sign_seconds = time.perf_counter() - start
            role = max(repo.metadata_dir.glob("*.rollout.json"),
                       key=lambda p: int(p.name.split(".")[0]))
            data = role.read_bytes()
            start = time.perf_counter()
            Ed25519PrivateKey.generate().sign(data)
            sig_floor = time.perf_counter() - start
            server.reset_counters()
            updater.refresh()
            fetched = server.bytes_sent
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    median_work, median_floor = statistics.median(work), statistics.median(floors)
    print(f"stage signed -> activated (poll at once): median {median_work * 1000:.0f} ms over "
          f"{len(work)} stages (each: {', '.join(f'{w * 1000:.0f}' for w in work)} ms; "
          f"whole built-in catalogue)")
    print(f"floor (sha256 + tar extract)           : median {median_floor * 1000:.0f} ms")
    print(f"ratio to floor                         : {median_work / median_floor:.1f}x")
    print(f"signing a stage ({args.pilot} terminals + 50 buckets): {sign_seconds * 1000:.0f} ms; "
          f"rollout role {len(data) / 1024:.0f} KB")
    print(f"floor (one Ed25519 signature, same bytes): {sig_floor * 1000:.2f} ms; ratio "
          f"{sign_seconds / max(sig_floor, 1e-6):.0f}x")
    print(f"bytes a terminal fetches for that stage: {fetched} (timestamp, snapshot, rollout)")
    mean = args.interval / 2 + median_work
    worst = args.interval + median_work
    print(f"approval -> activation at a {args.interval:g} s poll: mean {mean:.0f} s, worst "
          f"{worst:.0f} s; on the console's adoption page at most "
          f"{worst + CONSOLE_INTERVAL_SECONDS:.0f} s (console link every "
          f"{CONSOLE_INTERVAL_SECONDS:g} s)")
    return 0
