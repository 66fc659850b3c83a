"""The bundle archive on its own: reproducible builds, the unpacker's limits, manifest checks."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from kiosk.updates import bundle
from kiosk.updates.bundle import (
    BundleError,
    app_version_satisfies,
    build_archive,
    check_bundle,
    read_manifest,
    unpack_archive,
)
from tests.updates.conftest import CREATED, write_flows


def test_same_folder_gives_the_same_bytes(tmp_path: Path) -> None:
    flows = write_flows(tmp_path / "f", 1)
    build_archive(flows, tmp_path / "a.tar.gz", 1, "0.1.0", created=CREATED)
    (flows / "social-insurance-payments" / "flow.yaml").touch()  # new mtime, same content
    build_archive(flows, tmp_path / "b.tar.gz", 1, "0.1.0", created=CREATED)
    assert (tmp_path / "a.tar.gz").read_bytes() == (tmp_path / "b.tar.gz").read_bytes()
    with tarfile.open(tmp_path / "a.tar.gz") as tar:
        members = tar.getmembers()
    assert members[0].name == "bundle.json"
    assert [m.name for m in members][1:] == sorted(m.name for m in members[1:])
    assert {m.mtime for m in members} == {bundle.FIXED_MTIME_SECONDS}
    assert {(m.uid, m.gid, m.mode) for m in members} == {(0, 0, 0o644)}
    manifest = read_manifest(tmp_path / "a.tar.gz")
    assert manifest.services == ("appointment", "social-insurance-payments")


def test_unpacked_bundle_matches_and_passes_the_default_check(tmp_path: Path) -> None:
    flows = write_flows(tmp_path / "f", 1)
    build_archive(flows, tmp_path / "a.tar.gz", 1, "0.1.0")
    unpack_archive(tmp_path / "a.tar.gz", tmp_path / "slot")
    assert check_bundle(tmp_path / "slot") == []
    assert (tmp_path / "slot" / "appointment" / "flow.yaml").read_bytes() == (
        flows / "appointment" / "flow.yaml").read_bytes()


def _tar_gz(members: list[tuple[str, bytes]]) -> bytes:
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb") as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def test_too_many_members_are_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bundle, "MAX_MEMBERS", 5)
    archive = tmp_path / "many.tar.gz"
    archive.write_bytes(_tar_gz([(f"s/{i}.txt", b"x") for i in range(6)]))
    with pytest.raises(BundleError, match="more than 5 entries"):
        unpack_archive(archive, tmp_path / "slot")
    assert not (tmp_path / "slot").exists()


def test_oversize_members_are_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bundle, "MAX_MEMBER_BYTES", 1000)
    archive = tmp_path / "big.tar.gz"
    archive.write_bytes(_tar_gz([("s/big.bin", b"\0" * 1001)]))
    with pytest.raises(BundleError, match="limit"):
        unpack_archive(archive, tmp_path / "slot")
    assert not (tmp_path / "slot").exists()


def test_content_that_differs_from_the_manifest_is_refused(tmp_path: Path) -> None:
    flows = write_flows(tmp_path / "f", 1)
    manifest = bundle.make_manifest(flows, 1, "0.1.0")
    archive = tmp_path / "swapped.tar.gz"
    swapped = [(str(p.relative_to(flows)), p.read_bytes()) for p in sorted(flows.rglob("*"))
               if p.is_file()]
    swapped[0] = (swapped[0][0], b"id: other\nsteps: [x]\n")
    archive.write_bytes(_tar_gz([("bundle.json", manifest.to_json()), *swapped]))
    with pytest.raises(BundleError, match="sha256 differs"):
        unpack_archive(archive, tmp_path / "slot")


def test_garbage_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "garbage.tar.gz"
    archive.write_bytes(b"not a tar at all" * 10)
    with pytest.raises(BundleError, match="unreadable"):
        unpack_archive(archive, tmp_path / "slot")


def test_app_versions_compare_numerically() -> None:
    assert app_version_satisfies("0.10.0", "0.9.1")
    assert not app_version_satisfies("0.1.0", "0.1.1")
    assert app_version_satisfies("1.0", "1.0.0")
    with pytest.raises(BundleError):
        app_version_satisfies("0.1.0", "latest")


def test_default_check_reports_each_problem(tmp_path: Path) -> None:
    flows = write_flows(tmp_path / "f", 1)
    build_archive(flows, tmp_path / "a.tar.gz", 1, "0.1.0")
    slot = tmp_path / "slot"
    unpack_archive(tmp_path / "a.tar.gz", slot)
    (slot / "social-insurance-payments" / "flow.yaml").write_text("id: [unclosed\n")
    (slot / "appointment" / "flow.yaml").write_text("steps: [a]\n")
    problems = check_bundle(slot)
    assert any("not valid YAML" in p for p in problems)
    assert any("no 'id'" in p for p in problems)
