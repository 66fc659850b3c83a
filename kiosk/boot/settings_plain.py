"""`kiosk run`'s configuration: validated once, read plainly at the next starts (docs/adr/0816).

Importing pydantic and building the schema's models cost ~100 ms of CPU before the attract
screen, at every start, for a configuration that rarely changes. `load_for_run` reads and merges
the layers as `kiosk.boot.settings.load_settings` does (no pydantic), and looks for the result of
validating exactly these merged values before: a file in ``<data_dir>/cache/settings/`` named by
the fingerprint of the merged values, the schema's source and pydantic's version. Found: the
validated values are read into `PlainSettings`, which answers like the pydantic `Settings`
(attributes, the file and size helpers, ``model_dump``, ``model_copy``), and the site profile's
checks of files on disk run again (a certificate may have been replaced since). Not found (a
first start, a changed file or variable, a new release): the full validation runs, with its
messages naming file and key, and its result is kept for the next start. Any other command,
tool or test validates with pydantic every time, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from kiosk import REPO_ROOT
from kiosk.boot.settings import (
    DEFAULTS_FILE,
    SECTIONS,
    ConsoleLinkMethods,
    HardwareMethods,
    Layers,
    PlatformMethods,
    SettingsMethods,
    check_profile,
    read_layers,
    validate,
)

if TYPE_CHECKING:
    from kiosk.boot.settings import Settings

#: Where validated configurations are kept, inside the data folder.
CACHE_FOLDER = Path("cache") / "settings"
#: Fingerprints kept (a site that switches between a few files keeps them all).
KEEP_FILES = 4
#: The schema: a change to either file is a new fingerprint.
SCHEMA_FILES = (Path(__file__).with_name("settings.py"),
                Path(__file__).with_name("settings_schema.py"))
FORMAT = "kiosk-settings-1"


def load_for_run(site_file: Path | None = None, environ: dict[str, str] | None = None,
                 defaults_file: Path = DEFAULTS_FILE) -> Settings:
    """The configuration for `kiosk run`: the same answer and the same errors as
    `kiosk.boot.settings.load_settings`, without pydantic when it was validated before."""
    layers = read_layers(site_file, environ, defaults_file)
    folder = cache_folder(layers.merged)
    key = fingerprint(layers)
    if folder is not None and key:
        dump = _read(folder / f"{key}.json")
        if dump is not None:
            plain = plain_settings(dump)
            check_profile(plain, layers.origins)
            return cast("Settings", plain)
    settings = validate(layers)
    if folder is not None and key:
        _write(folder, key, settings.model_dump(mode="json"))
    return settings


def cache_folder(merged: dict[str, Any]) -> Path | None:
    """``<data_dir>/cache/settings`` from the merged values (None if ``paths.data_dir`` is not
    text: the validation will say why)."""
    paths = merged.get("paths")
    data_dir = paths.get("data_dir") if isinstance(paths, dict) else None
    if not isinstance(data_dir, str) or not data_dir:
        return None
    path = Path(data_dir)
    return (path if path.is_absolute() else REPO_ROOT / path) / CACHE_FOLDER


def fingerprint(layers: Layers) -> str:
    """The hash of the merged values, the schema's source and pydantic's version ('' when the
    schema or pydantic cannot be read: no caching then)."""
    digest = hashlib.sha256(FORMAT.encode())
    try:
        for path in SCHEMA_FILES:
            digest.update(path.read_bytes())
        spec = importlib.util.find_spec("pydantic")  # finds, does not import
        if spec is None or spec.origin is None:
            return ""
        digest.update(Path(spec.origin).with_name("version.py").read_bytes())
    except (OSError, ImportError, ValueError):
        return ""
    digest.update(json.dumps(layers.merged, sort_keys=True, ensure_ascii=False,
                             default=_tagged).encode("utf-8"))
    return digest.hexdigest()


def _tagged(value: object) -> dict[str, str]:
    """A TOML date or time in the fingerprint: typed, so never equal to the same text."""
    return {"type": type(value).__name__, "value": str(value)}


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    values = data.get("settings")
    if not isinstance(values, dict) or set(SECTIONS) - set(values):
        return None
    return values


def _write(folder: Path, key: str, values: dict[str, Any]) -> None:
    """Keep ``values`` under ``key`` (atomic, mode 0600); a folder that cannot be written only
    means the next start validates again."""
    target = folder / f"{key}.json"
    tmp = folder / f".{key}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"format": FORMAT, "settings": values}, handle, ensure_ascii=False)
        os.replace(tmp, target)
        old = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in old[KEEP_FILES:]:
            stale.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


class PlainSection:
    """A validated section read back: its keys as attributes, frozen, with pydantic's
    ``model_dump`` and ``model_copy``."""

    _keys: tuple[str, ...]

    def __init__(self, values: dict[str, Any]) -> None:
        object.__setattr__(self, "_keys", tuple(values))
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def model_dump(self, mode: str = "python") -> dict[str, Any]:
        """The values as a dict (tuples as lists in ``json`` mode), as pydantic's."""
        out: dict[str, Any] = {}
        for name in self._keys:
            value = getattr(self, name)
            if isinstance(value, PlainSection):
                value = value.model_dump(mode)
            elif mode == "json" and isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return out

    def model_copy(self, update: dict[str, Any] | None = None) -> Any:
        """A copy with ``update`` applied (not validated, as pydantic's)."""
        values = {name: getattr(self, name) for name in self._keys}
        values.update(update or {})
        return type(self)(values)

    def __eq__(self, other: object) -> bool:
        if not hasattr(other, "model_dump"):
            return NotImplemented
        return bool(self.model_dump() == other.model_dump())

    def __hash__(self) -> int:
        return hash(json.dumps(self.model_dump(mode="json"), sort_keys=True))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._keys)
        return f"{type(self).__name__}({inner})"


class PlainPlatformSettings(PlatformMethods, PlainSection):
    """[platform], read back."""


class PlainHardwareSettings(HardwareMethods, PlainSection):
    """[hardware], read back."""


class PlainConsoleLinkSettings(ConsoleLinkMethods, PlainSection):
    """[console], read back."""


class PlainSettings(SettingsMethods, PlainSection):
    """The whole configuration, read back (see the module's text)."""


SECTION_TYPES: dict[str, type[PlainSection]] = {
    "platform": PlainPlatformSettings, "hardware": PlainHardwareSettings,
    "console": PlainConsoleLinkSettings}


def plain_settings(values: dict[str, Any]) -> PlainSettings:
    """`PlainSettings` from ``Settings.model_dump(mode="json")`` (lists back to tuples: every
    list-like key of the schema is a tuple)."""
    top: dict[str, Any] = {}
    for name, value in values.items():
        if name in SECTIONS and isinstance(value, dict):
            section = {key: tuple(item) if isinstance(item, list) else item
                       for key, item in value.items()}
            top[name] = SECTION_TYPES.get(name, PlainSection)(section)
        else:
            top[name] = value
    return PlainSettings(top)
