"""Operations: journals and the outbox, start-up recovery, housekeeping, watchdog, doctor."""
