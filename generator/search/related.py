"""Related papers: each paper's five nearest neighbours by shared key terms, kept incrementally.

The method, chosen to stay cheap as the shelf grows:

1. A paper's *signature* is its 12 most distinctive stemmed words (title words count
   twice), weighted by ``(1 + log tf) * idf`` with the document frequencies of the Whoosh
   index, and scaled to unit length.
2. Two papers' similarity is the dot product of their signatures (a cosine over the
   signature words), so it is symmetric: if B is close to A, A is as close to B.
3. An inverted list maps each signature word to the papers whose signature holds it,
   heaviest first, and keeps only the ``LIST_CAP`` papers for which the word weighs most
   (ties by slug).  A paper's score against another is summed over their shared words
   through these capped lists: each paper costs at most ``SIGNATURE_TERMS × LIST_CAP``
   additions, whatever the size of the shelf, so the whole shelf costs time linear in
   its size (before, a common word's list of thousands of papers was walked for every
   paper holding it: quadratic, 750 s at 100,000 papers).  A paper for which a word
   weighs little is not found through that word; it is found through its rarer words,
   which are the ones that say most about what it is about.  The cap makes the score
   an approximation of the cosine, and no longer exactly symmetric.

Signatures and lists are cached (``related.pickle`` in the search cache).  A build
computes signatures only for new or changed papers; a new paper enters the list of each
paper it beats the fifth neighbour of, and papers that listed a removed or changed paper
are recomputed.  Adding one paper therefore touches its candidates only, whatever the
size of the shelf.  Signatures keep the word statistics of the day they were computed;
deleting the cache recomputes everything with today's.
"""

from __future__ import annotations

import contextlib
import heapq
import logging
import math
import pickle
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import write_atomic
from ..model import Paper
from .index import content_hash
from .query import open_index
from .schema import text_analyzer

logger = logging.getLogger(__name__)

SIGNATURE_TERMS = 12
LIST_CAP = 48
_VERSION = 2

Signature = tuple[tuple[str, float], ...]


@dataclass
class RelatedCache:
    version: int = _VERSION
    count: int = 0  # papers related lists were computed for
    hashes: dict[str, str] = field(default_factory=dict)
    signatures: dict[str, Signature] = field(default_factory=dict)
    related: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)  # best first


@dataclass(frozen=True, slots=True)
class RelatedUpdate:
    related: Mapping[str, tuple[str, ...]]
    computed: int  # papers whose signature was (re)computed
    relisted: int  # papers whose list was recomputed from scratch
    seconds: float


def update_related(
    index_dir: Path,
    cache_file: Path,
    papers: Sequence[Paper],
    count: int = 5,
    progress: Callable[[int], None] = lambda _n: None,
) -> RelatedUpdate:
    """The ``count`` most related papers of each paper (slug -> slugs, best first)."""
    started = time.monotonic()
    cache = _load(cache_file)
    if cache.count != count:
        cache = RelatedCache(count=count)
    hashes = {p.slug: content_hash(p) for p in papers}
    stale = {slug for slug, h in cache.hashes.items() if hashes.get(slug) != h}
    fresh = [p for p in papers if cache.hashes.get(p.slug) != hashes[p.slug]]

    for slug in stale:
        cache.signatures.pop(slug, None)
        cache.related.pop(slug, None)
        cache.hashes.pop(slug, None)
    # Papers that listed a paper which changed or left must look again.
    dirty = {slug for slug, items in cache.related.items() if any(other in stale for other, _ in items)}

    if fresh:
        ix = open_index(index_dir)
        with ix.searcher() as searcher:
            idf = _Idf(searcher.reader())
            analyzer = text_analyzer()
            for n, paper in enumerate(fresh, start=1):
                cache.signatures[paper.slug] = signature(paper, analyzer, idf)
                cache.hashes[paper.slug] = hashes[paper.slug]
                if n % 1000 == 0:
                    progress(n)

    postings = _inverted(cache.signatures)
    fresh_slugs = {p.slug for p in fresh}
    for paper in fresh:
        scores = _similar(paper.slug, cache.signatures, postings)
        cache.related[paper.slug] = _best(scores, count)
        # The new paper may beat the last neighbour of papers it is close to.
        for other, score in scores.items():
            if other in fresh_slugs or other in dirty:
                continue
            cache.related[other] = _best({**dict(cache.related.get(other, ())), paper.slug: score}, count)
    for slug in dirty - fresh_slugs:
        cache.related[slug] = _best(_similar(slug, cache.signatures, postings), count)

    if fresh or stale:
        _save(cache_file, cache)
    return RelatedUpdate(
        related={slug: tuple(s for s, _ in items) for slug, items in cache.related.items() if slug in hashes},
        computed=len(fresh),
        relisted=len(dirty - fresh_slugs),
        seconds=time.monotonic() - started,
    )


def signature(paper: Paper, analyzer: object, idf: Callable[[str], float]) -> Signature:
    tf: Counter[str] = Counter()
    for token in analyzer(paper.title):  # type: ignore[operator]
        tf[token.text] += 2
    for token in analyzer(paper.abstract):  # type: ignore[operator]
        tf[token.text] += 1
    weights = {term: (1 + math.log(n)) * idf(term) for term, n in tf.items()}
    top = heapq.nlargest(SIGNATURE_TERMS, weights.items(), key=lambda item: (item[1], item[0]))
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
    return tuple((term, w / norm) for term, w in top if w > 0)


class _Idf:
    """Inverse document frequency from the index, the larger of title's and abstract's."""

    def __init__(self, reader: object) -> None:
        self.reader = reader
        self.total = max(reader.doc_count_all(), 1)  # type: ignore[attr-defined]
        self.cache: dict[str, float] = {}

    def __call__(self, term: str) -> float:
        value = self.cache.get(term)
        if value is None:
            df = max(
                self.reader.doc_frequency("title", term),  # type: ignore[attr-defined]
                self.reader.doc_frequency("abstract", term),  # type: ignore[attr-defined]
            )
            value = self.cache[term] = math.log((self.total + 1) / (df + 1))
        return value


def _inverted(signatures: Mapping[str, Signature]) -> dict[str, list[tuple[str, float]]]:
    postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for slug, sig in signatures.items():
        for term, weight in sig:
            postings[term].append((slug, weight))
    return {
        term: items if len(items) <= LIST_CAP else heapq.nsmallest(LIST_CAP, items, key=lambda i: (-i[1], i[0]))
        for term, items in postings.items()
    }


def _similar(slug: str, signatures: Mapping[str, Signature], postings: Mapping[str, list]) -> dict[str, float]:
    scores: dict[str, float] = defaultdict(float)
    for term, weight in signatures.get(slug, ()):
        for other, other_weight in postings.get(term, ()):
            scores[other] += weight * other_weight
    scores.pop(slug, None)
    return scores


def _best(scores: Mapping[str, float], count: int) -> tuple[tuple[str, float], ...]:
    # Ties go to the alphabetically first slug, so lists do not depend on history.
    return tuple(heapq.nsmallest(count, scores.items(), key=lambda item: (-item[1], item[0])))


def _load(path: Path) -> RelatedCache:
    try:
        with path.open("rb") as handle:
            cache = pickle.load(handle)
    except FileNotFoundError:
        return RelatedCache()
    except Exception:  # noqa: BLE001 -- an unreadable cache is recomputed
        logger.info("Recomputing related papers: cannot read %s", path)
        return RelatedCache()
    return cache if isinstance(cache, RelatedCache) and cache.version == _VERSION else RelatedCache()


def _save(path: Path, cache: RelatedCache) -> None:
    with contextlib.suppress(OSError):
        write_atomic(path, pickle.dumps(cache, protocol=pickle.HIGHEST_PROTOCOL), durable=False)
