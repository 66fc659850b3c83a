"""One process, one PC/SC socket: libpcsclite fixes the pcscd socket path at its first call in a
process, and technician discovery (kiosk.technician.discovery.pcsc_readers) makes such a call.
Were it made before any smartcard simulator had started, the process would be tied to the
system's pcscd and the technician-card test's simulated reader would never be reached. So,
before any test runs, this process's PC/SC client is pointed at the path every smartcard
simulator of this process uses (drivers.smartcard.simulator: one directory per process)."""

from __future__ import annotations

import os

from drivers.smartcard.pcscd import Pcscd
from drivers.smartcard.simulator import process_workdir

if "PCSCLITE_CSOCK_NAME" not in os.environ:
    Pcscd(process_workdir(), []).use_in_this_process()
