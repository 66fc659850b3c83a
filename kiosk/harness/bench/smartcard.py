"""`kiosk bench smartcard`: card insert to identity read, through a real pcscd.

Starts a private pcscd with a vpcd reader, runs the real driver, and inserts a virtual social
security card ``--runs`` times. Prints median / p95 of insert -> identity_read, split into
detection (insert -> card_presented: pcscd polls serial readers such as vpcd every 400 ms) and
the read itself (card_presented -> identity_read). Each insert waits a random 0-400 ms first so
cards arrive at any phase of pcscd's poll. Floors measured in the same run: the raw APDU
round trip through pcscd times the APDUs one read needs, and pcscd's poll period.
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time

from drivers.interfaces import DeviceEvent
from drivers.smartcard.pcsc import PcscReader
from drivers.smartcard.simulator import SmartcardSimulator
from drivers.smartcard.virtual_card import CARDHOLDERS, SocialSecurityApplet

#: pcscd polls card presence of readers without hotplug events every 400 ms (pcsc-lite).
PCSCD_POLL_MS = 400.0
EVENT_TIMEOUT_S = 10.0
SETTLE_S = 0.5


class _Timeline:
    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.cond = threading.Condition()

    def __call__(self, event: DeviceEvent) -> None:
        with self.cond:
            self.times.setdefault(event.kind, time.perf_counter())
            self.cond.notify_all()

    def reset(self) -> None:
        with self.cond:
            self.times.clear()

    def wait(self, kind: str) -> float | None:
        end = time.monotonic() + EVENT_TIMEOUT_S
        with self.cond:
            while kind not in self.times:
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)
            return self.times[kind]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _apdu_round_trip_ms(sim: SmartcardSimulator, count: int) -> float:
    from smartcard import scard as s

    sim.insert(CARDHOLDERS[0])
    rc, context = s.SCardEstablishContext(s.SCARD_SCOPE_USER)
    reader = sim.reader_name()
    try:
        deadline = time.monotonic() + EVENT_TIMEOUT_S
        state = s.SCARD_STATE_UNAWARE
        while time.monotonic() < deadline:
            rc, states = s.SCardGetStatusChange(context, 500, [(reader, state)])
            if rc == s.SCARD_S_SUCCESS:
                state = states[0][1] & ~s.SCARD_STATE_CHANGED
                if state & s.SCARD_STATE_PRESENT:
                    break
        rc, card, protocol = s.SCardConnect(context, reader, s.SCARD_SHARE_EXCLUSIVE,
                                            s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1)
        if rc != s.SCARD_S_SUCCESS:
            raise RuntimeError(f"connect failed: {rc:#x}")
        apdu = list(bytes.fromhex("00A4020002EF05"))
        samples = []
        for _ in range(count):
            t0 = time.perf_counter()
            s.SCardTransmit(card, protocol, apdu)
            samples.append((time.perf_counter() - t0) * 1000)
        s.SCardDisconnect(card, s.SCARD_LEAVE_CARD)
        return statistics.median(samples)
    finally:
        s.SCardReleaseContext(context)
        sim.remove()


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="kiosk bench smartcard", description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="cards to insert (default 20)")
    args = parser.parse_args(argv)

    sim = SmartcardSimulator()
    if not sim.start():
        print(f"bench smartcard: pcscd did not start: {sim.pcscd.failure}")
        sim.stop()
        return 1
    timeline = _Timeline()
    reader = PcscReader("bench", sim.reader_pattern, poll_timeout_ms=500)
    totals: list[float] = []
    detect: list[float] = []
    reads: list[float] = []
    apdus = 0
    try:
        reader.start(timeline)
        time.sleep(SETTLE_S)
        jitter = random.Random(9)
        for i in range(args.runs):
            # a resident's card arrives at any phase of pcscd's poll, not right after one
            time.sleep(jitter.uniform(0, PCSCD_POLL_MS / 1000))
            timeline.reset()
            applet = SocialSecurityApplet(CARDHOLDERS[i % len(CARDHOLDERS)])
            t0 = time.perf_counter()
            sim.insert(applet)
            presented = timeline.wait("card_presented")
            done = timeline.wait("identity_read")
            if presented is None or done is None:
                print(f"run {i}: no identity read (events {sorted(timeline.times)})")
                continue
            totals.append((done - t0) * 1000)
            detect.append((presented - t0) * 1000)
            reads.append((done - presented) * 1000)
            apdus = applet.apdu_count
            sim.remove()
            timeline.wait("card_removed")
        reader.stop()
        rtt_ms = _apdu_round_trip_ms(sim, 200)
    finally:
        reader.stop()
        sim.stop()
    if not totals:
        print("bench smartcard: no successful read")
        return 1
    floor_read_ms = rtt_ms * apdus
    print(f"smartcard: {len(totals)} runs through pcscd (vpcd virtual reader)")
    print(f"  insert -> identity_read   median {statistics.median(totals):7.1f} ms"
          f"   p95 {_pct(totals, 0.95):7.1f} ms")
    print(f"  insert -> card_presented  median {statistics.median(detect):7.1f} ms"
          f"   p95 {_pct(detect, 0.95):7.1f} ms   (pcscd polls every {PCSCD_POLL_MS:.0f} ms)")
    print(f"  presented -> identity     median {statistics.median(reads):7.1f} ms"
          f"   p95 {_pct(reads, 0.95):7.1f} ms")
    print(f"  floor: raw APDU round trip {rtt_ms:.3f} ms x {apdus} APDUs = {floor_read_ms:.2f} ms")
    print(f"  read / APDU floor: {statistics.median(reads) / floor_read_ms:.2f}x;"
          f"  detection / half poll period: {statistics.median(detect) / (PCSCD_POLL_MS / 2):.2f}x")
    return 0
