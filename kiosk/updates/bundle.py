"""Flow bundles: the manifest, a deterministic archive, a safe unpacker and the default check.

A bundle is a folder of services, ``<service-id>/flow.yaml`` (+ templates, fixtures), plus a
``bundle.json`` manifest at its top (see :class:`Manifest`). It travels as a ``.tar.gz`` built by
:func:`build_archive`: entries sorted, fixed mtimes, owner 0, fixed modes, no directories, links
or devices, and a gzip header without a timestamp, so the same folder always gives the same bytes
(and the same TUF hash).

:func:`unpack_archive` never trusts the archive even though TUF verified it (a signed archive may
still come from a compromised build machine): it refuses absolute paths, ``..``, links, devices,
oversize members and too many members, writes each file itself (no ``tarfile.extract``), and then
checks every file against the manifest's digests.

:data:`BundleCheck` is the seam for the bundle check run after activation; :func:`check_bundle` is
the default (manifest + every flow.yaml parses with ``id`` and ``steps``). See docs/adr/0164.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import tarfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from flows.yamlsource import safe_load

MANIFEST_NAME = "bundle.json"
FLOW_FILE_NAME = "flow.yaml"
MANIFEST_FORMAT = 1

#: Limits for an archive coming from the network. A real bundle is a few hundred KB of YAML and
#: templates plus fixtures; these leave ample room and stop archive bombs.
MAX_MEMBERS = 2_000
MAX_MEMBER_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 128 * 1024 * 1024
MAX_PATH_CHARS = 200
MAX_PATH_DEPTH = 8
MAX_MANIFEST_BYTES = 1024 * 1024
#: A pax or GNU long-name header is read whole into memory by ``tarfile``; ours are plain
#: USTAR (none at all), so anything above a few KB is an attack (docs/adr/0422).
MAX_EXTENSION_HEADER_BYTES = 8 * 1024
_BLOCK_BYTES = 512
_EXTENSION_TYPES = (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.GNUTYPE_LONGNAME,
                    tarfile.GNUTYPE_LONGLINK, tarfile.SOLARIS_XHDTYPE)

#: Every entry gets this mtime (1980-01-01, the ZIP epoch) so builds are reproducible.
FIXED_MTIME_SECONDS = 315_532_800
_FILE_MODE = 0o644
_COPY_CHUNK_BYTES = 1024 * 1024
_SERVICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

#: The bundle check: given an unpacked bundle folder, return problems (empty list = good).
BundleCheck = Callable[[Path], list[str]]


class BundleError(Exception):
    """A bundle or archive that must not be used; the message says why, for a technician."""


@dataclass(frozen=True)
class Manifest:
    """The ``bundle.json`` manifest: what the bundle is and the digest of its content."""

    version: int
    min_app_version: str
    created: str
    services: tuple[str, ...]
    files: dict[str, dict[str, Any]]
    digest: str

    def to_json(self) -> bytes:
        """Canonical JSON bytes (sorted keys, UTF-8)."""
        body = {
            "format": MANIFEST_FORMAT,
            "version": self.version,
            "min_app_version": self.min_app_version,
            "created": self.created,
            "services": list(self.services),
            "files": self.files,
            "digest": self.digest,
        }
        text = json.dumps(body, sort_keys=True, indent=1, ensure_ascii=False)
        return text.encode("utf-8") + b"\n"

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        """Parse and validate manifest bytes, or raise BundleError."""
        try:
            body = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BundleError(f"{MANIFEST_NAME} is not valid JSON ({exc})") from None
        if not isinstance(body, dict):
            raise BundleError(f"{MANIFEST_NAME} must be a JSON object")
        if body.get("format") != MANIFEST_FORMAT:
            raise BundleError(f"{MANIFEST_NAME}: unsupported format {body.get('format')!r}")
        version = body.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise BundleError(f"{MANIFEST_NAME}: version must be an integer >= 1")
        min_app = body.get("min_app_version")
        if not isinstance(min_app, str):
            raise BundleError(f"{MANIFEST_NAME}: min_app_version must be a string like 0.1.0")
        parse_app_version(min_app)
        services = body.get("services")
        if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
            raise BundleError(f"{MANIFEST_NAME}: services must be a list of service ids")
        for service in services:
            if not _SERVICE_ID.match(service):
                raise BundleError(f"{MANIFEST_NAME}: bad service id {service!r}")
        files = body.get("files")
        if not isinstance(files, dict):
            raise BundleError(f"{MANIFEST_NAME}: files must be an object")
        for name, entry in files.items():
            _check_member_name(name)
            if (not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str)
                    or not isinstance(entry.get("size"), int)):
                raise BundleError(f"{MANIFEST_NAME}: files[{name!r}] needs sha256 and size")
        digest = body.get("digest")
        if digest != content_digest(files):
            raise BundleError(f"{MANIFEST_NAME}: digest does not match the file list")
        created = body.get("created")
        if not isinstance(created, str):
            raise BundleError(f"{MANIFEST_NAME}: created must be an ISO 8601 string")
        return cls(version=version, min_app_version=min_app, created=created,
                   services=tuple(services), files=files, digest=digest)


def parse_app_version(text: str) -> tuple[int, ...]:
    """``"0.1.0"`` -> ``(0, 1, 0)``; labels (``0.2.0rc1``) are ignored; BundleError if none."""
    parts: list[int] = []
    for piece in text.strip().split("."):
        match = re.match(r"^(\d+)", piece)
        if not match:
            break
        parts.append(int(match.group(1)))
        if match.group(1) != piece:
            break
    if not parts:
        raise BundleError(f"not an application version: {text!r} (expected e.g. 0.1.0)")
    while len(parts) < 3:
        parts.append(0)
    return tuple(parts)


def app_version_satisfies(app_version: str, min_app_version: str) -> bool:
    """True when ``app_version`` >= ``min_app_version``."""
    return parse_app_version(app_version) >= parse_app_version(min_app_version)


def content_digest(files: dict[str, dict[str, Any]]) -> str:
    """The manifest's content digest: sha256 over the sorted (name, size, sha256) list."""
    canonical = json.dumps(
        [[name, files[name]["size"], files[name]["sha256"]] for name in sorted(files)],
        separators=(",", ":"), ensure_ascii=False,
    ).encode("utf-8")
    return "sha256:" + hashlib.sha256(canonical).hexdigest()


def _check_member_name(name: str) -> str:
    """Return the normalised name of a safe relative path, or raise BundleError."""
    if not name or len(name) > MAX_PATH_CHARS:
        raise BundleError(f"entry name empty or longer than {MAX_PATH_CHARS} characters")
    if "\\" in name or "\x00" in name:
        raise BundleError(f"entry {name!r}: backslash or NUL in the name")
    path = PurePosixPath(name)
    if path.is_absolute() or name.startswith("/"):
        raise BundleError(f"entry {name!r}: absolute path")
    if any(part in ("..", "") for part in name.split("/")) or ".." in path.parts:
        raise BundleError(f"entry {name!r}: path traversal ('..' or empty component)")
    if len(path.parts) > MAX_PATH_DEPTH:
        raise BundleError(f"entry {name!r}: deeper than {MAX_PATH_DEPTH} levels")
    return str(path)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_COPY_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _source_files(folder: Path) -> list[tuple[str, Path]]:
    """The regular files of a flows folder as (archive name, path); BundleError on links etc."""
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__pycache__")))
        for dirname in dirnames:
            if (base / dirname).is_symlink():
                raise BundleError(f"{base / dirname}: symbolic links are not allowed in a bundle")
        for filename in sorted(filenames):
            if filename.startswith(".") or filename.endswith(".pyc"):
                continue
            path = base / filename
            if path.is_symlink() or not path.is_file():
                raise BundleError(f"{path}: only regular files are allowed (no links or devices)")
            name = path.relative_to(folder).as_posix()
            if name == MANIFEST_NAME:
                continue  # rebuilt from the content below
            found.append((_check_member_name(name), path))
    return sorted(found)


def make_manifest(folder: Path, version: int, min_app_version: str,
                  created: str | None = None) -> Manifest:
    """Describe a flows folder: its services (sub-folders with a flow.yaml) and file digests."""
    if not folder.is_dir():
        raise BundleError(f"{folder}: not a folder")
    if isinstance(version, bool) or version < 1:
        raise BundleError("the bundle version must be an integer >= 1")
    parse_app_version(min_app_version)
    files = {name: {"sha256": _sha256_file(path), "size": path.stat().st_size}
             for name, path in _source_files(folder)}
    services = sorted({name.split("/")[0] for name in files
                       if name.count("/") == 1 and name.endswith("/" + FLOW_FILE_NAME)})
    if not services:
        raise BundleError(f"{folder}: no service found (expected <service-id>/{FLOW_FILE_NAME})")
    for service in services:
        if not _SERVICE_ID.match(service):
            raise BundleError(f"{folder / service}: bad service id (letters, digits, . _ -)")
    stamp = created or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Manifest(version=version, min_app_version=min_app_version, created=stamp,
                    services=tuple(services), files=files, digest=content_digest(files))


def _tar_info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = FIXED_MTIME_SECONDS
    info.mode = _FILE_MODE
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    return info


def build_archive(folder: Path, out_path: Path, version: int, min_app_version: str,
                  created: str | None = None) -> Manifest:
    """Pack ``folder`` into a deterministic ``.tar.gz`` at ``out_path`` with the manifest inside."""
    manifest = make_manifest(folder, version, min_app_version, created)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".part")
    entries = [(MANIFEST_NAME, None), *((name, folder / name) for name in sorted(manifest.files))]
    with tmp.open("wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, path in entries:
            if path is None:
                data = manifest.to_json()
                tar.addfile(_tar_info(name, len(data)), io.BytesIO(data))
            else:
                with path.open("rb") as handle:
                    tar.addfile(_tar_info(name, path.stat().st_size), handle)
    os.replace(tmp, out_path)
    return manifest


def _read_block(stream: gzip.GzipFile) -> bytes:
    block = stream.read(_BLOCK_BYTES)
    if len(block) != _BLOCK_BYTES:
        raise BundleError("archive truncated (no end-of-archive marker)")
    return block


def _skip(stream: gzip.GzipFile, size: int) -> None:
    left = -(-size // _BLOCK_BYTES) * _BLOCK_BYTES
    while left > 0:
        chunk = stream.read(min(left, _COPY_CHUNK_BYTES))
        if not chunk:
            raise BundleError("archive truncated inside an entry")
        left -= len(chunk)


def scan_headers(archive: Path) -> None:
    """Walk the raw tar headers of a ``.tar.gz`` before ``tarfile`` sees them; BundleError for
    an extension header (pax, GNU long name) over `MAX_EXTENSION_HEADER_BYTES`, an entry over
    `MAX_MEMBER_BYTES`, a total over `MAX_TOTAL_BYTES` or too many headers. Reads in bounded
    chunks: a header claiming gigabytes costs nothing (``tarfile`` would allocate it whole)."""
    try:
        with gzip.open(archive, "rb") as stream:
            headers = 0
            total = 0
            pax_size: int | None = None
            while True:
                block = _read_block(stream)
                if block == bytes(_BLOCK_BYTES):
                    return
                headers += 1
                if headers > 2 * MAX_MEMBERS:
                    raise BundleError(f"archive has more than {MAX_MEMBERS} entries")
                size = _header_number(block[124:136])
                kind = block[156:157]
                if size < 0:
                    raise BundleError("archive entry with a negative size")
                if kind in _EXTENSION_TYPES:
                    if size > MAX_EXTENSION_HEADER_BYTES:
                        raise BundleError(f"archive extension header of {size} bytes is over the "
                                          f"{MAX_EXTENSION_HEADER_BYTES}-byte limit")
                    data = stream.read(size)
                    _skip(stream, -(-size // _BLOCK_BYTES) * _BLOCK_BYTES - len(data))
                    pax_size = _pax_size(data) if kind in (tarfile.XHDTYPE,
                                                           tarfile.SOLARIS_XHDTYPE) else None
                    continue
                size = pax_size if pax_size is not None else size
                pax_size = None
                if size > MAX_MEMBER_BYTES:
                    raise BundleError(f"archive entry of {size} bytes is over the "
                                      f"{MAX_MEMBER_BYTES}-byte limit")
                total += size
                if total > MAX_TOTAL_BYTES:
                    raise BundleError(f"archive content over the {MAX_TOTAL_BYTES}-byte limit")
                if kind not in (tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE):
                    _skip(stream, size)
    except (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile) as exc:
        raise BundleError(f"archive unreadable: {exc.__class__.__name__}: {exc}") from None


def _header_number(field: bytes) -> int:
    """A tar numeric field: NUL/space-terminated octal, or GNU base-256 (first byte 0x80/0xff)."""
    if field[:1] in (b"\x80", b"\xff"):
        value = int.from_bytes(field[1:], "big")
        return value if field[:1] == b"\x80" else value - (1 << (8 * (len(field) - 1)))
    text = field.split(b"\0", 1)[0].strip()
    try:
        return int(text, 8) if text else 0
    except ValueError:
        raise BundleError("archive header with an unreadable size field") from None


def _pax_size(data: bytes) -> int | None:
    """The ``size`` record of a pax header (it overrides the USTAR field), if any."""
    for record in data.split(b"\n"):
        _, _, keyword_value = record.partition(b" ")
        keyword, _, value = keyword_value.partition(b"=")
        if keyword == b"size":
            try:
                return int(value)
            except ValueError:
                raise BundleError("archive pax header with a bad size") from None
    return None


def _open_members(archive: Path) -> Iterable[tuple[tarfile.TarFile, tarfile.TarInfo]]:
    scan_headers(archive)
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            count = 0
            while True:
                member = tar.next()
                if member is None:
                    return
                count += 1
                if count > MAX_MEMBERS:
                    raise BundleError(f"archive has more than {MAX_MEMBERS} entries")
                yield tar, member
    except (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile) as exc:
        raise BundleError(f"archive unreadable: {exc.__class__.__name__}: {exc}") from None


def _check_member(member: tarfile.TarInfo) -> str:
    name = _check_member_name(member.name)
    if member.issym() or member.islnk():
        raise BundleError(f"entry {member.name!r}: links are not allowed "
                          f"(points to {member.linkname!r})")
    if member.isdev() or member.isfifo():
        raise BundleError(f"entry {member.name!r}: devices and FIFOs are not allowed")
    if not (member.isreg() or member.isdir()):
        raise BundleError(f"entry {member.name!r}: unsupported entry type {member.type!r}")
    if member.size > MAX_MEMBER_BYTES:
        raise BundleError(f"entry {member.name!r}: {member.size} bytes is over the "
                          f"{MAX_MEMBER_BYTES}-byte limit")
    return name


def read_manifest(archive: Path) -> Manifest:
    """Read and validate the manifest inside an archive without unpacking anything else."""
    for tar, member in _open_members(archive):
        name = _check_member(member)
        if name == MANIFEST_NAME and member.isreg():
            if member.size > MAX_MANIFEST_BYTES:
                raise BundleError(f"{MANIFEST_NAME} is larger than {MAX_MANIFEST_BYTES} bytes")
            handle = tar.extractfile(member)
            if handle is None:
                raise BundleError(f"{MANIFEST_NAME} cannot be read")
            return Manifest.from_json(handle.read(MAX_MANIFEST_BYTES + 1))
    raise BundleError(f"archive has no {MANIFEST_NAME}")


def unpack_archive(archive: Path, dest: Path) -> Manifest:
    """Unpack ``archive`` into the new folder ``dest`` safely and verify it against its manifest.

    ``dest`` must not exist. On any problem the partial folder is removed and BundleError raised.
    """
    if dest.exists():
        raise BundleError(f"{dest}: slot folder already exists")
    dest.mkdir(parents=True)
    try:
        seen: dict[str, str] = {}
        total = 0
        for tar, member in _open_members(archive):
            name = _check_member(member)
            if name in seen:
                raise BundleError(f"entry {name!r} appears twice")
            target = dest / name
            if member.isdir():
                seen[name] = ""
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.parent.resolve().is_relative_to(dest.resolve()):
                raise BundleError(f"entry {name!r} escapes the bundle folder")
            source = tar.extractfile(member)
            if source is None:
                raise BundleError(f"entry {name!r} cannot be read")
            digest = hashlib.sha256()
            written = 0
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, _FILE_MODE)
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(_COPY_CHUNK_BYTES):
                    written += len(chunk)
                    total += len(chunk)
                    if written > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
                        raise BundleError(f"entry {name!r}: archive content over the size limit")
                    digest.update(chunk)
                    out.write(chunk)
            seen[name] = digest.hexdigest()
        manifest_bytes = (dest / MANIFEST_NAME).read_bytes() if MANIFEST_NAME in seen else None
        if manifest_bytes is None:
            raise BundleError(f"archive has no {MANIFEST_NAME}")
        manifest = Manifest.from_json(manifest_bytes)
        files = {name: hexdigest for name, hexdigest in seen.items()
                 if hexdigest and name != MANIFEST_NAME}
        if set(files) != set(manifest.files):
            extra = sorted(set(files) - set(manifest.files))[:3]
            missing = sorted(set(manifest.files) - set(files))[:3]
            raise BundleError(f"archive content differs from its manifest "
                              f"(extra {extra}, missing {missing})")
        for name, hexdigest in files.items():
            if manifest.files[name]["sha256"] != hexdigest:
                raise BundleError(f"entry {name!r}: sha256 differs from the manifest")
        return manifest
    except BaseException:
        remove_tree(dest)
        raise


def remove_tree(path: Path) -> None:
    """Remove a folder we created, never following links out of it."""
    if not path.exists() and not path.is_symlink():
        return
    if path.is_symlink() or path.is_file():
        path.unlink()
        return
    for dirpath, dirnames, filenames in os.walk(path, topdown=False, followlinks=False):
        for filename in filenames:
            os.unlink(os.path.join(dirpath, filename))
        for dirname in dirnames:
            full = os.path.join(dirpath, dirname)
            if os.path.islink(full):
                os.unlink(full)
            else:
                os.rmdir(full)
    os.rmdir(path)


def check_bundle(path: Path) -> list[str]:
    """Default bundle check: a valid manifest; every service's flow.yaml has ``id`` and ``steps``.

    This is the seam where the flow engine's lint and a headless smoke run plug in: pass your own
    :data:`BundleCheck` to the updater (``check_bundle=...``), typically one that calls this
    function first and then ``flows`` lint and a smoke run of each service (docs/adr/0164).
    """
    problems: list[str] = []
    try:
        manifest = Manifest.from_json((path / MANIFEST_NAME).read_bytes())
    except FileNotFoundError:
        return [f"{MANIFEST_NAME} missing"]
    except BundleError as exc:
        return [str(exc)]
    if not manifest.services:
        problems.append("the bundle lists no service")
    for service in manifest.services:
        flow_path = path / service / FLOW_FILE_NAME
        try:
            flow = safe_load(flow_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            problems.append(f"{service}/{FLOW_FILE_NAME}: missing")
            continue
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            first_line = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
            problems.append(f"{service}/{FLOW_FILE_NAME}: not valid YAML ({first_line})")
            continue
        if not isinstance(flow, dict):
            problems.append(f"{service}/{FLOW_FILE_NAME}: not a mapping")
            continue
        if not isinstance(flow.get("id"), str) or not flow.get("id"):
            problems.append(f"{service}/{FLOW_FILE_NAME}: no 'id'")
        steps = flow.get("steps")
        if not isinstance(steps, list | dict) or not steps:
            problems.append(f"{service}/{FLOW_FILE_NAME}: no 'steps'")
    return problems
