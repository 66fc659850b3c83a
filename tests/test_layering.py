"""The layering rule (docs/adr/0001-layering.md), checked on every import in the tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: package -> top-level modules it must never import.
BANNED = {
    "drivers": {"kiosk", "flows", "kivy"},
    "flows": {"kiosk", "drivers", "kivy"},
    "kiosk": {"kivy"},  # except kiosk/ui and the composition root, below
    # Identifier rules every layer shares: pure, so it may depend on none of them.
    "identifiers": {"kiosk", "flows", "drivers", "kivy"},
}
KIVY_ALLOWED = ("kiosk/ui/", "kiosk/harness/", "kiosk/boot/launcher.py")  # + the composition root


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(BANNED))
def test_package_respects_layering(package: str) -> None:
    offences = []
    for path in _sources(package):
        rel = path.relative_to(ROOT).as_posix()
        banned = set(BANNED[package])
        if package == "kiosk" and rel.startswith(KIVY_ALLOWED):
            banned.discard("kivy")
        bad = _imports(path) & banned
        if bad:
            offences.append(f"{rel} imports {sorted(bad)}")
    assert not offences, "layering broken:\n" + "\n".join(offences)


def test_layering_check_sees_the_packages() -> None:
    assert _sources("kiosk") and _sources("drivers") and _sources("flows")
    assert _sources("identifiers")


#: The pure core (kiosk/core): no Kivy, no HTTP, no SQLite, no devices, no sockets.
CORE_BANNED = {
    "kivy", "requests", "urllib3", "http", "urllib", "socket", "sqlite3", "serial", "smartcard",
    "cv2", "reportlab", "subprocess",
}
#: The only parts of drivers/ the core may use: device-neutral types and the face analyser's
#: values (pure computation on frames handed to it; the camera itself is opened by adapters).
CORE_ALLOWED_DRIVERS = {"drivers.interfaces", "drivers.status", "drivers.camera.face"}
#: Layers of kiosk/ that the pure core must not reach into.
CORE_BANNED_KIOSK = ("kiosk.ui", "kiosk.boot", "kiosk.ops", "kiosk.harness", "kiosk.sandbox",
                     "kiosk.platform.client", "kiosk.adapters")


def _full_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_pure_core_imports_no_io() -> None:
    offences = []
    for path in _sources("kiosk/core"):
        rel = path.relative_to(ROOT).as_posix()
        full = _full_imports(path)
        bad = {name for name in full if name.split(".")[0] in CORE_BANNED}
        bad |= {name for name in full if name.startswith(CORE_BANNED_KIOSK)}
        bad |= {name for name in full
                if name.split(".")[0] == "drivers" and name not in CORE_ALLOWED_DRIVERS}
        if bad:
            offences.append(f"{rel} imports {sorted(bad)}")
    assert not offences, "the pure core does I/O:\n" + "\n".join(offences)


def test_every_kiosk_module_has_a_home() -> None:
    """No loose modules at kiosk/'s top level: each lives in a folder that names its layer."""
    loose = sorted(p.name for p in (ROOT / "kiosk").glob("*.py"))
    assert loose == ["__init__.py", "__main__.py"], f"loose modules in kiosk/: {loose}"
