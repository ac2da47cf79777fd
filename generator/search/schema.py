"""The search index's schema, analyzers and query parser: defined once, used by every front end.

The browser's ``search.js`` re-implements exactly these analyzers and this parser
configuration; ``ANALYZER_KINDS`` names them so that the static export can tell the
browser which analysis each field uses.  Change anything here and the parity test
(tests/test_search_parity.py) says whether the browser still agrees.
"""

from __future__ import annotations

import functools

from whoosh import fields, qparser, query
from whoosh.analysis import (
    STOP_WORDS,
    Composable,
    IDTokenizer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang.porter import stem
from whoosh.qparser import plugins

# Bumped whenever the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = 3

# Spelled out rather than taken from Whoosh's defaults: whoosh3 changed its default token
# pattern to also keep "*", and the index must not depend on which fork is installed.
WORD_PATTERN = r"\w+(\.?\w+)*"
KEYWORD_PATTERN = r"[^ \t\r\n]+"
STOP_MIN_SIZE = 2  # tokens shorter than this are dropped like stop words

# Words in titles count twice as much as words in abstracts.
FIELD_BOOSTS = {"title": 2.0, "abstract": 1.0}
DEFAULT_FIELDS = ("title", "abstract")
BM25_B = 0.75
BM25_K1 = 1.2

# Indexed field name → analysis, as search.js knows them.
ANALYZER_KINDS = {
    "title": "text",
    "abstract": "text",
    "author": "name",
    "collection": "keyword",
    "joined": "id",
    "arxiv": "id",
}
# ``topic:slug`` is not an indexed field: it stands for the topic's saved query.
TOPIC_FIELD = "topic"
# Fields a query may name (``field:value``); the others are bookkeeping.
QUERY_FIELDS = (*ANALYZER_KINDS, TOPIC_FIELD)


def text_analyzer() -> Composable:
    """Words, lowercased, stop words dropped, Porter-stemmed: titles and abstracts."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=STOP_MIN_SIZE)
        | StemFilter(stemfn=stem)
    )


def name_analyzer() -> Composable:
    """Words, lowercased, nothing dropped: author names."""
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter()


def keyword_analyzer() -> Composable:
    """Space-separated values, lowercased: collection and topic slugs."""
    return RegexTokenizer(KEYWORD_PATTERN) | LowercaseFilter()


def make_schema() -> fields.Schema:
    return fields.Schema(
        slug=fields.ID(unique=True, stored=True, sortable=True),
        # A hash of everything indexed about the paper: equal hash, nothing to rewrite.
        content_hash=fields.ID(sortable=True),
        title=fields.TEXT(analyzer=text_analyzer(), phrase=True, stored=True),
        abstract=fields.TEXT(analyzer=text_analyzer(), phrase=True, stored=True),
        author=fields.TEXT(analyzer=name_analyzer(), phrase=True),
        collection=fields.KEYWORD(analyzer=keyword_analyzer()),
        # A column: with the slug, the canonical order of papers (see ranking.py).
        joined=fields.ID(analyzer=IDTokenizer(), stored=True, sortable=True),
        arxiv=fields.ID(analyzer=IDTokenizer()),
    )


class PaperQueryParser(qparser.QueryParser):
    """Whoosh's parser, with prefix queries scored like the OR of the words they expand to.

    Whoosh scores a prefix that expands to several words with a constant, or with the
    sum of the words' scores, depending on the index size and on whether the caller asked
    for matched terms; fixing the sum makes the ranking the same for every caller.
    """

    def term_query(
        self,
        fieldname: str,
        text: str,
        termclass: type[query.Query],
        boost: float = 1.0,
        tokenize: bool = True,
        removestops: bool = True,
    ) -> query.Query | None:
        if termclass in (query.Prefix, query.Wildcard):
            termclass = functools.partial(termclass, constantscore=False)  # type: ignore[assignment]
        return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)


def make_parser(schema: fields.Schema) -> qparser.QueryParser:
    """The query language: words (all required), ``OR``, ``AND``, ``NOT``, ``"phrases"``,
    ``field:value``, ``prefix*`` and parentheses — Whoosh's syntax without ranges, boosts
    and ``*:*``, which the browser does not implement."""
    return PaperQueryParser(
        None,
        schema,
        plugins=[
            plugins.FieldsPlugin(remove_unknown=False),
            plugins.WildcardPlugin(),
            plugins.PhrasePlugin(),
            plugins.GroupPlugin(),
            plugins.OperatorsPlugin(AndNot=None, AndMaybe=None, Require=None),
            plugins.MultifieldPlugin(list(DEFAULT_FIELDS), fieldboosts=FIELD_BOOSTS),
        ],
    )


def stop_words() -> list[str]:
    return sorted(STOP_WORDS)
