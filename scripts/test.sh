#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run ruff, mypy (zero errors on kiosk, flows, drivers), the built-in
# catalogue lint and the whole test suite; any failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export KIVY_HOME="$PWD/var/kivy-home" KIVY_NO_CONSOLELOG=1 KIVY_NO_ARGS=1
.venv/bin/ruff check kiosk drivers flows tests
.venv/bin/mypy kiosk flows drivers
if .venv/bin/kiosk flows --help >/dev/null 2>&1; then
  .venv/bin/kiosk flows lint flows/catalogue
fi
exec .venv/bin/python -m pytest "$@"
