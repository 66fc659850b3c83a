"""`python -m kiosk.i18n extract|compile|check` (see kiosk.i18n.tools)."""

import sys

from kiosk.i18n.tools import main

sys.exit(main(sys.argv[1:]))
