"""`kiosk run` spent ~100 ms of CPU importing pydantic and building the schema before the
attract screen at every start, for a configuration that had not changed. It now validates a
configuration once and reads the validated values plainly at the next starts
(kiosk/boot/settings_plain.py, docs/adr/0816). A changed file or variable is validated again,
with the same message naming the file and the key; a damaged cache is ignored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kiosk import REPO_ROOT
from kiosk.boot.settings import SECTIONS, TOP_LEVEL_KEYS, ConfigError, load_settings, read_layers
from kiosk.boot.settings_plain import PlainSettings, cache_folder, load_for_run
from kiosk.boot.settings_schema import Settings


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    return {"KIOSK__PATHS__DATA_DIR": str(tmp / "data"), "KIOSK__TERMINAL_ID": "T-PLAIN-1",
            "KIOSK__VIDEO__QUEUES": "district:110105,local", **extra}


def test_the_second_start_reads_the_same_values_without_validating(tmp_path: Path) -> None:
    env = _env(tmp_path)
    site = tmp_path / "site.toml"
    site.write_text("[hardware]\nreceipt_paper_width_mm = 58\n", encoding="utf-8")
    first = load_for_run(site_file=site, environ=env)
    second = load_for_run(site_file=site, environ=env)
    assert isinstance(first, Settings)
    assert isinstance(second, PlainSettings)
    assert second.model_dump() == first.model_dump()
    assert second.model_dump(mode="json") == first.model_dump(mode="json")
    assert second.video.queues == ("district:110105", "local")  # tuples, as validated
    assert second.data_dir == first.data_dir == tmp_path / "data"
    assert second.hardware.receipt_width_chars == first.hardware.receipt_width_chars == 32
    assert second.hardware.camera_size == first.hardware.camera_size
    for key in ("ca_file", "cert_file", "key_file"):
        assert second.platform.resolved(key) == first.platform.resolved(key)
    assert second.console.resolved_token_file() == first.console.resolved_token_file()
    changed = second.hardware.model_copy(update={"receipt_paper_width_mm": 80})
    assert changed.receipt_width_chars == 48 and second.hardware.receipt_width_chars == 32
    with pytest.raises(AttributeError):
        second.profile = "site"  # type: ignore[misc]


def test_a_changed_variable_is_validated_again_with_the_same_message(tmp_path: Path) -> None:
    load_for_run(environ=_env(tmp_path))
    bad = _env(tmp_path, KIOSK__DISPLAY__MAX_FPS="5")
    with pytest.raises(ConfigError) as plain:
        load_for_run(environ=bad)
    with pytest.raises(ConfigError) as full:
        load_settings(environ=bad)
    assert str(plain.value) == str(full.value)
    assert "KIOSK__DISPLAY__MAX_FPS" in str(plain.value) and "display.max_fps" in str(plain.value)


def test_a_changed_site_file_is_validated_again(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[session]\nidle_timeout_seconds = 90\n", encoding="utf-8")
    env = _env(tmp_path)
    assert load_for_run(site_file=site, environ=env).session.idle_timeout_seconds == 90
    assert load_for_run(site_file=site, environ=env).session.idle_timeout_seconds == 90
    site.write_text("[session]\nidle_timout_seconds = 90\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_for_run(site_file=site, environ=env)
    assert str(site) in str(info.value) and "session.idle_timout_seconds" in str(info.value)


def test_a_damaged_or_foreign_cache_file_is_ignored(tmp_path: Path) -> None:
    env = _env(tmp_path)
    load_for_run(environ=env)
    folder = cache_folder(read_layers(environ=env).merged)
    assert folder is not None
    (cached,) = folder.glob("*.json")
    assert cached.stat().st_mode & 0o077 == 0  # the terminal's own file
    for text in ("{not json", json.dumps({"format": "other", "settings": {}}),
                 json.dumps({"format": "kiosk-settings-1", "settings": {"profile": "demo"}})):
        cached.write_text(text, encoding="utf-8")
        settings = load_for_run(environ=env)
        assert isinstance(settings, Settings)  # validated again, and kept again
        assert settings.terminal_id == "T-PLAIN-1"


def test_the_plain_reading_knows_every_section_of_the_schema() -> None:
    sections = {name for name, field in Settings.model_fields.items()
                if isinstance(field.annotation, type) and hasattr(field.annotation,
                                                                  "model_fields")}
    assert set(SECTIONS) == sections
    assert set(TOP_LEVEL_KEYS) == set(Settings.model_fields) - sections


def test_kiosk_run_configuration_loads_without_pydantic_the_second_time(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys
        from kiosk.boot.settings_plain import load_for_run
        settings = load_for_run(environ={_env(tmp_path)!r})
        print(type(settings).__name__, "pydantic" in sys.modules, settings.terminal_id)
    """)
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           env=env, timeout=120) for _ in range(2)]
    for done in runs:
        assert done.returncode == 0, done.stderr[-2000:]
    assert runs[0].stdout.split() == ["Settings", "True", "T-PLAIN-1"]
    assert runs[1].stdout.split() == ["PlainSettings", "False", "T-PLAIN-1"]
