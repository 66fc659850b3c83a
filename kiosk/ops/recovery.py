"""Start-up reconciliation: after a crash, a kill -9 or a power cut, settle what was in flight.

1. The outbox: every submission journaled but not yet acknowledged is sent again with its own
   idempotency key (the platform replays its first answer, so nothing is done twice).
2. The print journal: a certificate the printer had accepted is settled from the printer's own
   job state (`PrintService.reconcile`); every other print the kiosk was in the middle of is
   closed explicitly: a certificate is marked failed "interrupted by a restart" and so stays
   offered for reprint (same serial, by its reprint code or from the technician screen); a
   receipt, whose resident has gone, is voided with the reason (the case's acceptance receipt
   can be printed again with 受理回执打印). Nothing is left in an unknown state, nothing dropped.
3. One log line with the counts (no personal data).

Only entries that existed before the reconciliation started are touched, so it may run while
the first resident of the day is already printing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from kiosk.logs import log_event
from kiosk.printing.journal import PrintKind, PrintState

log = logging.getLogger(__name__)

#: Upper bound of outbox rounds at start-up (each round sends up to 20 rows).
MAX_OUTBOX_ROUNDS = 50
INTERRUPTED_CERTIFICATE = "interrupted by a restart; offered for reprint"
INTERRUPTED_RECEIPT = "interrupted by a restart; the resident has left (receipt reprintable)"


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    """What the start-up reconciliation did (counts only)."""

    delivered: int  # outbox rows delivered now
    still_pending: int  # outbox rows left for the background loop (platform unreachable)
    prints_settled_by_printer: int  # submitted certificates settled from the printer's answer
    prints_offered_again: int  # certificates interrupted, now failed -> offered for reprint
    prints_voided: int  # receipts interrupted, voided with the reason
    open_reprints: int  # all prints still owed to a resident after reconciliation


def deliver_outbox(outbox: Any, max_rounds: int = MAX_OUTBOX_ROUNDS) -> int:
    """Send pending submissions until none is left or the platform stops answering."""
    delivered = 0
    for _ in range(max_rounds):
        if outbox.stats().pending == 0:
            break
        before = outbox.stats().pending
        delivered += outbox.deliver_pending()
        if outbox.stats().pending >= before:
            break  # still offline (or only refusals left): the background loop retries
    return delivered


def settle_prints(printing: Any) -> tuple[int, int, int]:
    """Close every interrupted print; return (settled by printer, offered again, voided)."""
    journal = printing.journal
    interrupted = [e for e in journal.entries()
                   if e.state in (PrintState.PENDING, PrintState.SUBMITTED)]
    if not interrupted:
        return 0, 0, 0
    last_id = max(e.id for e in interrupted)
    settled = [e for e in printing.reconcile() if e.id <= last_id]
    settled_ids = {e.id for e in settled}
    offered = voided = 0
    for entry in interrupted:
        if entry.id in settled_ids:
            continue
        current = journal.get(entry.id)
        if current.state not in (PrintState.PENDING, PrintState.SUBMITTED):
            continue
        if current.kind is PrintKind.CERTIFICATE:
            journal.finish(entry.id, ok=False, reason=INTERRUPTED_CERTIFICATE)
            offered += 1
        else:
            journal.void(entry.id, INTERRUPTED_RECEIPT)
            voided += 1
    return len(settled), offered, voided


def reconcile_at_start(outbox: Any, printing: Any) -> RecoveryReport:
    """Run the whole start-up reconciliation and log its summary."""
    settled, offered, voided = settle_prints(printing)
    delivered = deliver_outbox(outbox)
    report = RecoveryReport(delivered=delivered, still_pending=outbox.stats().pending,
                            prints_settled_by_printer=settled, prints_offered_again=offered,
                            prints_voided=voided,
                            open_reprints=len(printing.journal.pending_reprints()))
    log_event(log, "startup_reconciled", delivered=report.delivered,
              still_pending=report.still_pending, prints_settled=report.prints_settled_by_printer,
              prints_offered_again=report.prints_offered_again,
              prints_voided=report.prints_voided, open_reprints=report.open_reprints)
    return report
