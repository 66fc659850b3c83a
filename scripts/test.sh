#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run ruff, mypy (zero errors on kiosk, flows, drivers), the built-in
# catalogue lint and the test suite; any failure fails the run.
#   bash scripts/test.sh            everything (what CI runs)
#   bash scripts/test.sh --fast     the edit loop: the same, less the tests marked slow
# Other arguments go to pytest (e.g. a folder, -x, -k NAME).
set -euo pipefail
cd "$(dirname "$0")/.."
markers=()
args=()
for arg in "$@"; do
  if [[ "$arg" == "--fast" ]]; then
    markers=(-m "not slow")
  else
    args+=("$arg")
  fi
done
bash scripts/setup.sh
export KIVY_HOME="$PWD/var/kivy-home" KIVY_NO_CONSOLELOG=1 KIVY_NO_ARGS=1
.venv/bin/ruff check kiosk drivers flows identifiers tests
.venv/bin/mypy kiosk flows drivers identifiers
if .venv/bin/kiosk flows --help >/dev/null 2>&1; then
  .venv/bin/kiosk flows lint flows/catalogue
fi
exec .venv/bin/python -m pytest "${markers[@]}" "${args[@]}"
