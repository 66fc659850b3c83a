"""Fixtures for flow-update tests: a real TUF repository in a temp dir, served over loopback HTTP,
and a terminal updater with its own data folder.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kiosk.updates.bundle import build_archive
from kiosk.updates.httpserve import RepoServer
from kiosk.updates.repository import Audience, Repository
from kiosk.updates.terminal import BundleUpdater

TERMINAL_ID = "T-0042"
GROUP = "pilot"
CREATED = "2026-11-01T00:00:00Z"


#: Real services from the built-in catalogue make the test bundles, so the terminal's checks
#: (manifest, flow lint, headless smoke run) see what a real bundle holds.
SERVICES = ("social-insurance-payments", "appointment")
CATALOGUE = Path(__file__).resolve().parents[2] / "flows" / "catalogue"


def write_flows(folder: Path, version: int, broken: bool = False) -> Path:
    """A small flows folder: two real services at ``version`` (broken: one has no steps)."""
    for service in SERVICES:
        target = folder / service
        shutil.copytree(CATALOGUE / service, target, dirs_exist_ok=True)
        flow = target / "flow.yaml"
        text = flow.read_text(encoding="utf-8")
        text = re.sub(r'^version: "?1\.0\.0"?$', f'version: "{version}.0.0"', text, flags=re.M)
        flow.write_text(text, encoding="utf-8")
    if broken:
        (folder / SERVICES[1] / "flow.yaml").write_text(
            f"id: {SERVICES[1]}\nversion: \"{version}.0.0\"\ntitle: no steps here\n",
            encoding="utf-8")
    return folder


@dataclass
class Setup:
    """A repository, its server, and a factory for terminal updaters."""

    repo: Repository
    server: RepoServer
    tmp: Path
    trusted_root: bytes
    idle: list[bool] = field(default_factory=lambda: [True])

    def build(self, version: int, broken: bool = False, min_app: str = "0.1.0") -> Path:
        """Build bundle ``version`` from a fresh flows folder; return the archive."""
        flows = write_flows(self.tmp / f"flows-src-{version}", version, broken)
        archive = self.tmp / f"build-{version}.tar.gz"
        build_archive(flows, archive, version, min_app, created=CREATED)
        return archive

    def publish(self, version: int, broken: bool = False, min_app: str = "0.1.0",
                to: tuple[str, ...] = ("all",)) -> None:
        """Build and publish bundle ``version`` to the audiences."""
        self.repo.publish(self.build(version, broken, min_app), [Audience.parse(a) for a in to])

    def updater(self, **overrides: object) -> BundleUpdater:
        """A terminal updater bound to this repository."""
        kwargs: dict[str, object] = dict(
            data_dir=self.tmp / "terminal", repo_url=self.server.url,
            trusted_root=self.trusted_root, terminal_id=TERMINAL_ID, groups=(GROUP,),
            is_idle=lambda: self.idle[0])
        kwargs.update(overrides)
        return BundleUpdater(**kwargs)  # type: ignore[arg-type]

    def snapshot_repo(self, name: str) -> Path:
        """Copy the published folder as it is now (for replay and mix-and-match attacks)."""
        dest = self.tmp / f"copy-{name}"
        shutil.copytree(self.repo.repo_dir, dest)
        return dest

    def serve_copy(self, copy: Path) -> None:
        """Make the server serve ``copy`` instead of the live folder (a hostile mirror)."""
        live = self.repo.repo_dir
        shutil.rmtree(live)
        shutil.copytree(copy, live)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    """An initialised repository served over loopback HTTP."""
    repo = Repository(tmp_path / "published", tmp_path / "admin-keys")
    root = repo.init()
    with RepoServer(repo.repo_dir) as server:
        yield Setup(repo=repo, server=server, tmp=tmp_path,
                    trusted_root=root.to_bytes())


@pytest.fixture
def update_log(caplog: pytest.LogCaptureFixture) -> Callable[[str], list[logging.LogRecord]]:
    """Records of one update event, with their structured fields."""
    caplog.set_level(logging.INFO, logger="kiosk.updates")

    def _records(event: str) -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.getMessage() == event]
    return _records


def craft_archive(setup: Setup, version: int, evil: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    """A hostile archive: a valid manifest and flows first, then ``evil`` members appended.

    The manifest does not list the evil members, as a compromised build machine would do; the
    repository signs it like any other (TUF cannot know), so the terminal's unpacker must refuse.
    """
    good = setup.build(version)
    out = setup.tmp / f"evil-{version}.tar.gz"
    with tarfile.open(good, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            dst.addfile(member, src.extractfile(member))
        for info, data in evil:
            dst.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return out


def evil_member(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"pwned\n",
                linkname: str = "") -> tuple[tarfile.TarInfo, bytes]:
    """One hostile tar member."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.linkname = linkname
    info.mode = 0o644
    return info, data


def assert_unchanged(updater: BundleUpdater, version: int) -> None:
    """The active bundle is still ``version`` and its folder intact."""
    active = updater.active_bundle()
    assert active is not None and active.version == version
    assert (active.path / "bundle.json").is_file()
