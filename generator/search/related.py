"""Related papers: each paper's five nearest neighbours by shared key words, a function of the shelf alone.

The method:

1. A paper's *signature* is its 12 heaviest stemmed words (title words count twice),
   weighted ``(1 + log tf) * idf`` and scaled to unit length; ties go to the first word.
2. ``idf`` depends on the word's document frequency (papers holding it) only through its
   power of two: ``IDF_CEILING - floor(log2 df)``.  A word on one paper only says nothing
   about which papers are related, so it weighs nothing and takes no place in a signature.
3. An inverted list maps each word to the papers whose signature holds it, and keeps only
   the ``LIST_CAP`` papers for which the word weighs most (ties by slug).  A paper's score
   against another is the sum, over the words of its signature, of the two weights when
   the other paper is on the word's capped list: each paper costs at most ``12 × 48``
   additions, so the shelf costs time linear in its size.  The five best scores are the
   related papers, ties by slug.

Why not the textbook ``log((N + 1) / (df + 1))`` the method used before: it moves every
word's weight whenever a paper joins, so signatures kept from an earlier build were stale,
and an incremental build listed other neighbours than a cold build of the same shelf.  With
the weight above a word's weight moves only when its document frequency crosses a power of
two (or leaves or reaches 1).  Everything computed is a function of the shelf alone, and an
update finds exactly what a change touches (see ``_Update``): papers holding a word whose
weight fell get new signatures, and so do papers containing a word whose weight rose (the
Whoosh index's postings name them); a capped list that changed concerns the papers that
list a paper which moved on it (recomputed) and the papers a newcomer may now beat the fifth
of (found by one SQL sum over the holders of its words, weighed exactly).  A change
costs the rows of the store it touches (``related_store.py``), not the shelf.  The rare
expensive update is a very common word crossing a power of two: every paper holding it in
its signature is signed again.

What the change did to the lists, on the sample shelf (432 papers): 58% of related papers
share a collection with the paper that lists them, against 53% with the textbook idf (and
39% for papers drawn at random); about a third of the entries are the same as before.  The
fixed ceiling makes the weights flatter than the textbook idf on a small shelf, so words of
the paper's field count for more against its rarest words; leaving out one-paper words adds
a little (57% with them kept), and no list is short of five any more (four were).
"""

from __future__ import annotations

import functools
import heapq
import logging
import math
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem

from ..forked import run_forked
from ..model import Paper
from .index import IndexUpdate, content_hash, read_known
from .query import open_index
from .related_store import RelatedStore, Scored, Signature
from .schema import SCHEMA_VERSION, STOP_MIN_SIZE, WORD_PATTERN

logger = logging.getLogger(__name__)

SIGNATURE_TERMS = 12
LIST_CAP = 48
IDF_CEILING = 20  # papers up to 2**19 share a word before it weighs no more than 1
COLD_SHARE = 0.2  # past this share of the shelf changed, computing afresh is quicker
_VERSION = 4  # 4: the keys in rows of their own, beside the index's identity

Counts = Mapping[str, int]


@dataclass(frozen=True, slots=True)
class RelatedUpdate:
    related: Mapping[str, tuple[str, ...]]
    computed: int  # papers whose signature was (re)computed
    relisted: int  # papers whose list was recomputed from scratch
    seconds: float


def update_related(
    index_dir: Path,
    store_file: Path,
    papers: Sequence[Paper],
    count: int = 5,
    progress: Callable[[int], None] = lambda _n: None,
    *,
    cold_share: float = COLD_SHARE,
    since: IndexUpdate | None = None,
) -> RelatedUpdate:
    """The ``count`` most related papers of each paper (slug -> slugs, best first).

    ``index_dir`` is the Whoosh index of exactly ``papers``; ``store_file`` keeps the state
    between builds.  ``since`` is the update that brought the index to ``papers``: when the
    state matches the index it started from, the papers it wrote or removed are all that
    changed, and no other paper's key is looked at.  The answer is the same whatever the
    store holds; past ``cold_share`` of the shelf changed, it is computed afresh rather
    than updated."""
    started = time.monotonic()
    params = (_VERSION, SCHEMA_VERSION, count, SIGNATURE_TERMS, LIST_CAP, IDF_CEILING)
    after = since.after if since is not None else b""
    store = RelatedStore.open(store_file, params, count)
    keys: Mapping[str, str] | None = None
    if store is not None:
        try:
            related = store.related()
            index = store.index()
            if since is not None and since.before and index == since.before:
                fresh = [p for p in papers if p.slug in since.touched]
                fresh_keys = {p.slug: content_hash(p) for p in fresh}
                gone = sorted(store.keys(since.touched))  # changed or removed
            else:
                keys = paper_keys(index_dir, papers)
                known = store.keys()
                fresh_slugs = {s for s, _ in keys.items() - known.items()}
                fresh = [p for p in papers if p.slug in fresh_slugs]
                fresh_keys = {slug: keys[slug] for slug in fresh_slugs}
                gone = sorted(s for s, _ in known.items() - keys.items())
            if not fresh and not gone:
                if index != after:
                    store.set_shelf(related, after, {}, ())
                    store.commit()
                return RelatedUpdate(related, 0, 0, time.monotonic() - started)
            if len(fresh) + len(gone) <= cold_share * len(papers):
                removed = set(gone) - fresh_keys.keys()
                update = _Update(store, index_dir, count, related)
                update.run(fresh, gone, removed)
                store.set_shelf(related, after, fresh_keys, removed)
                store.commit()
                return RelatedUpdate(related, update.computed, update.relisted, time.monotonic() - started)
        finally:
            store.close()
    # From nothing: in a child process, whose memory (every paper's word counts) goes
    # back to the system when it exits (generator/forked.py).
    keys = dict(keys if keys is not None else paper_keys(index_dir, papers))
    related = run_forked(
        functools.partial(_compute_and_store, papers, count, progress, store_file, params, keys, after),
        "computing related papers",
    )
    return RelatedUpdate(related, len(papers), len(papers), time.monotonic() - started)


def _compute_and_store(
    papers: Sequence[Paper],
    count: int,
    progress: Callable[[int], None],
    store_file: Path,
    params: tuple,
    keys: dict[str, str],
    index: bytes,
) -> dict[str, tuple[str, ...]]:
    """Related papers from nothing, written to the store (matching the index ``index``);
    slug -> related slugs."""
    computed = compute(papers, count, progress)
    related = {slug: tuple(s for s, _ in items) for slug, items in computed.related.items()}
    RelatedStore.write_all(
        store_file,
        params,
        count,
        keys,
        index,
        computed.counts,
        computed.df,
        computed.signatures,
        computed.related,
    )
    return related


@dataclass
class Related:
    """Everything the method computes for a shelf."""

    counts: dict[str, dict[str, int]]
    df: Counter[str]
    signatures: dict[str, Signature]
    related: dict[str, Scored]


def compute(papers: Sequence[Paper], count: int = 5, progress: Callable[[int], None] = lambda _n: None) -> Related:
    """The related papers of ``papers``, from nothing."""
    word_counts = WordCounter()
    counts = {}
    for n, paper in enumerate(papers, start=1):
        counts[paper.slug] = word_counts(paper)
        if n % 1000 == 0:
            progress(n)
    df: Counter[str] = Counter()
    for words in counts.values():
        df.update(words.keys())
    idfs = {word: idf(n) for word, n in df.items()}
    signatures = {slug: signature(words, idfs) for slug, words in counts.items()}
    holders: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for slug, sig in signatures.items():
        for word, weight in sig:
            holders[word].append((slug, weight))
    lists = {word: capped(items) for word, items in holders.items()}
    related = {slug: best(scores(slug, sig, lists), count) for slug, sig in signatures.items()}
    return Related(counts, df, signatures, related)


def paper_keys(index_dir: Path, papers: Sequence[Paper]) -> Mapping[str, str]:
    """slug -> hash of the paper's indexed record: the index's own, if it holds these papers."""
    known = read_known(index_dir)
    if known is not None and known.keys() == {p.slug for p in papers}:
        return known  # hashing 100,000 papers again would take a second
    return {p.slug: content_hash(p) for p in papers}


class WordCounter:
    """Stemmed word -> occurrences in a paper, title words counted twice.

    The words are exactly those ``text_analyzer`` gives, so the Whoosh index finds the
    papers holding one; this does the same work without a token object and four generators
    per word, about four times faster, which counts at 100,000 papers.
    """

    def __init__(self) -> None:
        self._pattern = re.compile(WORD_PATTERN)
        self._stem = functools.lru_cache(maxsize=200_000)(stem)

    def words(self, text: str) -> Iterator[str]:
        for match in self._pattern.finditer(text):
            word = match.group().lower()
            if len(word) >= STOP_MIN_SIZE and word not in STOP_WORDS:
                yield self._stem(word)

    def __call__(self, paper: Paper) -> dict[str, int]:
        counts: dict[str, int] = {}
        for word in self.words(paper.title):
            counts[word] = counts.get(word, 0) + 2
        for word in self.words(paper.abstract):
            counts[word] = counts.get(word, 0) + 1
        return counts


def idf(df: int) -> int:
    """How much a word on ``df`` papers says about a paper: 0 for a word on one paper only."""
    return 0 if df < 2 else max(IDF_CEILING - df.bit_length() + 1, 1)


def signature(counts: Counts, idfs: Mapping[str, int]) -> Signature:
    """The ``SIGNATURE_TERMS`` heaviest words of a paper (``idfs``: word -> idf), weights
    scaled to unit length."""
    weights = [(-(1 + math.log(n)) * idfs[word], word) for word, n in counts.items() if idfs[word]]
    top = heapq.nsmallest(SIGNATURE_TERMS, weights)
    norm = math.sqrt(sum(w * w for w, _ in top)) or 1.0
    return tuple((word, -w / norm) for w, word in top)


def capped(holders: Iterable[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    """The ``LIST_CAP`` (slug, weight) with the heaviest weight, ties by slug."""
    return tuple(heapq.nsmallest(LIST_CAP, holders, key=lambda item: (-item[1], item[0])))


def scores(slug: str, sig: Signature, lists: Mapping[str, Sequence[tuple[str, float]]]) -> dict[str, float]:
    """Every other paper's score against ``slug``, through the capped lists of its words."""
    totals: dict[str, float] = {}
    for word, weight in sig:
        for other, other_weight in lists[word]:
            if other != slug:
                totals[other] = totals.get(other, 0.0) + weight * other_weight
    return totals


def best(scored: Mapping[str, float], count: int) -> Scored:
    # Ties go to the alphabetically first slug, so lists do not depend on history.
    return tuple(heapq.nsmallest(count, scored.items(), key=lambda item: (-item[1], item[0])))


class _Update:
    """One build's changes applied to the stored state, touching only what they concern.

    A signature depends on the paper's words and their idf; a capped list on its holders'
    signatures; a related list on the paper's signature and the capped lists of its words.
    So: new papers and papers holding a word whose idf moved get signatures computed; the
    lists of every word in an old or new signature that changed are taken again; and each
    paper holding a word whose list changed either recomputes its list (a paper that moved
    was in its five) or weighs the papers that moved against its fifth.
    """

    def __init__(self, store: RelatedStore, index_dir: Path, count: int, output: dict[str, tuple[str, ...]]) -> None:
        self.store = store
        self.index_dir = index_dir
        self.count = count
        self.output = output  # slug -> related slugs, brought up to date in place
        self.computed = 0
        self.relisted = 0
        self._lists: dict[str, dict[str, float]] = {}
        self._sigs: dict[str, Signature] = {}

    def run(self, fresh: Sequence[Paper], gone: Sequence[str], removed: set[str]) -> None:
        """Apply ``fresh`` papers (new or changed), the old versions of ``gone`` ones (changed
        or removed) and the departure of ``removed`` ones."""
        store = self.store
        word_counts = WordCounter()
        new_counts = {p.slug: word_counts(p) for p in fresh}
        old_counts = store.counts(gone)
        delta: Counter[str] = Counter()
        for words in old_counts.values():
            delta.subtract(words.keys())
        for words in new_counts.values():
            delta.update(words.keys())
        moved_df = [w for w, d in delta.items() if d]
        old_df = store.df(moved_df)
        new_df = {w: old_df.get(w, 0) + delta[w] for w in moved_df}
        rising = [w for w in moved_df if idf(new_df[w]) > idf(old_df.get(w, 0))]
        falling = [w for w in moved_df if idf(new_df[w]) < idf(old_df.get(w, 0))]
        store.set_df(new_df)
        for slug in gone:
            store.set_counts(slug, None)
        for slug, words in new_counts.items():
            store.set_counts(slug, words)

        # Signatures: a falling word can only leave signatures; a rising one can enter any
        # signature of a paper that holds it, which the Whoosh index knows.
        resign = set(new_counts) | {s for w in falling for s in store.holders(w)} | self._containing(rising)
        resign -= removed
        counts = {**store.counts(resign - new_counts.keys()), **new_counts}
        idfs = {w: idf(n) for w, n in store.df({w for words in counts.values() for w in words}).items()}
        old = store.papers(resign | set(gone))
        new_sigs = {slug: signature(counts[slug], idfs) for slug in resign}
        self.computed = len(new_sigs)
        changed = {s for s, sig in new_sigs.items() if s not in old or old[s][0] != sig} | (removed & old.keys())
        self._sigs = {**{s: sig for s, (sig, _) in old.items()}, **new_sigs}
        words = {w for s in changed for sig in (old.get(s, ((),))[0], new_sigs.get(s, ())) for w, _ in sig}
        before = {w: dict(store.top(w, LIST_CAP)) for w in words}
        for slug in sorted(changed):
            store.set_paper(slug, old[slug][0] if slug in old else None, new_sigs.get(slug))
        moved: set[str] = set()  # papers whose entry on some list changed
        rose: set[str] = set()  # papers which entered a list or weigh more on one
        for word in words:
            after = self._list(word)
            for slug in before[word].keys() | after.keys():
                was, now = before[word].get(slug), after.get(slug)
                if was != now:
                    moved.add(slug)
                    if now is not None and (was is None or now > was):
                        rose.add(slug)

        # Related lists: a paper whose signature changed, or which lists a paper that moved,
        # is listed again; a paper that rose is weighed against the fifth of every paper it
        # may now beat (``contenders``), and nothing else can change.
        for slug in removed & old.keys():
            store.set_related(slug, (), old[slug][1], ())
        full = (changed | store.listing(moved)) - removed
        candidates: dict[str, set[str]] = defaultdict(set)
        for slug in sorted(rose - removed):
            entries = [(word, weight) for word, weight in self._sig(slug) if slug in self._list(word)]
            for holder in store.contenders(entries) - full:
                if holder != slug:
                    candidates[holder].add(slug)
        current = store.papers(full | candidates.keys())
        for holder, slugs in candidates.items():
            sig, related = current[holder]
            extra = {s: self._score(sig, s) for s in slugs}
            self._relist(holder, sig, related, best({**dict(related), **extra}, self.count))
        for slug in full:
            sig = self._sig(slug)
            for word, _ in sig:
                self._list(word)
            self._relist(slug, sig, current[slug][1], best(scores(slug, sig, self._ordered(sig)), self.count))
        self.relisted = len(full)

        for slug in removed:
            self.output.pop(slug, None)

    def _relist(self, slug: str, sig: Signature, before: Scored, related: Scored) -> None:
        if related != before:
            self.store.set_related(slug, sig, before, related)
        self.output[slug] = tuple(s for s, _ in related)

    def _sig(self, slug: str) -> Signature:
        if slug not in self._sigs:
            self._sigs.update((s, found) for s, (found, _) in self.store.papers([slug]).items())
        return self._sigs[slug]

    def _list(self, word: str) -> dict[str, float]:
        """``word``'s capped list as it stands in the store (read once per update)."""
        found = self._lists.get(word)
        if found is None:
            found = self._lists[word] = dict(self.store.top(word, LIST_CAP))
        return found

    def _ordered(self, sig: Signature) -> dict[str, tuple[tuple[str, float], ...]]:
        # Dicts keep the store's order (heaviest first, ties by slug), as ``compute`` has it.
        return {word: tuple(self._lists[word].items()) for word, _ in sig}

    def _score(self, sig: Signature, other: str) -> float:
        """``other``'s score against the paper of ``sig``, summed in the order ``scores`` sums it."""
        # Only the words of its own signature can put ``other`` on a list.
        words = {word for word, _ in self._sig(other)}
        total = 0.0
        for word, weight in sig:
            if word not in words:
                continue
            other_weight = self._list(word).get(other)
            if other_weight is not None:
                total = total + weight * other_weight
        return total

    def _containing(self, words: Sequence[str]) -> set[str]:
        """Papers with any of ``words`` in their title or abstract."""
        if not words:
            return set()
        found: set[str] = set()
        with open_index(self.index_dir).searcher() as searcher:
            reader = searcher.reader()
            slugs = reader.column_reader("slug")
            for word in words:
                for field in ("title", "abstract"):
                    if (field, word) in reader:
                        found.update(slugs[doc] for doc in reader.postings(field, word).all_ids())
        return found
