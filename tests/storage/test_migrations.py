"""Schema versions: numbered migrations per store, applied once, under the write lock."""

from __future__ import annotations

import pytest

from chatops.storage import (
    Connection,
    Dialect,
    Migration,
    SchemaTooNew,
    SQLiteDatabase,
    StoreSchema,
    migrate,
    schema_version,
)
from tests.storage.conftest import versions

V1 = Migration(1, "items", ("CREATE TABLE items (id {id_pk}, name TEXT NOT NULL)",))
V2 = Migration(2, "item sizes", ("ALTER TABLE items ADD COLUMN size INTEGER",))


def test_a_new_database_is_migrated_to_the_latest_version(db: SQLiteDatabase) -> None:
    assert schema_version(db, "toy") == 0
    assert migrate(db, StoreSchema("toy", (V1, V2))) == 2
    assert schema_version(db, "toy") == 2
    db.conn().execute("INSERT INTO items (name, size) VALUES ('a', 1)")
    assert versions(db.path) == {"toy": 2}


def test_migrating_again_changes_nothing(db: SQLiteDatabase) -> None:
    calls: list[int] = []

    def count(conn: Connection, dialect: Dialect) -> None:
        calls.append(1)

    schema = StoreSchema("toy", (Migration(1, "counted", (count,)),))
    for _ in range(3):
        migrate(db, schema)
    assert calls == [1]


def test_only_the_newer_migrations_run_on_an_older_database(db: SQLiteDatabase) -> None:
    migrate(db, StoreSchema("toy", (V1,)))
    db.conn().execute("INSERT INTO items (name) VALUES ('kept')")
    assert migrate(db, StoreSchema("toy", (V1, V2))) == 2
    rows = db.conn().execute("SELECT name, size FROM items").fetchall()
    assert [tuple(r) for r in rows] == [("kept", None)]


def test_stores_in_one_file_have_their_own_versions(db: SQLiteDatabase) -> None:
    migrate(db, StoreSchema("toy", (V1, V2)))
    migrate(db, StoreSchema("other", (Migration(1, "t", ("CREATE TABLE t (k TEXT)",)),)))
    assert versions(db.path) == {"toy": 2, "other": 1}


def test_a_failed_migration_leaves_the_database_as_it_was(db: SQLiteDatabase) -> None:
    broken = Migration(2, "broken", ("CREATE TABLE more (k TEXT)", "NOT SQL"))
    migrate(db, StoreSchema("toy", (V1,)))
    with pytest.raises(Exception, match="syntax"):
        migrate(db, StoreSchema("toy", (V1, broken)))
    assert schema_version(db, "toy") == 1
    assert db.conn().execute(db.dialect.has_table, ("more",)).fetchone() is None


def test_a_database_from_a_newer_release_is_refused(db: SQLiteDatabase) -> None:
    migrate(db, StoreSchema("toy", (V1, V2)))
    with pytest.raises(SchemaTooNew, match=r"version 2 of the 'toy' tables.*up to version 1"):
        migrate(db, StoreSchema("toy", (V1,)))


def test_migrations_are_numbered_from_one_in_order() -> None:
    with pytest.raises(ValueError, match="numbered"):
        StoreSchema("toy", (V2, V1))
    with pytest.raises(ValueError, match="numbered"):
        StoreSchema("toy", (V2,))
