"""Releases in the console: receive an uploaded bundle, check it, compare it with what is
published, and hand it to two-person signing (kiosk/updates/threshold.py).

An upload is hostile until checked (docs/adr/0621-releases-in-the-console.md):

- it is read in chunks and refused past ``max_bundle_bytes`` (nothing partial is kept);
- its upload name is never used: it is stored as ``<sha256>.tar.gz`` in the release folder;
- it must be gzip; :func:`kiosk.updates.bundle.unpack_archive` refuses traversal, links, device
  entries and oversized members; the flow checks run in the limited child process
  (:func:`kiosk.updates.childcheck.isolated_check`), never in the console process.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from kiosk.updates.bundle import BundleError, Manifest, scan_headers, unpack_archive
from kiosk.updates.childcheck import isolated_check
from kiosk.updates.repository import AdminError, Repository

CHUNK = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_VERSION_LINE = re.compile(rb'^version:\s*["\']?([0-9A-Za-z.+-]{1,32})["\']?\s*$', re.M)
_PROBLEM = re.compile(r"^(?P<file>[^\s:]{1,200}?)(?::(?P<line>\d+))?(?::\d+)?: (?P<text>.+)$",
                      re.S)


class UploadRefused(Exception):
    """An upload that is not kept; the message is shown to the admin as is (Chinese)."""


@dataclass(frozen=True)
class Stored:
    """An upload written to the release folder."""

    path: Path
    sha256: str
    size: int


@dataclass
class Inspection:
    """What the console learnt from an uploaded bundle."""

    manifest: Manifest | None
    problems: list[str] = field(default_factory=list)
    services: dict[str, str] = field(default_factory=dict)  # service id -> version


def store_upload(stream: BinaryIO, release_dir: Path, limit: int) -> Stored:
    """Copy an upload into ``release_dir`` under its SHA-256, or raise UploadRefused."""
    release_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(dir=release_dir, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                if size == 0 and not chunk.startswith(_GZIP_MAGIC):
                    raise UploadRefused("上传的文件不是更新包（应为 kiosk admin build 生成的 "
                                        ".tar.gz 文件）。")
                size += len(chunk)
                if size > limit:
                    raise UploadRefused(f"上传的文件超过 {limit // (1024 * 1024)} MB 上限，"
                                        "已拒收。")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UploadRefused("上传的文件是空的。")
        path = release_dir / f"{digest.hexdigest()}.tar.gz"
        os.replace(tmp, path)
        return Stored(path, digest.hexdigest(), size)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def inspect(archive: Path) -> Inspection:
    """Unpack ``archive`` safely into a temporary folder and run the bundle checks in the
    limited child process; an archive that cannot be unpacked becomes one problem line."""
    with tempfile.TemporaryDirectory(prefix="console-release-") as tmp:
        folder = Path(tmp) / "bundle"
        try:
            scan_headers(archive)
            manifest = unpack_archive(archive, folder)
        except BundleError as exc:
            return Inspection(None, [f"bundle: {exc}"])
        services = service_versions(folder, manifest.services)
        prefix = f"{folder}/"
        problems = [p.replace(prefix, "") for p in isolated_check(folder)]
    return Inspection(manifest, problems, services)


def service_versions(folder: Path, services: Iterable[str]) -> dict[str, str]:
    """Service id -> the ``version:`` line of its flow.yaml ("?" when absent)."""
    found: dict[str, str] = {}
    for service in services:
        flow = folder / service / "flow.yaml"
        version = "?"
        try:
            with flow.open("rb") as handle:
                match = _VERSION_LINE.search(handle.read(CHUNK))
            if match:
                version = match.group(1).decode("ascii")
        except OSError:
            pass
        found[service] = version
    return found


def published_services(repo: Repository) -> tuple[int, dict[str, str]]:
    """The bundle every terminal is pointed at now (channel ``all``, else the latest) and its
    services; (0, {}) when nothing is published or no repository exists yet."""
    try:
        channels = repo.channels()
        version = channels.get("channels/all/current.json") or repo.latest_version()
        if not version:
            return 0, {}
        archive = repo.bundle_file(version)
    except AdminError:
        return 0, {}
    with tempfile.TemporaryDirectory(prefix="console-published-") as tmp:
        try:
            manifest = unpack_archive(archive, Path(tmp) / "bundle")
        except BundleError:
            return version, {}
        return version, service_versions(Path(tmp) / "bundle", manifest.services)


def compare(new: dict[str, str], old: dict[str, str], base_version: int) -> dict[str, Any]:
    """What a release adds, changes (version differs) and removes against ``old``."""
    return {
        "base_version": base_version,
        "added": [[s, new[s]] for s in sorted(new.keys() - old.keys())],
        "changed": [[s, old[s], new[s]] for s in sorted(new.keys() & old.keys())
                    if new[s] != old[s]],
        "unchanged": sorted(s for s in new.keys() & old.keys() if new[s] == old[s]),
        "removed": [[s, old[s]] for s in sorted(old.keys() - new.keys())],
    }


def problem_rows(problems: Iterable[str]) -> list[dict[str, str]]:
    """Problem lines split into file, line and message for the report table."""
    rows = []
    for problem in problems:
        match = _PROBLEM.match(problem)
        if match and ("/" in match["file"] or "." in match["file"]):
            rows.append({"file": match["file"], "line": match["line"] or "",
                         "text": match["text"]})
        else:
            rows.append({"file": "", "line": "", "text": problem})
    return rows
