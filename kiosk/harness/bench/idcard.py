"""`kiosk bench idcard`: full ID card reads through the simulator, against the physical floor.

The real driver reads a card from the simulator over a pty with wire-time emulation (10 bits
a byte at the chosen baud) and typical card times. For each read, the measured time runs from
the moment the find command that sees the card reaches the reader to the ``identity_read``
event; the floor, computed from the simulator's own exchange log of the same read, is the wire
time of every byte exchanged plus the card time the simulator spent. The ratio is the driver's
(and the pty's) overhead: the goal is at most 1.2x.
"""

from __future__ import annotations

import argparse
import queue
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass

from drivers.idcard import Command, open_idcard_reader
from drivers.idcard.protocol import HEADER_LENGTH, wire_seconds
from drivers.idcard.simulator import TYPICAL_TIMING, ExchangeRecord
from drivers.interfaces import DeviceEvent
from drivers.status import DeviceState

GOAL_RATIO = 1.2
EVENT_WAIT_S = 10.0
FIND_OK_BYTES = HEADER_LENGTH + 3 + 4 + 1  # SW1-SW3, 4 data bytes, checksum


@dataclass(frozen=True, slots=True)
class ReadFigures:
    """One read: measured time, floor, bytes exchanged, and insert-to-identity latency."""

    measured_s: float
    floor_s: float
    wire_s: float
    card_s: float
    bytes_exchanged: int
    exchanges: int
    latency_s: float


def _floor(records: list[ExchangeRecord], baud: int) -> tuple[float, float, int]:
    total_bytes = sum(r.bytes_in + r.bytes_out for r in records)
    return wire_seconds(total_bytes, baud), sum(r.card_s for r in records), total_bytes


Stamped = tuple[float, DeviceEvent]


def _logged_through(log: Iterable[ExchangeRecord], moment: float) -> list[ExchangeRecord]:
    """The simulator's exchange log once it holds every exchange begun by `moment`. It logs an
    exchange after sending the reply, so the driver can finish a read before the read's last
    exchange is logged (a loaded machine showed 3 exchanges, 1359 bytes instead of 4, 1450);
    it serves one exchange at a time, so an exchange begun after `moment` (the driver polls on
    while the card lies there) means every earlier one is in."""
    deadline = time.monotonic() + EVENT_WAIT_S
    while True:
        records = list(log)
        if any(r.started > moment for r in records):
            return records
        if time.monotonic() > deadline:
            raise TimeoutError("the simulator logged no exchange after the read")
        time.sleep(0.005)


def _wait(events: queue.Queue[Stamped], kinds: set[str]) -> Stamped:
    deadline = time.monotonic() + EVENT_WAIT_S
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no {'/'.join(sorted(kinds))} event")
        stamp, event = events.get(timeout=remaining)
        if event.kind in kinds:
            return stamp, event


def run(reads: int, baud: int, card: str, poll_interval_s: float) -> list[ReadFigures]:
    """Do ``reads`` full reads and return the figures of each."""
    url = f"sim://idcard?baud={baud}&wire_time=1&card_time=typical"
    reader = open_idcard_reader(url, poll_interval_s=poll_interval_s)
    sim = reader.simulator
    events: queue.Queue[tuple[float, DeviceEvent]] = queue.Queue()
    reader.start(lambda event: events.put((time.monotonic(), event)))
    figures = []
    try:
        _, status = _wait(events, {"status"})
        while status.payload.state is not DeviceState.READY:
            _, status = _wait(events, {"status"})
        for _ in range(reads):
            sim.exchanges.clear()
            placed = time.monotonic()
            sim.insert(card)
            done, event = _wait(events, {"identity_read", "read_failed"})
            if event.kind != "identity_read":
                raise RuntimeError(f"read failed: {event.payload}")
            records = _logged_through(sim.exchanges, done)
            first = next(i for i, r in enumerate(records)
                         if r.command is Command.FIND_CARD and r.bytes_out == FIND_OK_BYTES)
            used = [r for r in records[first:] if r.started <= done]
            wire_s, card_s, total = _floor(used, baud)
            figures.append(ReadFigures(done - used[0].started, wire_s + card_s, wire_s, card_s,
                                       total, len(used), done - placed))
            sim.remove()
            _wait(events, {"card_removed"})
    finally:
        reader.stop()
    return figures


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="kiosk bench idcard", description=__doc__.split("\n")[0])
    parser.add_argument("--reads", type=int, default=10, help="number of full reads (10)")
    parser.add_argument("--baud", type=int, default=115200, help="line speed (115200)")
    parser.add_argument("--card", default="resident_added_address",
                        help="simulated card (a resident card with an added address: 4 exchanges)")
    parser.add_argument("--poll-interval-s", type=float, default=0.05,
                        help="driver's find-card poll interval (0.05)")
    args = parser.parse_args(argv)
    if args.reads < 1:
        parser.error("--reads must be at least 1")
    figures = run(args.reads, args.baud, args.card, args.poll_interval_s)
    measured = statistics.median(f.measured_s for f in figures)
    floor = statistics.median(f.floor_s for f in figures)
    ratios = [f.measured_s / f.floor_s for f in figures]
    ratio = statistics.median(ratios)
    one = figures[0]
    t = TYPICAL_TIMING
    print(f"ID card read through the simulator at {args.baud} baud, wire time emulated, "
          f"{args.reads} reads of card {args.card!r}")
    print(f"  card times (simulated): find {t.find_s * 1000:.0f} ms, select "
          f"{t.select_s * 1000:.0f} ms, read {t.read_s * 1000:.0f} ms, "
          f"added address {t.address_s * 1000:.0f} ms")
    print(f"  exchanges per read: {one.exchanges}, bytes on the wire: {one.bytes_exchanged}")
    print(f"  physical floor (wire {one.wire_s * 1000:.1f} ms + card {one.card_s * 1000:.1f} ms): "
          f"{floor * 1000:.1f} ms")
    print(f"  measured (find sent -> identity_read): median {measured * 1000:.1f} ms, "
          f"min {min(f.measured_s for f in figures) * 1000:.1f} ms, "
          f"max {max(f.measured_s for f in figures) * 1000:.1f} ms")
    overhead = statistics.median(f.measured_s - f.floor_s for f in figures)
    print(f"  overhead above the floor (driver, pty, threads): median {overhead * 1000:.1f} ms")
    print(f"  ratio: {ratio:.3f}x (worst {max(ratios):.3f}x; goal <= {GOAL_RATIO}x: "
          f"{'met' if ratio <= GOAL_RATIO else 'MISSED'})")
    print(f"  card placed -> identity_read: median "
          f"{statistics.median(f.latency_s for f in figures) * 1000:.1f} ms "
          f"(includes waiting for the next poll, interval {args.poll_interval_s * 1000:.0f} ms)")
    return 0
