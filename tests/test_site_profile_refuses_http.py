"""The site profile talks to the platform over https with the terminal's own certificate only.

An http URL, or a missing certificate, key or CA file, is a configuration error naming the
file and the key (exit 2 from `kiosk config check`, never a traceback).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.boot.settings import ConfigError, load_settings
from kiosk.trust.ca import CertificateAuthority

DEVICES = ('[devices]\nidcard = "none"\nsmartcard = "none"\ncamera = "none"\nscanner = "none"\n'
           'receipt_printer = "none"\ndocument_printer = "none"\n')


def _site(tmp_path: Path, platform: str) -> Path:
    site = tmp_path / "site.toml"
    site.write_text(f'profile = "site"\nterminal_id = "HALL-01"\n[platform]\n{platform}\n'
                    + DEVICES, encoding="utf-8")
    return site


@pytest.fixture
def enrolled(tmp_path: Path) -> dict[str, str]:
    creds = CertificateAuthority.create(tmp_path / "ca").enrol("HALL-01", tmp_path / "tls")
    return {"ca_file": str(creds.ca_file), "cert_file": str(creds.cert_file),
            "key_file": str(creds.key_file)}


def _files(files: dict[str, str]) -> str:
    return "\n".join(f'{key} = "{value}"' for key, value in files.items())


def test_http_url_is_refused_naming_file_and_key(tmp_path: Path,
                                                 enrolled: dict[str, str]) -> None:
    site = _site(tmp_path, f'base_url = "http://gov.example/api"\n{_files(enrolled)}')
    with pytest.raises(ConfigError) as caught:
        load_settings(site_file=site, environ={})
    message = str(caught.value)
    assert str(site) in message and "'platform.base_url'" in message
    assert "https" in message and "http://gov.example/api" in message


def test_http_from_the_environment_names_the_variable(tmp_path: Path,
                                                      enrolled: dict[str, str]) -> None:
    site = _site(tmp_path, f'base_url = "https://gov.example/api"\n{_files(enrolled)}')
    with pytest.raises(ConfigError) as caught:
        load_settings(site_file=site, environ={"KIOSK__PLATFORM__BASE_URL": "http://evil"})
    assert "'platform.base_url'" in str(caught.value) and "environment" in str(caught.value)


def test_missing_certificate_files_are_named(tmp_path: Path, enrolled: dict[str, str]) -> None:
    files = dict(enrolled, key_file=str(tmp_path / "nowhere.key"))
    del files["ca_file"]
    site = _site(tmp_path, f'base_url = "https://gov.example/api"\n{_files(files)}')
    with pytest.raises(ConfigError) as caught:
        load_settings(site_file=site, environ={})
    message = str(caught.value)
    assert "'platform.ca_file'" in message and "needs the CA file" in message
    assert "'platform.key_file'" in message and "nowhere.key" in message
    assert "'platform.cert_file'" not in message


def test_https_with_the_terminals_files_loads(tmp_path: Path, enrolled: dict[str, str]) -> None:
    site = _site(tmp_path, f'base_url = "https://gov.example/api"\n{_files(enrolled)}')
    settings = load_settings(site_file=site, environ={})
    assert settings.platform.resolved("cert_file") == enrolled["cert_file"]


def test_the_demo_profile_may_keep_loopback_http(tmp_path: Path) -> None:
    settings = load_settings(environ={"KIOSK__PLATFORM__BASE_URL": "http://127.0.0.1:8765"})
    assert settings.profile == "demo" and settings.platform.base_url.startswith("http://")


def test_config_check_exits_2_without_a_traceback(tmp_path: Path,
                                                  enrolled: dict[str, str]) -> None:
    site = _site(tmp_path, f'base_url = "http://gov.example/api"\n{_files(enrolled)}')
    proc = subprocess.run([sys.executable, "-m", "kiosk", "config", "check", "--site", str(site)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "platform.base_url" in proc.stderr and str(site) in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_certificate_of_another_terminal_is_refused(tmp_path: Path,
                                                      enrolled: dict[str, str]) -> None:
    site = _site(tmp_path, f'base_url = "https://gov.example/api"\n{_files(enrolled)}')
    with pytest.raises(ConfigError) as caught:
        load_settings(site_file=site, environ={"KIOSK__TERMINAL_ID": "HALL-02"})
    message = str(caught.value)
    assert "'terminal_id'" in message and "HALL-01" in message and "kiosk ca enrol" in message


def test_a_key_readable_by_others_is_refused(tmp_path: Path, enrolled: dict[str, str]) -> None:
    Path(enrolled["key_file"]).chmod(0o644)
    site = _site(tmp_path, f'base_url = "https://gov.example/api"\n{_files(enrolled)}')
    with pytest.raises(ConfigError) as caught:
        load_settings(site_file=site, environ={})
    assert "'platform.key_file'" in str(caught.value) and "0600" in str(caught.value)
