#!/usr/bin/env bash
# Set up everything the kiosk and its tests need on a fresh Debian 12 machine:
# system packages (apt), a virtualenv in .venv, and the project with pinned dependencies.
# Idempotent: a second run only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

# One line each; docs/dependencies.md says why each is here.
APT_PACKAGES=(
  libegl1 libegl-mesa0 libgl1-mesa-dri libgl1 libglx-mesa0 libmtdev1  # Kivy rendering (EGL/GL, llvmpipe)
  xvfb x11-apps x11-utils           # a virtual display for `kiosk run` without one; xdpyinfo, xwd
  fonts-wqy-microhei                # system copy of the bundled CJK font (for other tools)
  pcscd libpcsclite-dev vsmartcard-vpcd  # PC/SC daemon, pyscard build headers, virtual reader driver
  cups-ipp-utils dbus               # ippeveprinter (a real IPP printer for tests and demo) and its D-Bus
  poppler-utils                     # pdftoppm / pdftotext: look at printed PDFs
  libusb-1.0-0                      # USB receipt printers (pyusb)
  espeak-ng sox                     # voice guidance
  postgresql                        # the console's production database; tests start a throwaway one
  chromium chromium-driver          # headless browser tests of the console (Selenium, no downloads)
  gcc python3-dev python3-venv      # building pyscard / evdev wheels
  git ca-certificates
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.kiosk-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing the project and its pinned dependencies into .venv"
  .venv/bin/pip install -q --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
  # bytecode written once here: a kiosk started from a read-only or fresh tree does not
  # recompile ~140 modules at every start (docs/adr/0780-touch-to-drawn.md)
  .venv/bin/python -m compileall -q -j 0 kiosk flows drivers identifiers >/dev/null || true
  .venv/bin/python -c "import kivy, serial, smartcard, cv2, reportlab, requests, pydantic, fastapi, sqlalchemy, psycopg" 2>/dev/null \
    || { echo "setup: the Python dependencies did not install; see the pip output above" >&2; exit 1; }
  echo "$want" > "$stamp"
fi
mkdir -p var
# the built-in catalogue's pinyin keys: the kiosk process never loads pypinyin for its search
# (docs/adr/0785-attract-frame-first.md); a bundle's are made once when it is activated
.venv/bin/python -m kiosk.adapters.pinyin_cache >/dev/null \
  || echo "setup: pinyin keys not written (the kiosk computes them at its first start)" >&2
echo "setup: ready"
