#!/usr/bin/env bash
# Set up (scripts/setup.sh) and start the kiosk full screen in the demo profile:
# simulated devices and the embedded sandbox service platform.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export KIVY_HOME="$PWD/var/kivy-home"
exec .venv/bin/kiosk run "$@"
