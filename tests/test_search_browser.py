"""Search in Chromium: the browser engine against Whoosh, and the search page as a reader uses it."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.model import Paper
from generator.paperfile import parse_paper
from generator.search.query import BadQuery, open_index, parse, top
from generator.search.ranking import paper_searcher
from generator.search.schema import make_parser
from generator.search.state import read_topics

from .conftest import sample_papers
from .search_queries import PARITY_QUERIES
from .support import REPO, build, serve, write_shelf

pytestmark = pytest.mark.browser

# Item 8 of the search issue: each must give a message, in the browser as in Python.
BAD_QUERIES = [
    "the of and",
    '"unbalanced phrase',
    "x" * 10_000,
    "venue:neurips",
    "topic:no-such-topic",
    "tr?nsformer",
    "*",
    "topic:robot*",
]


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real build of the repository's sample shelf (432 papers) with its topics."""
    site = tmp_path_factory.mktemp("sample-site")
    shutil.copytree(REPO / "content" / "papers", site / "content" / "papers")
    shutil.copytree(REPO / "content" / "pages", site / "content" / "pages")
    build(site)
    return site


@pytest.fixture
def page(chromium: object) -> Iterator[object]:
    context = chromium.new_context(viewport={"width": 1000, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda message: page.errors.append(message.text) if message.type == "error" else None,  # type: ignore[attr-defined]
    )
    yield page
    context.close()


def whoosh_answers(site: Path, queries: list[str]) -> dict[str, dict]:
    folder = site / "cache" / "search"
    ix = open_index(folder)
    parser = make_parser(ix.schema)
    topics = read_topics(folder)
    answers: dict[str, dict] = {}
    with paper_searcher(folder, ix) as searcher:
        slugs = searcher.reader().column_reader("slug")
        for text in queries:
            try:
                results = top(searcher, parse(text, parser, topics), 10)
            except BadQuery as exc:
                answers[text] = {"error": str(exc)}
            else:
                answers[text] = {"total": len(results), "slugs": [slugs[hit.docnum] for hit in results]}
    return answers


BROWSER_ANSWERS = """
async ([engineUrl, metaUrl, queries]) => {
  const engine = await import(engineUrl);
  const index = await engine.StaticIndex.open(metaUrl);
  const answers = {};
  for (const text of queries) {
    try {
      const result = await engine.search(index, text, 10);
      const docs = await Promise.all(result.hits.map((hit) => index.document(hit.docnum)));
      answers[text] = { total: result.total, slugs: docs.map((doc) => doc.slug) };
    } catch (error) {
      answers[text] = error instanceof engine.QueryError ? { error: error.message } : { crash: String(error.stack) };
    }
  }
  return answers;
}
"""


DOCUMENTS = """
async ([engineUrl, metaUrl]) => {
  const engine = await import(engineUrl);
  const index = await engine.StaticIndex.open(metaUrl);
  return Promise.all([...Array(index.meta.docCount).keys()].map((n) => index.document(n)));
}
"""


def engine_urls(page: object, base: str) -> tuple[str, str]:
    page.goto(base + "search/")  # type: ignore[attr-defined]
    form = page.locator("[data-search-page]")  # type: ignore[attr-defined]
    meta = page.evaluate("(u) => new URL(u, document.baseURI).href", form.get_attribute("data-meta-url"))  # type: ignore[attr-defined]
    engine = page.evaluate("(u) => new URL(u, document.baseURI).href", form.get_attribute("data-engine-url"))  # type: ignore[attr-defined]
    return engine, meta


def test_the_browser_returns_the_same_papers_in_the_same_order_as_whoosh(sample_build: Path, page: object) -> None:
    queries = PARITY_QUERIES + BAD_QUERIES
    assert len(PARITY_QUERIES) >= 40
    expected = whoosh_answers(sample_build, queries)
    with serve(sample_build / "output") as base:
        engine, meta = engine_urls(page, base)
        answers = page.evaluate(BROWSER_ANSWERS, [engine, meta, queries])  # type: ignore[attr-defined]
    differences = {q: (expected[q], answers[q]) for q in queries if expected[q] != answers[q]}
    assert differences == {}
    # The comparison means something only if most queries find papers and a few do not.
    found = [q for q in PARITY_QUERIES if expected[q].get("slugs")]
    assert len(found) >= 35
    assert len(PARITY_QUERIES) - len(found) >= 5
    assert all("error" in expected[q] for q in BAD_QUERIES)
    assert page.errors == []  # type: ignore[attr-defined]


def test_each_result_shows_its_paper_with_the_abstract_read_from_the_paper_page(
    sample_build: Path, page: object
) -> None:
    shelf = sample_build / "content" / "papers"
    papers = {p.slug: p for p in (parse_paper(f.read_text(encoding="utf-8"), str(f)) for f in shelf.glob("*.md"))}
    with serve(sample_build / "output") as base:
        docs = page.evaluate(DOCUMENTS, list(engine_urls(page, base)))  # type: ignore[attr-defined]
    assert len(docs) == len(papers)
    for doc in docs:
        paper = papers[doc["slug"]]
        assert doc == {
            "slug": paper.slug,
            "title": paper.title,
            "joined": paper.date.isoformat(),
            "collections": list(paper.collections),
            "abstract": paper.abstract,
        }
    assert page.errors == []  # type: ignore[attr-defined]


def wait_for_status(page: object, pattern: str) -> str:
    """The status line once the page has settled on the query in the box and says ``pattern``."""
    page.wait_for_function(  # type: ignore[attr-defined]
        """() => {
            const list = document.querySelector("[data-search-results]");
            const box = document.getElementById("search-input");
            return list.getAttribute("aria-busy") === "false" && list.dataset.query === box.value.trim();
        }""",
        timeout=10_000,
    )
    status = page.locator("[data-search-status]")  # type: ignore[attr-defined]
    status.filter(has_text=re.compile(pattern)).wait_for(timeout=10_000)
    return status.inner_text()


def result_titles(page: object) -> list[str]:
    return page.locator("[data-search-results] li h2").all_inner_texts()  # type: ignore[attr-defined]


def test_results_appear_as_you_type_with_highlights_a_count_and_the_query_in_the_url(
    sample_build: Path, page: object, artifacts: Path
) -> None:
    with serve(sample_build / "output") as base:
        page.goto(base + "search/")  # type: ignore[attr-defined]
        page.locator("#search-input").press_sequentially("diffusion models", delay=20)  # type: ignore[attr-defined]
        status = wait_for_status(page, r"papers match")
        assert re.fullmatch(r"\d+ papers match; showing the best 20\.", status)
        titles = result_titles(page)
        assert len(titles) == 20
        marks = page.locator("[data-search-results] mark").all_inner_texts()  # type: ignore[attr-defined]
        assert {m.lower() for m in marks} >= {"diffusion", "models"}
        assert "q=diffusion+models" in page.url  # type: ignore[attr-defined]
        page.screenshot(path=str(artifacts / "search-diffusion-models.png"))  # type: ignore[attr-defined]
        # The same query from a shared link gives the same page.
        page.goto(page.url)  # type: ignore[attr-defined]
        wait_for_status(page, r"papers match")
        assert result_titles(page) == titles
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_keyboard_reaches_the_box_and_the_results_and_back_returns(sample_build: Path, page: object) -> None:
    with serve(sample_build / "output") as base:
        page.goto(base + "papers/visual-language-maps-for-robot-navigation/")  # type: ignore[attr-defined]
        page.keyboard.press("/")  # type: ignore[attr-defined]
        assert page.evaluate("document.activeElement.id") == "header-search-input"  # type: ignore[attr-defined]
        page.keyboard.type("speech")  # type: ignore[attr-defined]
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
        speech_status = wait_for_status(page, r"papers? match")
        speech = result_titles(page)
        assert page.evaluate("document.activeElement.id") == "search-input"  # type: ignore[attr-defined]
        second = speech[1]
        page.keyboard.press("ArrowDown")  # type: ignore[attr-defined]
        page.keyboard.press("ArrowDown")  # type: ignore[attr-defined]
        assert page.locator("[data-search-results] li[aria-selected=true] h2").inner_text() == second  # type: ignore[attr-defined]
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
        page.wait_for_url(re.compile(r"/papers/"))  # type: ignore[attr-defined]
        assert page.locator("h1").inner_text() == second  # type: ignore[attr-defined]
        page.go_back()  # type: ignore[attr-defined]
        wait_for_status(page, r"papers? match")
        assert page.locator("#search-input").input_value() == "speech"  # type: ignore[attr-defined]

        # A second query, then Back: the first query and its results come back.
        page.locator("#search-input").fill("robot navigation")  # type: ignore[attr-defined]
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
        wait_for_status(page, r"papers? match")
        assert result_titles(page) != speech
        page.go_back()  # type: ignore[attr-defined]
        page.wait_for_function("document.getElementById('search-input').value === 'speech'")  # type: ignore[attr-defined]
        wait_for_status(page, re.escape(speech_status))
        assert result_titles(page) == speech
        page.go_forward()  # type: ignore[attr-defined]
        page.wait_for_function("document.getElementById('search-input').value === 'robot navigation'")  # type: ignore[attr-defined]
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("zzzyzx", "No papers match “zzzyzx”"),
        ('"domain adaptation', "A quotation mark is not closed"),
        ("venue:icml", "Unknown field venue:"),
        ("the of", "only common words"),
        ("x" * 10_000, "The query is too long (10,000 characters)"),
    ],
)
def test_no_hits_and_malformed_queries_get_a_clear_message(
    sample_build: Path, page: object, query: str, message: str
) -> None:
    with serve(sample_build / "output") as base:
        page.goto(base + "search/")  # type: ignore[attr-defined]
        page.locator("#search-input").fill(query)  # type: ignore[attr-defined]
        status = wait_for_status(page, re.escape(message))
        assert message in status
        assert result_titles(page) == []
    assert page.errors == []  # type: ignore[attr-defined]


def hostile_site(root: Path) -> Path:
    hostile = Paper(
        title='<img src=x onerror="window.pwned=1">Diffusion <b>bold</b> claims',
        abstract='Diffusion <script>window.pwned=2</script> models "quoted" & <i>tagged</i>.',
        date=dt.date(2026, 3, 14),
        slug="hostile-diffusion",
        collections=("<em>odd</em>",),
    )
    write_shelf(root / "content", [*sample_papers(), hostile])
    build(root)
    return root


def test_paper_text_and_queries_are_shown_as_text_never_as_html(tmp_path: Path, page: object) -> None:
    site = hostile_site(tmp_path)
    with serve(site / "output") as base:
        page.goto(base + "search/?q=diffusion")  # type: ignore[attr-defined]
        wait_for_status(page, r"papers? match")
        titles = result_titles(page)
        assert '<img src=x onerror="window.pwned=1">Diffusion <b>bold</b> claims' in titles
        results = page.locator("[data-search-results]")  # type: ignore[attr-defined]
        assert results.locator("img, b, script, i, em").count() == 0
        assert "<script>window.pwned=2</script>" in results.inner_text()

        page.locator("#search-input").fill('<img src=x onerror="window.pwned=3"> "')  # type: ignore[attr-defined]
        wait_for_status(page, "quotation mark")
        # The hostile title itself matches these words: found, and still shown as text.
        page.locator("#search-input").fill("<img src=x onerror=window.pwned=4>")  # type: ignore[attr-defined]
        wait_for_status(page, "1 paper matches")
        assert result_titles(page) == ['<img src=x onerror="window.pwned=1">Diffusion <b>bold</b> claims']
        assert page.locator("main img").count() == 0  # type: ignore[attr-defined]
        assert page.evaluate("window.pwned") is None  # type: ignore[attr-defined]
    assert page.errors == []  # type: ignore[attr-defined]


def test_search_works_under_a_sub_path_and_other_pages_never_load_it(sample_build: Path, page: object) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))  # type: ignore[attr-defined]
    with serve(sample_build / "output", prefix="/shelf") as base:
        page.goto(base)  # type: ignore[attr-defined]
        page.goto(base + "papers/visual-language-maps-for-robot-navigation/")  # type: ignore[attr-defined]
        assert not [url for url in requests if "search.js" in url or "/search/data/" in url]

        page.locator("#header-search-input").fill("navigation")  # type: ignore[attr-defined]
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
        wait_for_status(page, r"papers? match")
        assert page.url.startswith(base + "search/?q=navigation")  # type: ignore[attr-defined]
        page.locator("[data-search-results] li h2 a").first.click()  # type: ignore[attr-defined]
        page.wait_for_url(re.compile(r"/shelf/papers/"))  # type: ignore[attr-defined]
    fetched = [url for url in requests if "/search/data/" in url]
    assert fetched
    assert all(url.startswith(base) for url in fetched)
    assert page.errors == []  # type: ignore[attr-defined]
