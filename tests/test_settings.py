"""Configuration: layered, validated once, errors name file and key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.boot.settings import ConfigError, load_settings


def test_defaults_load_in_demo_profile() -> None:
    settings = load_settings(environ={})
    assert settings.profile == "demo"
    assert settings.devices.idcard.startswith("sim://")
    assert settings.session.idle_timeout_seconds > 0


def test_site_file_and_environment_override(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('terminal_id = "T-1"\n[session]\nidle_timeout_seconds = 90\n', encoding="utf-8")
    settings = load_settings(site_file=site, environ={"KIOSK__SESSION__HARD_CAP_SECONDS": "600"})
    assert settings.terminal_id == "T-1"
    assert settings.session.idle_timeout_seconds == 90
    assert settings.session.hard_cap_seconds == 600


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[session]\nidle_timout_seconds = 90\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(site_file=site, environ={})
    assert str(site) in str(info.value)
    assert "session.idle_timout_seconds" in str(info.value)
    assert "unknown key" in str(info.value)


def test_bad_value_says_what_was_expected(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[session]\nidle_timeout_seconds = "soon"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(site_file=site, environ={})
    message = str(info.value)
    assert str(site) in message and "session.idle_timeout_seconds" in message
    assert "expected" in message and "'soon'" in message


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"KIOSK__PLATFORM__RETRIES": "many"})
    assert "KIOSK__PLATFORM__RETRIES" in str(info.value)


def test_malformed_toml_is_one_clear_message(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[session\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(site_file=site, environ={})
    assert str(site) in str(info.value) and "not valid TOML" in str(info.value)


def test_site_profile_refuses_simulators(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('profile = "site"\n[platform]\nbase_url = "http://x"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(site_file=site, environ={})
    assert "devices.idcard" in str(info.value) and "simulators are refused" in str(info.value)


def test_command_line_exits_2_with_the_message(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("bogus = 1\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "kiosk", "config", "check", "--site", str(site)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "bogus" in proc.stderr and str(site) in proc.stderr
    assert "Traceback" not in proc.stderr
