"""Terminal identity: a small CA that issues each terminal its own certificate (docs/adr/0410).

`kiosk ca` (kiosk/trust/cli.py) is the admin side: create the CA, enrol a terminal, issue the
platform's server certificate, revoke a terminal. The platform client and the sandbox use the
files it writes for mutual TLS.
"""

from kiosk.trust.ca import (
    CaError,
    CertificateAuthority,
    Credentials,
    DemoPki,
    demo_pki,
    read_revoked,
)

__all__ = ["CaError", "CertificateAuthority", "Credentials", "DemoPki", "demo_pki", "read_revoked"]
