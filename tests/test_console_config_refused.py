"""`[console]` in the site profile: a console URL that is not https, a token (the plain-http
development mode's), a missing fleet CA file or a key others can read are refused at start,
naming the file and the key (docs/adr/0700); the demo profile may report to a console on
loopback over http; no URL = not reporting."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.boot.settings import ConfigError, load_settings


def _site(tmp_path: Path, console: str) -> Path:
    site = tmp_path / "site.toml"
    site.write_text(f'profile = "site"\nterminal_id = "T-1"\n[console]\n{console}\n',
                    encoding="utf-8")
    return site


def _problems(site: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(site_file=site, environ={})
    return str(info.value)


def _token(tmp_path: Path, mode: int) -> Path:
    token = tmp_path / "console.token"
    token.write_text("t0ken\n", encoding="utf-8")
    token.chmod(mode)
    return token


def test_plain_http_console_refused(tmp_path: Path) -> None:
    site = _site(tmp_path, 'url = "http://console.example"')
    problems = _problems(site)
    assert f"{site}: key 'console.url'" in problems and "https (mutual TLS) only" in problems
    assert "'http://console.example'" in problems


def test_token_refused_in_the_site_profile(tmp_path: Path) -> None:
    token = _token(tmp_path, 0o600)
    site = _site(tmp_path, f'url = "https://console.example"\ntoken_file = "{token}"')
    problems = _problems(site)
    assert f"{site}: key 'console.token_file': the site profile reports with this terminal's " \
        "certificate, not a token" in problems
    assert "console.url" not in problems


def test_console_certificate_files_checked(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.pem"
    site = _site(tmp_path, f'url = "https://console.example"\nca_file = "{missing}"')
    assert f"{site}: key 'console.ca_file': file not found: {missing}" in _problems(site)
    key = tmp_path / "terminal.key"
    key.write_text("not really a key", encoding="utf-8")
    key.chmod(0o644)
    site = _site(tmp_path, f'url = "https://console.example"\nkey_file = "{key}"')
    assert f"key 'console.key_file': {key} is readable by others" in _problems(site)


def test_console_ca_checked_when_set_from_the_environment(tmp_path: Path) -> None:
    site = _site(tmp_path, 'url = "https://console.example"')
    with pytest.raises(ConfigError) as info:
        load_settings(site_file=site, environ={
            "KIOSK__CONSOLE__CA_FILE": str(tmp_path / "gone.pem")})
    assert "environment: key 'console.ca_file'" in str(info.value)
    assert "file not found" in str(info.value)


def test_demo_profile_may_use_http_and_no_url_means_off(tmp_path: Path) -> None:
    settings = load_settings(environ={"KIOSK__CONSOLE__URL": "http://127.0.0.1:8000"})
    assert settings.console.url == "http://127.0.0.1:8000"
    assert load_settings(environ={}).console.url == ""
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"KIOSK__CONSOLE__INTERVAL_SECONDS": "0"})
    assert "KIOSK__CONSOLE__INTERVAL_SECONDS" in str(info.value)
