"""Which platform: the configured URL, or the embedded sandbox in the demo profile only."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.boot.settings import PlatformSettings, Settings
from kiosk.platform.connect import PlatformConfigError, connect


def test_demo_without_url_starts_the_embedded_sandbox(tmp_path: Path) -> None:
    connection = connect(Settings(profile="demo"), data_dir=tmp_path)
    try:
        assert connection.sandbox is not None
        assert connection.client.health().status == "ok"
        assert (tmp_path / "sandbox.sqlite3").exists()
    finally:
        connection.close()


def test_site_profile_needs_a_url() -> None:
    with pytest.raises(PlatformConfigError, match=r"platform\.base_url"):
        connect(Settings(profile="site"))


def test_configured_url_is_used_as_is() -> None:
    settings = Settings(
        profile="site",
        terminal_id="HALL-01",
        platform=PlatformSettings(
            base_url="http://platform.example:8080/", timeout_seconds=3, retries=4
        ),
    )
    connection = connect(settings)
    assert connection.sandbox is None and connection.base_url == "http://platform.example:8080"
    assert (connection.client.retries, connection.client.terminal_id) == (4, "HALL-01")
    connection.close()
