"""A small certificate authority for terminals and the platform (docs/adr/0410).

A CA folder holds ``ca.key`` (0600), ``ca.pem``, ``issued.tsv`` (serial, terminal, not-after)
and ``revoked.txt`` (one certificate serial in hex per line, ``#`` comments). `enrol` issues a
terminal its own key pair and certificate (CN = terminal id, client authentication only);
`issue_server` issues the platform's TLS certificate; `revoke` appends every certificate of a
terminal to ``revoked.txt``, which the sandbox platform reads on each request. Keys are elliptic
P-256, written 0600 through a temporary file, and never printed.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_KEY = "ca.key"
CA_CERT = "ca.pem"
ISSUED = "issued.tsv"
REVOKED = "revoked.txt"
TERMINAL_KEY = "terminal.key"
TERMINAL_CERT = "terminal.pem"
SERVER_KEY = "server.key"
SERVER_CERT = "server.pem"
CA_YEARS = 10
TERMINAL_DAYS = 397
SERVER_DAYS = 397
TERMINAL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class CaError(Exception):
    """A CA operation failed; the message names the file or the value at fault."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """Where a certificate, its key and the CA that signed it are on disk."""

    cert_file: Path
    key_file: Path
    ca_file: Path


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by the owner only (0600), replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    os.chmod(path, 0o600)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def serial_hex(cert: x509.Certificate) -> str:
    """A certificate's serial as lower-case hex (the form ``revoked.txt`` holds)."""
    return format(cert.serial_number, "x")


class CertificateAuthority:
    """The CA in one folder (create it with `create`, open it with `open`)."""

    def __init__(self, folder: Path, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate):
        self.folder = folder
        self._key = key
        self.cert = cert

    @property
    def ca_file(self) -> Path:
        """The CA certificate (what terminals and the platform trust)."""
        return self.folder / CA_CERT

    @property
    def revoked_file(self) -> Path:
        """The revocation list the platform checks on every request."""
        return self.folder / REVOKED

    @classmethod
    def create(cls, folder: Path, name: str = "Kiosk Terminal CA") -> CertificateAuthority:
        """Make a new CA in ``folder``; refuse when one is already there."""
        folder = Path(folder)
        if (folder / CA_KEY).exists():
            raise CaError(f"{folder / CA_KEY}: a CA already exists here")
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        write_private(folder / CA_KEY, _key_pem(key))
        (folder / CA_CERT).write_bytes(_cert_pem(cert))
        (folder / REVOKED).touch()
        (folder / ISSUED).touch()
        return cls(folder, key, cert)

    @classmethod
    def open(cls, folder: Path) -> CertificateAuthority:
        """Load the CA in ``folder``."""
        folder = Path(folder)
        try:
            key = serialization.load_pem_private_key((folder / CA_KEY).read_bytes(), None)
            cert = x509.load_pem_x509_certificate((folder / CA_CERT).read_bytes())
        except FileNotFoundError as exc:
            raise CaError(f"{exc.filename}: no CA here (create one with `kiosk ca init`)") from None
        except (ValueError, TypeError) as exc:
            raise CaError(f"{folder}: the CA files are unreadable ({exc})") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise CaError(f"{folder / CA_KEY}: not an elliptic-curve key")
        return cls(folder, key, cert)

    @classmethod
    def open_or_create(cls, folder: Path) -> CertificateAuthority:
        """The CA in ``folder``, created when absent (the demo's throwaway CA)."""
        if (Path(folder) / CA_KEY).exists():
            return cls.open(folder)
        return cls.create(folder, name="Kiosk Demo CA (throwaway)")

    def _issue(
        self,
        common_name: str,
        key: ec.EllipticCurvePrivateKey,
        days: int,
        usage: x509.ObjectIdentifier,
        sans: Iterable[x509.GeneralName] = (),
    ) -> x509.Certificate:
        now = _now()
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), False
            )
        )
        names = list(sans)
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return builder.sign(self._key, hashes.SHA256())

    def enrol(self, terminal_id: str, out_dir: Path) -> Credentials:
        """Issue ``terminal_id`` a new key pair and certificate into ``out_dir``."""
        if not TERMINAL_ID_RE.match(terminal_id):
            raise CaError(
                f"terminal id {terminal_id!r}: expected letters, digits, '.', '_' or '-' "
                "(at most 64)"
            )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = self._issue(terminal_id, key, TERMINAL_DAYS, ExtendedKeyUsageOID.CLIENT_AUTH)
        out = Path(out_dir)
        write_private(out / TERMINAL_KEY, _key_pem(key))
        (out / TERMINAL_CERT).write_bytes(_cert_pem(cert))
        (out / CA_CERT).write_bytes(_cert_pem(self.cert))
        with (self.folder / ISSUED).open("a", encoding="utf-8") as index:
            index.write(f"{serial_hex(cert)}\t{terminal_id}\t{cert.not_valid_after_utc:%Y-%m-%d}\n")
        return Credentials(out / TERMINAL_CERT, out / TERMINAL_KEY, out / CA_CERT)

    def issue_server(self, hosts: Iterable[str], out_dir: Path) -> Credentials:
        """Issue the platform's TLS server certificate for ``hosts`` (names or IPs)."""
        hosts = list(hosts)
        if not hosts:
            raise CaError("a server certificate needs at least one host name or address")
        sans: list[x509.GeneralName] = []
        for host in hosts:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                sans.append(x509.DNSName(host))
        key = ec.generate_private_key(ec.SECP256R1())
        cert = self._issue(hosts[0], key, SERVER_DAYS, ExtendedKeyUsageOID.SERVER_AUTH, sans)
        out = Path(out_dir)
        write_private(out / SERVER_KEY, _key_pem(key))
        (out / SERVER_CERT).write_bytes(_cert_pem(cert))
        (out / CA_CERT).write_bytes(_cert_pem(self.cert))
        return Credentials(out / SERVER_CERT, out / SERVER_KEY, out / CA_CERT)

    def issued(self) -> list[tuple[str, str, str]]:
        """(serial, terminal id, not after) of every certificate issued, oldest first."""
        path = self.folder / ISSUED
        if not path.exists():
            return []
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 3:
                rows.append((parts[0], parts[1], parts[2]))
        return rows

    def revoke(self, terminal_id: str) -> list[str]:
        """Revoke every certificate issued to ``terminal_id``; return the serials newly listed."""
        serials = [serial for serial, tid, _ in self.issued() if tid == terminal_id]
        if not serials:
            raise CaError(f"terminal {terminal_id!r}: no certificate was issued to it by this CA")
        already = read_revoked(self.revoked_file)
        new = [s for s in serials if s not in already]
        if new:
            stamp = f"{_now():%Y-%m-%dT%H:%M:%SZ}"
            with self.revoked_file.open("a", encoding="utf-8") as handle:
                for serial in new:
                    handle.write(f"{serial}  # {terminal_id} {stamp}\n")
                handle.flush()
                os.fsync(handle.fileno())
        return new


def read_revoked(path: Path) -> frozenset[str]:
    """The serials listed in a revocation file (missing file: none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return frozenset()
    serials = set()
    for line in text.splitlines():
        value = line.split("#", 1)[0].strip().lower()
        if value:
            serials.add(value)
    return frozenset(serials)


@dataclass(frozen=True, slots=True)
class DemoPki:
    """The demo's throwaway PKI: a CA, the sandbox's server certificate, one terminal's."""

    ca: CertificateAuthority
    server: Credentials
    terminal: Credentials


def demo_pki(folder: Path, terminal_id: str, hosts: Iterable[str] = ("127.0.0.1",)) -> DemoPki:
    """Create (first time) or reuse a throwaway CA in ``folder`` with its two certificates."""
    folder = Path(folder)
    ca = CertificateAuthority.open_or_create(folder / "ca")
    server_dir, terminal_dir = folder / "server", folder / "terminal" / terminal_id
    if (server_dir / SERVER_CERT).exists() and (server_dir / SERVER_KEY).exists():
        server = Credentials(server_dir / SERVER_CERT, server_dir / SERVER_KEY, ca.ca_file)
    else:
        server = ca.issue_server(hosts, server_dir)
    revoked = read_revoked(ca.revoked_file)
    cert_path = terminal_dir / TERMINAL_CERT
    fresh = cert_path.exists() and (terminal_dir / TERMINAL_KEY).exists()
    if fresh:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        fresh = serial_hex(cert) not in revoked and cert.not_valid_after_utc > _now()
    if fresh:
        terminal = Credentials(cert_path, terminal_dir / TERMINAL_KEY, ca.ca_file)
    else:
        terminal = ca.enrol(terminal_id, terminal_dir)
    return DemoPki(ca, server, terminal)
