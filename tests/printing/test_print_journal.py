"""The print journal: recorded before submit, outcomes, reprints, one serial per document."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk.printing.journal import (
    PrintJournal,
    PrintKind,
    PrintState,
    SerialConflict,
)

CERT = PrintKind.CERTIFICATE


def test_lifecycle_pending_submitted_done(journal: PrintJournal) -> None:
    entry = journal.record(CERT, "case-1", serial="S1", digest="d1", copies=2)
    assert entry.state is PrintState.PENDING and entry.attempts == 0 and entry.copies == 2
    assert len(entry.reprint_code) == 8
    assert journal.pending_reprints() == [entry]  # owed until printed
    entry = journal.start_attempt(entry.id)
    assert entry.attempts == 1 and entry.state is PrintState.PENDING
    entry = journal.mark_submitted(entry.id, "42")
    assert entry.state is PrintState.SUBMITTED and entry.job_id == "42" and entry.submitted_at
    entry = journal.finish(entry.id, ok=True)
    assert entry.state is PrintState.DONE and entry.finished_at and entry.job_id == "42"
    assert journal.pending_reprints() == []
    with pytest.raises(ValueError):
        journal.start_attempt(entry.id)  # a done document is never printed again


def test_failed_print_is_offered_and_reprint_reuses_the_serial(journal: PrintJournal) -> None:
    entry = journal.record(CERT, "case-2", serial="S2", digest="d2")
    journal.start_attempt(entry.id)
    journal.mark_submitted(entry.id, "7")
    failed = journal.finish(entry.id, ok=False, reason="aborted: Out of paper.")
    assert failed.state is PrintState.FAILED and failed.reason.startswith("aborted")
    assert journal.pending_reprints("case-2") == [failed]
    assert journal.by_reprint_code(failed.reprint_code.lower()) == failed

    again = journal.record(CERT, "case-2", serial="S2", digest="d2")
    assert again.id == entry.id  # same document, same row, same serial
    journal.start_attempt(again.id)
    journal.mark_submitted(again.id, "8")
    done = journal.finish(again.id, ok=True)
    assert done.attempts == 2 and done.job_id == "8"
    assert len(journal.entries()) == 1


def test_second_distinct_document_with_the_same_serial_is_refused(journal: PrintJournal) -> None:
    journal.record(CERT, "case-3", serial="S3", digest="content-a")
    with pytest.raises(SerialConflict):
        journal.record(CERT, "case-3", serial="S3", digest="content-b")
    with pytest.raises(SerialConflict):
        journal.record(CERT, "case-9", serial="S3", digest="content-b")
    assert len(journal.entries()) == 1


def test_database_itself_refuses_duplicate_serials(journal: PrintJournal) -> None:
    journal.record(CERT, "c", serial="S4", digest="x")
    db = sqlite3.connect(str(journal.path))
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO prints (kind, case_id, serial, state, reprint_code, created_at,"
                   " updated_at) VALUES ('certificate', 'c', 'S4', 'pending', 'ZZZZZZZZ', 0, 0)")
    db.close()


def test_certificate_needs_a_serial_receipts_do_not(journal: PrintJournal) -> None:
    with pytest.raises(ValueError):
        journal.record(CERT, "c")
    a = journal.record(PrintKind.RECEIPT, "c")
    b = journal.record(PrintKind.RECEIPT, "c")
    assert a.id != b.id and a.serial is None


def test_void_closes_an_open_print_but_never_a_done_one(journal: PrintJournal) -> None:
    open_entry = journal.record(CERT, "c", serial="S5", digest="x")
    voided = journal.void(open_entry.id, "resident declined the reprint")
    assert voided.state is PrintState.VOIDED and journal.pending_reprints() == []
    done = journal.record(CERT, "c", serial="S6", digest="y")
    journal.start_attempt(done.id)
    journal.finish(done.id, ok=True)
    assert journal.void(done.id, "x").state is PrintState.DONE
    assert journal.finish(done.id, ok=False).state is PrintState.DONE


def test_wal_mode_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    first = PrintJournal(path)
    entry = first.record(CERT, "c", serial="S7", digest="z")
    first.close()
    second = PrintJournal(path)
    try:
        mode = second._db.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        assert second.get(entry.id) == entry
    finally:
        second.close()
