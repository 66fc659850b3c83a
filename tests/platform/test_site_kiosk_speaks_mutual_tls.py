"""A kiosk in the site profile talks to the platform only over mutual TLS.

The real composition (build_kiosk) with a site file: https URL, the terminal's enrolled
certificate and key, the platform's CA. It identifies a resident at the sandbox started as in
production; the same kiosk with its certificate revoked is refused at once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.adapters.identity import PlatformVerifier, VerificationRefused
from kiosk.boot.composition import build_kiosk
from kiosk.boot.settings import load_settings
from kiosk.core.tasks import InlineRunner
from kiosk.sandbox import SandboxHandle
from kiosk.sandbox.seed import by_key
from tests.platform.conftest import TestPki

DEVICES = ('[devices]\nidcard = "none"\nsmartcard = "none"\ncamera = "none"\nscanner = "none"\n'
           'receipt_printer = "none"\ndocument_printer = "none"\n')


def test_site_kiosk_identifies_over_mutual_tls(tmp_path: Path, sandbox: SandboxHandle,
                                               pki: TestPki) -> None:
    files = pki.client_files("SITE-HALL-04")
    site = tmp_path / "site.toml"
    site.write_text(
        'profile = "site"\nterminal_id = "SITE-HALL-04"\n'
        f'[paths]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[platform]\nbase_url = "{sandbox.url}"\n'
        + "".join(f'{key} = "{value}"\n' for key, value in files.items()) + DEVICES,
        encoding="utf-8",
    )
    settings = load_settings(site_file=site, environ={})
    assert settings.profile == "site" and settings.platform.base_url.startswith("https://")
    parts = build_kiosk(settings, InlineRunner())
    try:
        assert parts.sandbox is None  # the configured platform, nothing embedded
        resident = by_key("worker")

        class Card:
            id_number, name = resident.id_number, resident.name

        token, display_name = PlatformVerifier(parts.client).verify("idcard", Card())
        assert token and display_name.startswith(resident.name[0])
        assert parts.client.profile(token).id_number == resident.id_number
        pki.ca.revoke("SITE-HALL-04")
        with pytest.raises(VerificationRefused) as refused:
            PlatformVerifier(parts.client).verify("idcard", Card())
        assert refused.value.message == "终端证书已吊销，拒绝访问"
    finally:
        parts.close()
