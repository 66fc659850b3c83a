"""The smart card simulator: a private pcscd with vpcd readers and virtual cards to insert.

Used by ``sim://smartcard`` (demo) and by the tests. Everything is real except the card: the
driver talks to pcscd through libpcsclite, pcscd talks to the vpcd reader driver, and vpcd talks
over TCP to `VpcdCard`, which answers with `SocialSecurityApplet`.
"""

from __future__ import annotations

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


class SmartcardSimulator:
    """A pcscd with ``reader_count`` vpcd readers (two slots each) and cards to put in them."""

    def __init__(self, workdir: Path | None = None, reader_count: int = 1,
                 reader_name: str = DEFAULT_READER_NAME, isolate: bool | None = None) -> None:
        self._own_workdir = workdir is None
        self.base_name = reader_name
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="kiosk-pcscd-"))
        self.readers = [VirtualReader(f"{reader_name} {i}" if reader_count > 1 else reader_name,
                                      free_port_pair()) for i in range(reader_count)]
        self.pcscd = Pcscd(self.workdir, self.readers, isolate=isolate)
        self._cards: dict[tuple[int, int], VpcdCard] = {}
        self._fault = CardFault.NONE
        self._after_apdus = 6

    @property
    def reader_pattern(self) -> str:
        """A regex matching this simulator's readers only."""
        return "^" + re.escape(self.base_name)

    def reader_name(self, reader: int = 0, slot: int = 0) -> str:
        """The pcscd name of a reader slot."""
        return self.readers[reader].slot_name(slot)

    def start(self) -> bool:
        """Start pcscd and point this process's PC/SC client at it."""
        self.pcscd.use_in_this_process()
        return self.pcscd.start()

    def stop(self) -> None:
        """Remove all cards, stop pcscd, delete a temporary work directory."""
        for card in self._cards.values():
            card.remove()
        self._cards.clear()
        self.pcscd.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def insert(self, card: Cardholder | SocialSecurityApplet | None = None, reader: int = 0,
               slot: int = 0) -> bool:
        """Put a card in a reader slot (default: the first invented cardholder)."""
        if isinstance(card, SocialSecurityApplet):
            applet = card
        else:
            applet = SocialSecurityApplet(card or CARDHOLDERS[0], self._fault, self._after_apdus)
        self.remove(reader, slot)
        vpcd = VpcdCard(applet, self.readers[reader].port + slot)
        self._cards[(reader, slot)] = vpcd
        return vpcd.insert()

    def remove(self, reader: int = 0, slot: int = 0) -> None:
        """Take the card out of a reader slot (nothing happens when it is empty)."""
        card = self._cards.pop((reader, slot), None)
        if card is not None:
            card.remove()

    def card(self, reader: int = 0, slot: int = 0) -> VpcdCard | None:
        """The virtual card in a slot, if any."""
        return self._cards.get((reader, slot))

    def set_fault(self, fault: CardFault | str, after_apdus: int = 6) -> None:
        """Make the cards in the readers, and those inserted later, misbehave."""
        self._fault = CardFault(fault)
        self._after_apdus = after_apdus
        for card in self._cards.values():
            card.applet.fault = self._fault
            card.applet.after_apdus = after_apdus

    def unplug_reader(self, reader: int = 0) -> bool:
        """Unplug a reader: its cards drop out and pcscd comes back without it (see pcscd.py)."""
        for key in list(self._cards):
            self.remove(*key)
        return self.pcscd.unplug(self.readers[reader])

    def plug_reader(self, reader: int = 0) -> bool:
        """Plug a reader back in (pcscd restarts with it)."""
        for key in list(self._cards):
            self.remove(*key)
        return self.pcscd.plug(self.readers[reader])

    def restart_pcscd(self) -> bool:
        """Stop and start pcscd (cards drop out, as the reader connections close)."""
        for key in list(self._cards):
            self.remove(*key)
        return self.pcscd.restart()
