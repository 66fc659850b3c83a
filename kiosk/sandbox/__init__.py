"""The sandbox service platform: a real HTTP server over SQLite for the demo and the tests.

`start_sandbox(db_path)` runs it embedded on a free loopback port and returns a handle with
``.url`` and ``.stop()``; ``kiosk sandbox`` runs it standalone. See docs/api/openapi.yaml.
"""

from kiosk.sandbox.server import SandboxHandle, start_sandbox

__all__ = ["SandboxHandle", "start_sandbox"]
