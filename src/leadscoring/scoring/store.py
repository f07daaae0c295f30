"""The durable state of :meth:`Scorer.open <leadscoring.Scorer.open>`: a SQLite file
(the standard library's ``sqlite3``, write-ahead log, ``synchronous=FULL``).

Four tables: ``meta`` (the snapshot header: format, version, model name, version and
fingerprint), ``kinds`` (the event kinds the activity logs refer to, append-only),
``leads`` (one row per lead: its snapshot entry as JSON, and its position in the scorer's
order) and ``links`` (one row per alias: the lead it was linked to and when, in
microseconds). A save is one transaction that rewrites the rows of the leads it names,
the links it carries and the rows it drops, so an ``add_many`` or a ``link`` is atomic
and, once it returns, durable. Every ``sqlite3`` error is turned into
:class:`~leadscoring.SnapshotError` naming the file.

A file written before identities (snapshot version 2, no ``links`` table) opens as it is;
the table is created, and the stored version becomes the current one with the first link
written. The rows carry no checksum (a snapshot's ``checksum`` covers the whole snapshot,
which a write of some rows does not rewrite): a file is read with every value checked, as
any snapshot is, but not compared with a digest; the ``meta`` version is that of the
snapshot format (4), whose ``checksum`` only :meth:`Scorer.snapshot
<leadscoring.Scorer.snapshot>` writes.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ..core.errors import SnapshotError
from .snapshot import FORMAT, VERSION

__all__ = ["Store"]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS kinds (position INTEGER PRIMARY KEY, data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS leads (lead_id TEXT PRIMARY KEY, "
    "position INTEGER NOT NULL, entry TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS links (alias TEXT PRIMARY KEY, lead_id TEXT NOT NULL, "
    "at INTEGER NOT NULL)",
)


class Store:
    """One scorer's SQLite file."""

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self._db: sqlite3.Connection | None = connection
        self.path = path
        self._kinds = 0
        self._next = 0
        self._version: object = VERSION

    @classmethod
    def open(cls, path: str | os.PathLike[str], header: Mapping[str, Any]) -> Store:
        """Open (or create) the file at ``path`` for a scorer whose snapshot header is
        ``header``; a file of another model raises :class:`~leadscoring.SnapshotError`
        when its state is loaded."""
        name = os.fspath(path)
        try:
            db = sqlite3.connect(name, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise SnapshotError(f"{name}: cannot open the scorer's store ({exc})") from None
        store = cls(db, name)
        with store._errors("open"):
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            with store._transaction():
                for statement in _SCHEMA:
                    db.execute(statement)
                found = dict(db.execute("SELECT key, value FROM meta").fetchall())
                if not found:
                    db.executemany(
                        "INSERT INTO meta (key, value) VALUES (?, ?)",
                        [(k, json.dumps(v)) for k, v in header.items()],
                    )
                elif "version" in found:
                    store._version = _json(found["version"], "meta.version")
            store._kinds = db.execute("SELECT COUNT(*) FROM kinds").fetchone()[0]
            store._next = db.execute(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM leads"
            ).fetchone()[0]
        return store

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise SnapshotError(
                f"{self.path}: the scorer's store failed to {doing} ({exc})"
            ) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise SnapshotError(f"{self.path}: the scorer's store is closed")
        return self._db

    def load(self) -> dict[str, Any]:
        """The whole state as a snapshot (the format of :mod:`.snapshot`)."""
        with self._errors("read"):
            db = self._connection()
            meta = {k: _json(v, f"meta.{k}") for k, v in db.execute("SELECT key, value FROM meta")}
            kinds = [
                _json(d, "kinds") for (d,) in db.execute("SELECT data FROM kinds ORDER BY position")
            ]
            leads = {
                lead_id: _json(entry, f"leads[{lead_id!r}]")
                for lead_id, entry in db.execute(
                    "SELECT lead_id, entry FROM leads ORDER BY position"
                )
            }
            links = [
                list(row)
                for row in db.execute("SELECT alias, lead_id, at FROM links ORDER BY at, alias")
            ]
        if meta.get("format") != FORMAT:
            raise SnapshotError(f"{self.path}: not a scorer store")
        return {**meta, "kinds": kinds, "links": links, "leads": leads}

    def save(
        self,
        snapshot: Mapping[str, Any],
        *,
        drop: Iterable[str] = (),
        unlink: Iterable[str] = (),
    ) -> None:
        """Write the kinds not yet stored, the leads of ``snapshot`` and its ``links`` (when
        it has any), erase the rows of the leads in ``drop`` and the links of the aliases
        in ``unlink``: one transaction."""
        kinds = snapshot["kinds"]
        links = snapshot.get("links") or []
        with self._errors("write"), self._transaction() as db:
            db.executemany("DELETE FROM leads WHERE lead_id = ?", [(i,) for i in drop])
            db.executemany("DELETE FROM links WHERE alias = ?", [(a,) for a in unlink])
            if links:
                db.executemany(
                    "INSERT INTO links (alias, lead_id, at) VALUES (?, ?, ?) "
                    "ON CONFLICT (alias) DO UPDATE SET lead_id = excluded.lead_id, "
                    "at = excluded.at",
                    [tuple(row) for row in links],
                )
                if self._version != VERSION:  # the file now holds what version 3 adds (links)
                    db.execute(
                        "UPDATE meta SET value = ? WHERE key = 'version'", (json.dumps(VERSION),)
                    )
            if len(kinds) > self._kinds:
                db.executemany(
                    "INSERT INTO kinds (position, data) VALUES (?, ?)",
                    [(n, json.dumps(k)) for n, k in enumerate(kinds) if n >= self._kinds],
                )
            rows = []
            for lead_id, entry in snapshot["leads"].items():
                rows.append((lead_id, self._next, json.dumps(entry, separators=(",", ":"))))
                self._next += 1
            db.executemany(
                "INSERT INTO leads (lead_id, position, entry) VALUES (?, ?, ?) "
                "ON CONFLICT (lead_id) DO UPDATE SET entry = excluded.entry",
                rows,
            )
        self._kinds = max(self._kinds, len(kinds))
        if links:
            self._version = VERSION

    def delete(self, lead_id: str, aliases: Iterable[str] = ()) -> None:
        """Erase one lead's row and the links of its ``aliases``."""
        with self._errors("write"), self._transaction() as db:
            db.execute("DELETE FROM leads WHERE lead_id = ?", (lead_id,))
            db.executemany("DELETE FROM links WHERE alias = ?", [(a,) for a in aliases])

    def close(self) -> None:
        """Close the file (twice is harmless)."""
        if self._db is not None:
            with self._errors("close"):
                self._db.close()
            self._db = None


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, TypeError) as exc:
        raise SnapshotError(f"{where}: the stored state is not JSON ({exc})") from None
