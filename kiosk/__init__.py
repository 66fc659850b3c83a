"""The kiosk application: UI, session lifecycle, configuration, platform client and composition.

`kiosk` sits above `flows` and `drivers`; see docs/adr/0001-layering.md.
"""

from pathlib import Path

__version__ = "0.1.0"

#: The repository root: the kiosk runs from its checkout (firmware style), so assets,
#: configuration and the built-in flow catalogue are found relative to it.
REPO_ROOT = Path(__file__).resolve().parent.parent
