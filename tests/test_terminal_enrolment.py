"""`kiosk ca`: each terminal gets its own key pair and certificate; keys are 0600; the demo's
throwaway CA is made once in the data folder and reused; errors are plain."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kiosk.trust import cli as ca_cli
from kiosk.trust.ca import CertificateAuthority, demo_pki, read_revoked


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_enrol_writes_a_private_key_and_a_client_certificate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ca_dir = tmp_path / "ca"
    assert ca_cli.main(["--ca", str(ca_dir), "init"]) == 0
    assert ca_cli.main(["--ca", str(ca_dir), "enrol", "310104-ZZ-0017",
                        "--out", str(tmp_path / "t17")]) == 0
    assert ca_cli.main(["--ca", str(ca_dir), "enrol", "310104-ZZ-0018",
                        "--out", str(tmp_path / "t18")]) == 0
    out = capsys.readouterr().out
    assert "BEGIN" not in out  # no key material printed
    assert _mode(ca_dir / "ca.key") == 0o600 and _mode(tmp_path / "t17" / "terminal.key") == 0o600
    cert = x509.load_pem_x509_certificate((tmp_path / "t17" / "terminal.pem").read_bytes())
    other = x509.load_pem_x509_certificate((tmp_path / "t18" / "terminal.pem").read_bytes())
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "310104-ZZ-0017"
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert cert.public_key() != other.public_key()  # a key pair of its own
    assert (tmp_path / "t17" / "terminal.key").read_bytes() != (
        tmp_path / "t18" / "terminal.key").read_bytes()


def test_plain_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ca_cli.main(["--ca", str(tmp_path / "none"), "enrol", "T-1",
                        "--out", str(tmp_path / "x")]) == 1
    assert "kiosk ca init" in capsys.readouterr().err
    assert ca_cli.main(["--ca", str(tmp_path / "ca"), "init"]) == 0
    assert ca_cli.main(["--ca", str(tmp_path / "ca"), "init"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert ca_cli.main(["--ca", str(tmp_path / "ca"), "enrol", "bad id/..",
                        "--out", str(tmp_path / "x")]) == 1
    assert "terminal id" in capsys.readouterr().err


def test_the_demo_pki_is_made_once_and_renewed_when_revoked(tmp_path: Path) -> None:
    first = demo_pki(tmp_path / "pki", "DEMO-0001")
    issued = first.terminal.cert_file.read_bytes()
    again = demo_pki(tmp_path / "pki", "DEMO-0001")
    assert again.terminal.cert_file.read_bytes() == issued
    assert _mode(first.terminal.key_file) == 0o600 and _mode(first.server.key_file) == 0o600
    CertificateAuthority.open(tmp_path / "pki" / "ca").revoke("DEMO-0001")
    assert read_revoked(first.ca.revoked_file)
    renewed = demo_pki(tmp_path / "pki", "DEMO-0001")
    assert renewed.terminal.cert_file.read_bytes() != issued


def test_keys_are_never_written_into_the_repository(capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk import REPO_ROOT

    assert ca_cli.main(["--ca", str(REPO_ROOT / "config" / "ca"), "init"]) == 1
    assert "inside the repository" in capsys.readouterr().err
    assert not (REPO_ROOT / "config" / "ca").exists()
