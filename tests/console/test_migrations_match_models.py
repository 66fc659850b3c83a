"""The Alembic migrations make the schema the models describe, on SQLite and PostgreSQL, and
go down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from kiosk.console.db import downgrade, make_engine, upgrade
from kiosk.console.models import Base


def _diffs(engine) -> list:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)


def test_upgrade_creates_the_models_schema(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert "alembic_version" in tables
        assert _diffs(engine) == []
    finally:
        engine.dispose()


def test_downgrade_then_upgrade_again(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        downgrade(engine)
        assert not set(Base.metadata.tables) & set(inspect(engine).get_table_names())
        upgrade(engine)
        upgrade(engine)  # already at head: nothing to do, no error
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
