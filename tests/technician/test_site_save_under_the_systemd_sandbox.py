"""Fault seen on site: the shipped systemd unit made the site file's folder read-only
(ProtectSystem=strict with the file in /etc), so a technician's save could never work there.

The unit is parsed, and the technician's save (kiosk.technician.sitefile.update_site_file) runs
under the unit's own ProtectSystem/ReadWritePaths, reproduced with a private mount namespace: a
copy of the file system's paths made read-only, the unit's ReadWritePaths bound writable."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from kiosk.trust.ca import demo_pki

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "kiosk.service"
OLD_SITE_FILE = "/etc/kiosk/site.toml"


def unit_service() -> dict[str, list[str]]:
    """The [Service] section: key -> every value given (in order)."""
    section, values = "", {}  # type: ignore[var-annotated]
    for raw in UNIT.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]" and "=" in line:
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def environment() -> dict[str, str]:
    """The unit's Environment= settings."""
    env = {}
    for item in unit_service().get("Environment", []):
        key, value = item.split("=", 1)
        env[key] = value
    return env


def writable_paths() -> list[PurePosixPath]:
    """ReadWritePaths (``-`` prefixes, meaning optional, removed)."""
    paths = []
    for value in unit_service().get("ReadWritePaths", []):
        paths += [PurePosixPath(p.lstrip("-")) for p in value.split()]
    return paths


def _inside(path: PurePosixPath, folders: list[PurePosixPath]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def test_the_units_site_file_lies_in_a_writable_path() -> None:
    service = unit_service()
    assert service["ProtectSystem"] == ["strict"]  # everything else is read-only
    site = PurePosixPath(environment()["KIOSK_SITE_FILE"])
    writable = writable_paths()
    assert _inside(site, writable), f"{site} is not under ReadWritePaths {writable}"
    # the save writes a temp file beside it and backups/ below it: the folder must be writable
    assert _inside(site.parent, writable)
    data_dir = PurePosixPath(service["WorkingDirectory"][0]) / "var"  # [paths] data_dir
    assert _inside(data_dir, writable)
    assert not _inside(PurePosixPath(OLD_SITE_FILE), writable)


SAVE = """
import json, sys
from pathlib import Path
from kiosk.technician.sitefile import update_site_file
result = update_site_file(Path(sys.argv[1]), {"devices.receipt_printer": "none"})
print(json.dumps({"ok": result.ok, "reason": result.reason}))
"""


def _save_in_sandbox(fake_root: Path, site_file: str) -> dict[str, object]:
    """Run the save with ``fake_root`` standing for / under the unit's mount settings."""
    binds = " && ".join(
        f"mount --bind {fake_root}{p} {fake_root}{p} && "
        f"mount -o remount,bind,rw {fake_root}{p}" for p in writable_paths())
    script = (f"mount --bind {fake_root} {fake_root} && "
              f"mount -o remount,bind,ro {fake_root} && {binds} && "
              f'exec "$0" -c "$1" "$2"')
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                           sys.executable, SAVE, f"{fake_root}{site_file}"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr[-800:]
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _namespaces_available() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _namespaces_available(),
                    reason="needs mount namespaces (unshare --mount) to reproduce the unit")
def test_technician_save_works_under_the_units_sandbox(tmp_path: Path) -> None:
    fake_root = tmp_path / "root"
    site_file = environment()["KIOSK_SITE_FILE"]
    example = (ROOT / "config" / "site.example.toml").read_text(encoding="utf-8")
    terminal = demo_pki(tmp_path / "pki", "310104-ZZ-0017").terminal  # the example's terminal
    for key, file in (("ca_file", terminal.ca_file), ("cert_file", terminal.cert_file),
                      ("key_file", terminal.key_file)):
        example = re.sub(rf'^{key} = "[^"]*"', f'{key} = "{file}"', example, flags=re.M)
    token = tmp_path / "console.token"  # the console link's token, 0600 as the unit expects
    token.write_text("t" * 32, encoding="utf-8")
    token.chmod(0o600)
    example = re.sub(r'^token_file = "[^"]*"', f'token_file = "{token}"', example, flags=re.M)
    for path in (site_file, OLD_SITE_FILE):
        target = fake_root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(example, encoding="utf-8")
    for folder in writable_paths():
        (fake_root / str(folder).lstrip("/")).mkdir(parents=True, exist_ok=True)

    saved = _save_in_sandbox(fake_root, site_file)
    assert saved == {"ok": True, "reason": ""}
    text = (fake_root / site_file.lstrip("/")).read_text(encoding="utf-8")
    assert 'receipt_printer = "none"' in text
    assert list((fake_root / site_file.lstrip("/")).parent.glob("backups/site.toml.*"))

    old = _save_in_sandbox(fake_root, OLD_SITE_FILE)  # where the file used to be
    assert old["ok"] is False and "cannot write" in str(old["reason"])
    assert "Read-only file system" in str(old["reason"])
