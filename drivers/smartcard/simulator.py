"""The smart card simulator: a private pcscd with a vpcd reader and virtual cards to insert.

Used by ``sim://smartcard`` (demo) and by the tests. Everything is real except the card: the
driver talks to pcscd through libpcsclite, pcscd talks to the vpcd reader driver, and vpcd talks
over TCP to `VpcdCard`, which answers with `SocialSecurityApplet`.

One vpcd config gives two PC/SC readers ("<name> 00 00" and "<name> 00 01", the driver's two
slots on ports P and P+1): those are the simulator's readers 0 and 1. A second vpcd config in the
same pcscd does not work: libifdvpcd keeps one connection per slot number in global state, so
two configs overwrite each other's port.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from drivers.smartcard.pcscd import Pcscd, VirtualReader, free_port_pair
from drivers.smartcard.virtual_card import (
    CARDHOLDERS,
    CardFault,
    Cardholder,
    SocialSecurityApplet,
    VpcdCard,
)

DEFAULT_READER_NAME = "Kiosk Virtual Reader"
READER_COUNT = 2


def process_workdir() -> Path:
    """The directory (so the pcscd socket path) every simulator of this process uses."""
    return Path(tempfile.gettempdir()) / f"kiosk-pcscd-{os.getpid()}"


class SmartcardSimulator:
    """A pcscd with one vpcd reader config (two PC/SC readers) and cards to put in them."""

    def __init__(self, workdir: Path | None = None, reader_name: str = DEFAULT_READER_NAME,
                 isolate: bool | None = None) -> None:
        self._own_workdir = workdir is None
        # libpcsclite caches the socket path per process: one default directory per process
        # keeps every simulator of this process on the same path.
        self.workdir = Path(workdir or process_workdir())
        self.base_name = reader_name
        self.vpcd = VirtualReader(reader_name, free_port_pair())
        self.pcscd = Pcscd(self.workdir, [self.vpcd], isolate=isolate)
        self._cards: dict[int, VpcdCard] = {}
        self._fault = CardFault.NONE
        self._after_apdus = 6

    @property
    def reader_pattern(self) -> str:
        """A regex matching this simulator's readers only."""
        return "^" + re.escape(self.base_name) + " "

    def reader_name(self, reader: int = 0) -> str:
        """The PC/SC name of reader 0 or 1."""
        return self.vpcd.slot_name(reader)

    def start(self) -> bool:
        """Start pcscd and point this process's PC/SC client at it."""
        self.pcscd.use_in_this_process()
        return self.pcscd.start()

    def stop(self) -> None:
        """Remove all cards, stop pcscd, delete a temporary work directory."""
        self._remove_all()
        self.pcscd.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def insert(self, card: Cardholder | SocialSecurityApplet | None = None,
               reader: int = 0) -> bool:
        """Put a card in reader 0 or 1 (default: the first invented cardholder)."""
        if not 0 <= reader < READER_COUNT:
            raise ValueError("reader is 0 or 1")
        if isinstance(card, SocialSecurityApplet):
            applet = card
        else:
            applet = SocialSecurityApplet(card or CARDHOLDERS[0], self._fault, self._after_apdus)
        self.remove(reader)
        vpcd = VpcdCard(applet, self.vpcd.port + reader)
        self._cards[reader] = vpcd
        return vpcd.insert()

    def remove(self, reader: int = 0) -> None:
        """Take the card out of a reader (nothing happens when it is empty)."""
        card = self._cards.pop(reader, None)
        if card is not None:
            card.remove()

    def card(self, reader: int = 0) -> VpcdCard | None:
        """The virtual card in a reader, if any."""
        return self._cards.get(reader)

    def set_fault(self, fault: CardFault | str, after_apdus: int = 6) -> None:
        """Make the cards in the readers, and those inserted later, misbehave."""
        self._fault = CardFault(fault)
        self._after_apdus = after_apdus
        for card in self._cards.values():
            card.applet.fault = self._fault
            card.applet.after_apdus = after_apdus

    def unplug_reader(self) -> bool:
        """Unplug the reader: cards drop out and pcscd comes back without it (see pcscd.py)."""
        self._remove_all()
        return self.pcscd.unplug(self.vpcd)

    def plug_reader(self) -> bool:
        """Plug the reader back in (pcscd restarts with it)."""
        self._remove_all()
        return self.pcscd.plug(self.vpcd)

    def restart_pcscd(self) -> bool:
        """Stop and start pcscd (cards drop out, as the reader connections close)."""
        self._remove_all()
        return self.pcscd.restart()

    def _remove_all(self) -> None:
        for reader in list(self._cards):
            self.remove(reader)
