"""Social security card and other PC/SC cards: factory for the reader driver.

``open_smartcard_reader("pcsc://<regex>")`` watches the readers whose names match the regex
(empty: all readers); ``open_smartcard_reader("sim://smartcard")`` first starts a private pcscd
with a vpcd virtual reader and returns the same real driver, with ``.simulator`` to insert and
remove virtual cards and set faults.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from drivers.smartcard.pcsc import PcscReader
from drivers.smartcard.simulator import SmartcardSimulator

__all__ = ["PcscReader", "SimulatedPcscReader", "SmartcardSimulator", "open_smartcard_reader"]

SIM_URL = "sim://smartcard"
PCSC_SCHEME = "pcsc://"
_SIM_OPTIONS = ("workdir", "reader_name", "isolate")


class SimulatedPcscReader(PcscReader):
    """The real driver bound to a simulator it owns; stopping it stops the simulator too."""

    def __init__(self, simulator: SmartcardSimulator, **options: Any) -> None:
        super().__init__(reader_pattern=simulator.reader_pattern, **options)
        self.simulator = simulator

    def stop(self) -> None:
        """Stop the driver, then the simulated pcscd and cards."""
        super().stop()
        self.simulator.stop()


def open_smartcard_reader(url: str, *, allow_simulator: bool = True,
                          **options: Any) -> PcscReader:
    """Build the reader driver for ``url`` (``pcsc://<regex>`` or ``sim://smartcard``).

    Options go to `PcscReader` (name, poll_timeout_ms, reconnect_delay_s, today); for the
    simulator also workdir, reader_name, isolate. Raises ValueError for a bad URL,
    RuntimeError when the simulator's pcscd cannot start (a set-up error, not a device fault).
    """
    if url == SIM_URL or url.startswith(SIM_URL + "?"):
        if not allow_simulator:
            raise ValueError("simulated devices are refused in production")
        sim_options = {k: options.pop(k) for k in _SIM_OPTIONS if k in options}
        simulator = SmartcardSimulator(**sim_options)
        if not simulator.start():
            simulator.stop()
            raise RuntimeError(f"simulated pcscd did not start: {simulator.pcscd.failure}")
        return SimulatedPcscReader(simulator, **options)
    if url.startswith(PCSC_SCHEME):
        pattern = unquote(url[len(PCSC_SCHEME):]) or ".*"
        return PcscReader(reader_pattern=pattern, **options)
    raise ValueError(f"unsupported smart card URL {url!r}; use pcsc://<regex> or {SIM_URL}")
