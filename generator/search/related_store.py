"""Where related papers keep their working state between builds: one SQLite file.

An update after a small change reads and writes only the rows it touches (the document
frequencies of a few words, a few signatures, the capped lists of a few words), so its cost
does not grow with the shelf.  The one thing every build reads whole is the *related*
row: each paper's related slugs, which the site needs for every page, one dict in one
marshal blob, the fastest thing Python loads.  Each paper's key (the hash of its indexed
record) is a row of its own: the store also keeps the identity of the Whoosh index it was
brought up to date with, so when a build starts from that index, what changed is what the
index update wrote, and the keys are read only for those papers.

A cold computation writes a new file beside the old one and renames it over; an update is
one transaction.  Either way a build that stops half-way leaves the last complete state.
"""

from __future__ import annotations

import contextlib
import marshal
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from ..atomic import TEMP_PREFIX

Signature = tuple[tuple[str, float], ...]  # (word, weight), heaviest first
Scored = tuple[tuple[str, float], ...]  # (slug, score), best first
Related = dict[str, tuple[str, ...]]  # slug -> related slugs

_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
-- key: the hash of the paper's indexed record its state was computed from.
CREATE TABLE keys (slug TEXT PRIMARY KEY, key TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE counts (slug TEXT PRIMARY KEY, counts BLOB NOT NULL);
CREATE TABLE papers (slug TEXT PRIMARY KEY, signature BLOB NOT NULL, related BLOB NOT NULL);
CREATE TABLE df (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
-- floor: the score a paper must beat to enter the holder's related list (see contenders).
CREATE TABLE holders (
    word TEXT NOT NULL, weight REAL NOT NULL, slug TEXT NOT NULL, floor REAL NOT NULL,
    PRIMARY KEY (word, weight DESC, slug)
) WITHOUT ROWID;
CREATE TABLE listed (target TEXT NOT NULL, by TEXT NOT NULL, PRIMARY KEY (target, by)) WITHOUT ROWID;
"""
LOCK_TIMEOUT = 60.0  # seconds to wait for another build's update, as the index waits for its writer
_BATCH = 900  # bound parameters per statement, under SQLite's oldest limit
# SQLite sums in another order than Python: a contender within this of a floor is weighed exactly.
_MARGIN = 1e-9


def floor(related: Scored, count: int) -> float:
    """The score a paper must beat to enter a full related list (any positive score, if short)."""
    return related[count - 1][1] if len(related) >= count else 0.0


class RelatedStore:
    """The state of related papers after the last build, read and written row by row."""

    def __init__(self, connection: sqlite3.Connection, count: int) -> None:
        self.db = connection
        self.count = count

    @classmethod
    def open(cls, path: Path, params: object, count: int) -> RelatedStore | None:
        """The store in ``path``, if it exists, is readable and was made with ``params``."""
        if not path.exists():
            return None
        db = sqlite3.connect(path, timeout=LOCK_TIMEOUT, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous = OFF")
            # One transaction from the first read to the commit: another build's update
            # waits for this one instead of working from what this one is replacing.
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT value FROM meta WHERE name = 'params'").fetchone()
        except sqlite3.Error:
            db.close()
            return None
        if row is None or marshal.loads(row[0]) != params:
            db.close()
            return None
        return cls(db, count)

    @staticmethod
    def write_all(
        path: Path,
        params: object,
        count: int,
        keys: Mapping[str, str],
        index: bytes,
        counts: Mapping[str, Mapping[str, int]],
        df: Mapping[str, int],
        signatures: Mapping[str, Signature],
        related: Mapping[str, Scored],
    ) -> None:
        """Replace the store in ``path`` with this state, all at once."""
        temp = path.with_name(TEMP_PREFIX + path.name)
        temp.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(temp)
        try:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.executescript(_SCHEMA)
            db.execute("INSERT INTO meta VALUES ('params', ?)", (marshal.dumps(params),))
            slugs = {slug: tuple(s for s, _ in items) for slug, items in related.items()}
            db.execute("INSERT INTO meta VALUES ('related', ?)", (marshal.dumps(slugs),))
            db.execute("INSERT INTO meta VALUES ('index', ?)", (index,))
            db.executemany("INSERT INTO keys VALUES (?, ?)", sorted(keys.items()))
            db.executemany(
                "INSERT INTO counts VALUES (?, ?)", ((s, marshal.dumps(dict(c))) for s, c in sorted(counts.items()))
            )
            db.executemany(
                "INSERT INTO papers VALUES (?, ?, ?)",
                ((s, marshal.dumps(sig), marshal.dumps(related[s])) for s, sig in sorted(signatures.items())),
            )
            db.executemany("INSERT INTO df VALUES (?, ?)", sorted(df.items()))
            floors = {slug: floor(items, count) for slug, items in related.items()}
            db.executemany(
                "INSERT INTO holders VALUES (?, ?, ?, ?)",
                sorted(
                    ((word, weight, slug, floors[slug]) for slug, sig in signatures.items() for word, weight in sig),
                    key=lambda row: (row[0], -row[1], row[2]),
                ),
            )
            db.executemany(
                "INSERT INTO listed VALUES (?, ?)",
                sorted((other, slug) for slug, items in related.items() for other, _ in items),
            )
            db.commit()
        finally:
            db.close()
        temp.replace(path)

    def close(self) -> None:
        self.db.close()

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def related(self) -> Related:
        """Each paper's related slugs, as of the last build."""
        (blob,) = self.db.execute("SELECT value FROM meta WHERE name = 'related'").fetchone()
        return marshal.loads(blob)

    def index(self) -> bytes:
        """The identity of the Whoosh index the state was last brought up to date with (b"": unknown)."""
        (value,) = self.db.execute("SELECT value FROM meta WHERE name = 'index'").fetchone()
        return bytes(value)

    def keys(self, slugs: Iterable[str] | None = None) -> dict[str, str]:
        """slug -> key of the papers in the state (of ``slugs`` only, if given)."""
        if slugs is None:
            return dict(self.db.execute("SELECT slug, key FROM keys"))
        return dict(self._rows("SELECT slug, key FROM keys WHERE slug IN", slugs))

    def set_shelf(self, related: Related, index: bytes, keys: Mapping[str, str], removed: Iterable[str]) -> None:
        """Record every paper's related slugs, the index they match, and the keys that changed."""
        self.db.execute("UPDATE meta SET value = ? WHERE name = 'related'", (marshal.dumps(related),))
        self.db.execute("UPDATE meta SET value = ? WHERE name = 'index'", (index,))
        self.db.executemany("DELETE FROM keys WHERE slug = ?", ((slug,) for slug in removed))
        self.db.executemany("INSERT OR REPLACE INTO keys VALUES (?, ?)", keys.items())

    def counts(self, slugs: Iterable[str]) -> dict[str, dict[str, int]]:
        return {s: marshal.loads(c) for s, c in self._rows("SELECT slug, counts FROM counts WHERE slug IN", slugs)}

    def set_counts(self, slug: str, counts: Mapping[str, int] | None) -> None:
        if counts is None:
            self.db.execute("DELETE FROM counts WHERE slug = ?", (slug,))
        else:
            self.db.execute("INSERT OR REPLACE INTO counts VALUES (?, ?)", (slug, marshal.dumps(dict(counts))))

    def df(self, words: Iterable[str]) -> dict[str, int]:
        """Document frequency of each of ``words`` (a word on no paper is left out)."""
        return dict(self._rows("SELECT word, n FROM df WHERE word IN", words))

    def set_df(self, df: Mapping[str, int]) -> None:
        self.db.executemany("DELETE FROM df WHERE word = ?", ((w,) for w, n in df.items() if n <= 0))
        self.db.executemany("INSERT OR REPLACE INTO df VALUES (?, ?)", ((w, n) for w, n in df.items() if n > 0))

    def papers(self, slugs: Iterable[str]) -> dict[str, tuple[Signature, Scored]]:
        """slug -> (signature, related with scores)."""
        return {
            s: (marshal.loads(sig), marshal.loads(rel))
            for s, sig, rel in self._rows("SELECT slug, signature, related FROM papers WHERE slug IN", slugs)
        }

    def set_paper(self, slug: str, old: Signature | None, new: Signature | None) -> None:
        """Record ``slug``'s new signature (``None``: the paper left) and its place in the holders."""
        if old:
            self.db.executemany(
                "DELETE FROM holders WHERE word = ? AND weight = ? AND slug = ?", ((w, x, slug) for w, x in old)
            )
        if new is None:
            self.db.execute("DELETE FROM papers WHERE slug = ?", (slug,))
            return
        self.db.executemany("INSERT INTO holders VALUES (?, ?, ?, 0.0)", ((w, x, slug) for w, x in new))
        self.db.execute(
            "INSERT INTO papers VALUES (?, ?, ?) ON CONFLICT (slug) DO UPDATE SET signature = excluded.signature",
            (slug, marshal.dumps(new), marshal.dumps(())),
        )

    def set_related(self, slug: str, sig: Signature, old: Scored, new: Scored) -> None:
        """Record ``slug``'s new related list (its signature is ``sig``, its list was ``old``)."""
        self.db.execute("UPDATE papers SET related = ? WHERE slug = ?", (marshal.dumps(new), slug))
        self.db.executemany(
            "UPDATE holders SET floor = ? WHERE word = ? AND weight = ? AND slug = ?",
            ((floor(new, self.count), w, x, slug) for w, x in sig),
        )
        self.db.executemany("DELETE FROM listed WHERE target = ? AND by = ?", ((s, slug) for s, _ in old))
        self.db.executemany("INSERT INTO listed VALUES (?, ?)", ((s, slug) for s, _ in new))

    def listing(self, targets: Iterable[str]) -> set[str]:
        """Papers whose related list holds any of ``targets``."""
        return {by for (by,) in self._rows("SELECT by FROM listed WHERE target IN", targets)}

    def contenders(self, entries: Sequence[tuple[str, float]]) -> set[str]:
        """Papers a paper whose capped-list entries are ``entries`` (word, weight) may enter the
        related list of: those for which its score (the sum over the words they hold of the two
        weights) reaches their floor."""
        if not entries:
            return set()
        values = ",".join("(?, ?)" for _ in entries)
        rows = self.db.execute(
            f"WITH entry (word, weight) AS (VALUES {values}) "
            "SELECT holders.slug FROM holders JOIN entry ON holders.word = entry.word "
            "GROUP BY holders.slug HAVING SUM(holders.weight * entry.weight) >= MAX(holders.floor) - ?",
            [*(v for entry in entries for v in entry), _MARGIN],
        )
        return {slug for (slug,) in rows}

    def top(self, word: str, cap: int) -> tuple[tuple[str, float], ...]:
        """The ``cap`` holders of ``word`` for which it weighs most (ties by slug): (slug, weight)."""
        rows = self.db.execute(
            "SELECT slug, weight FROM holders WHERE word = ? ORDER BY weight DESC, slug LIMIT ?", (word, cap)
        )
        return tuple(rows)

    def holders(self, word: str) -> list[str]:
        """Every paper whose signature holds ``word``."""
        return [s for (s,) in self.db.execute("SELECT slug FROM holders WHERE word = ?", (word,))]

    def _rows(self, select: str, keys: Iterable[str]) -> Iterator[tuple]:
        keys = list(dict.fromkeys(keys))
        for start in range(0, len(keys), _BATCH):
            batch = keys[start : start + _BATCH]
            yield from self.db.execute(f"{select} ({','.join('?' * len(batch))})", batch)


def remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
