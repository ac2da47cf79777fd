"""What a paper page shows beyond the record itself: paragraphs with links, BibTeX, meta tags.

These are plain data for the templates; the templates do all the escaping.
"""

from __future__ import annotations

import re
import unicodedata

from ..links import Segment, segments
from ..model import Paper
from ..text import truncate


def paragraphs(abstract: str) -> list[list[Segment]]:
    """The abstract as paragraphs, each a list of text and link segments."""
    return [segments(p) for p in abstract.split("\n\n") if p.strip()]


def summary(abstract: str, limit: int) -> str:
    return truncate(abstract, limit)


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_ESCAPE = re.compile("|".join(re.escape(c) for c in _BIBTEX_SPECIAL))


def bibtex_escape(value: str) -> str:
    return _BIBTEX_ESCAPE.sub(lambda m: _BIBTEX_SPECIAL[m.group()], value)


def bibtex_key(paper: Paper) -> str:
    """``lastname`` + year + first significant title word, ASCII only: ``vaswani2017attention``."""

    def ascii_words(text: str) -> list[str]:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
        return re.findall(r"[a-z0-9]+", plain)

    author = ascii_words(paper.authors[0].split()[-1]) if paper.authors and paper.authors[0].split() else []
    stop = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "towards", "via"}
    words = [w for w in ascii_words(paper.title) if w not in stop]
    return f"{(author or ['paper'])[0]}{paper.year}{(words or [''])[0]}"


def bibtex(paper: Paper, page_url: str = "") -> str:
    """A BibTeX entry for ``paper`` (``@misc`` for preprints, ``@article`` with a venue)."""
    fields: list[tuple[str, str]] = [("title", "{" + bibtex_escape(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(bibtex_escape(a) for a in paper.authors)))
    fields.append(("year", str(paper.year)))
    if paper.venue:
        fields.append(("journal", bibtex_escape(paper.venue)))
    if paper.arxiv_id:
        fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
    if paper.doi:
        fields.append(("doi", bibtex_escape(paper.doi)))
    url = paper.url or paper.arxiv_abs_url or page_url
    if url:
        fields.append(("url", bibtex_escape(url)))
    kind = "article" if paper.venue else "misc"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{bibtex_key(paper)},\n{body}\n}}"


def citation_meta(paper: Paper) -> list[tuple[str, str]]:
    """Highwire Press ``citation_*`` tags, as Google Scholar and Zotero read them.

    No ``citation_abstract_html_url``: it would repeat the page's canonical URL, which
    both readers take as the page's address already.
    """
    meta = [("citation_title", paper.title)]
    meta += [("citation_author", author) for author in paper.authors]
    date = paper.published or paper.date
    meta.append(("citation_publication_date", date.strftime("%Y/%m/%d")))
    meta.append(("citation_online_date", paper.date.strftime("%Y/%m/%d")))
    if paper.venue:
        meta.append(("citation_journal_title", paper.venue))
    if paper.arxiv_id:
        meta += [("citation_arxiv_id", paper.arxiv_id), ("citation_pdf_url", paper.arxiv_pdf_url)]
    if paper.doi:
        meta.append(("citation_doi", paper.doi))
    return meta
