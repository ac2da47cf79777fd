"""Search for the shelf: one Whoosh index of record, three front ends that agree.

- ``papershelf search QUERY`` and the local backend's ``/api/v1/search`` ask Whoosh
  itself, through ``search()`` below, ranking with the live papers' statistics and
  breaking ties in the canonical order of papers (``ranking.py``);
- the static site asks ``theme/static/js/search.js``, which reads the index exported as
  static binary chunks (``export.py``, ``shards.py``) and analyses, parses and scores
  queries as Whoosh does;
- topics (``TOPICS`` in pelicanconf.py) are saved queries over the same index.

The pipeline, run by the Pelican plugin's ``IndexGenerator`` and ``SearchGenerator`` on every build:
``index.update_index`` (only new, changed and removed papers are written) →
``topics.topic_members`` → ``related.update_related`` → ``export.export_index``.  The
export reads the index alone, so on a rebuild it runs in a child process from the
moment the index is up to date, beside the site model, topics, related papers and the
page stage.
The index is opened through ``storage.open_whoosh``, which reads its files as needed.

Which Whoosh: ``whoosh3==3.54.0``, pinned exactly.  PyPI's ``whoosh`` 2.7.4 (2016) emits
SyntaxWarnings on Python 3.12+ that fail ``-W error`` test runs; ``whoosh-reloaded``
2.7.5 imports cleanly but is declared unmaintained; ``whoosh-ng`` crashes on phrase
queries.  whoosh3 is maintained, imports cleanly on 3.11–3.13, has no dependencies and
reads and writes the same index files with the same results.  It is released almost
daily (by an automated maintainer), hence the exact pin and deliberate upgrades.  This
package keeps to the classic 2.7 API (``whoosh.index``, ``fields``, ``qparser``,
``analysis``, ``highlight``, ``collectors``), so ``whoosh-reloaded==2.7.5`` is a drop-in
fallback.  Two things differ from Whoosh's defaults on purpose: the token pattern is
spelled out (whoosh3 changed its default), and the collector runs with ``replace=0``
(see ``query.top``).
"""

from __future__ import annotations

from .query import BadQuery, SearchHit, SearchResults, Segment, search

__all__ = ["BadQuery", "SearchHit", "SearchResults", "Segment", "search"]
