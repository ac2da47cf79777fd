"""Merging two records of the same paper.

``merge`` is a join: commutative, associative and idempotent.  Whatever order the dumps,
exports and clips arrive in, and however often, the shelf ends up the same.  Lists are
unions; for single values the richer one wins (present over empty, then longer, then the
lexically smaller, so the choice never depends on order); nothing either side had is lost.
"""

from __future__ import annotations

from .model import Paper


def merge(a: Paper, b: Paper) -> Paper:
    """The paper that knows everything ``a`` and ``b`` know."""
    return Paper(
        title=_richer(a.title, b.title),
        abstract=_richer(a.abstract, b.abstract),
        date=min(a.date, b.date),
        slug=_richer_slug(a.slug, b.slug),
        collections=_union(a.collections, b.collections),
        arxiv_id=_richer(a.arxiv_id, b.arxiv_id),
        doi=_richer(a.doi, b.doi),
        url=_richer(a.url, b.url),
        authors=_richer_tuple(a.authors, b.authors),
        published=_min_present(a.published, b.published),
        venue=_richer(a.venue, b.venue),
        upvotes=_max_present(a.upvotes, b.upvotes),
        code=_union(a.code, b.code),
        links=_union(a.links, b.links),
        sources=_union(a.sources, b.sources),
        extra=_merge_extra(a.extra, b.extra),
    )


def _richer(a: str, b: str) -> str:
    if not a or not b:
        return a or b
    return min(a, b, key=lambda s: (-len(s), s))


def _richer_slug(a: str, b: str) -> str:
    # A slug never changes once written; two different ones only meet in artificial
    # merges, where the smaller is as good a choice as any and keeps the merge symmetric.
    if not a or not b:
        return a or b
    return min(a, b)


def _richer_tuple(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    if not a or not b:
        return a or b
    return min(a, b, key=lambda t: (-len(t), t))


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set(a) | set(b)))


def _min_present(a, b):  # type: ignore[no-untyped-def]
    if a is None or b is None:
        return a if b is None else b
    return min(a, b)


def _max_present(a, b):  # type: ignore[no-untyped-def]
    if a is None or b is None:
        return a if b is None else b
    return max(a, b)


def _merge_extra(a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    merged = dict(a)
    for key, value in b:
        merged[key] = _richer(merged.get(key, ""), value)
    return tuple(sorted(merged.items()))
