"""The Whoosh index, topics, related papers and the command line, on real indexes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import threading
from pathlib import Path

import pytest
from whoosh import index

from generator.cli import main
from generator.errors import ConfigError
from generator.model import Paper
from generator.paperfile import parse_paper
from generator.search import export, search
from generator.search.index import content_hash, identity, update_index
from generator.search.query import MAX_QUERY_CHARS, BadQuery, open_index, ranked_slugs
from generator.search.ranking import STATS_FILE, cached_stats, live_stats
from generator.search.related import update_related
from generator.search.state import STATE_FILE
from generator.search.topics import check_topics, topic_members, update_topics
from generator.settings import Topic

from .support import REPO

DAY = dt.date(2026, 3, 13)


def paper(slug: str, title: str, abstract: str, **fields: object) -> Paper:
    return Paper(title=title, abstract=abstract, date=fields.pop("date", DAY), slug=slug, **fields)  # type: ignore[arg-type]


SHELF = [
    paper(
        "diffusion-for-robots",
        "Diffusion Policies for Robot Manipulation",
        "We train diffusion models to control a robot arm. Denoising steps produce actions.",
        collections=("robotics",),
        authors=("Chenguang Huang", "Oier Mees"),
        arxiv_id="2210.05714",
    ),
    paper(
        "quantized-diffusion",
        "Post-Training Quantization of Diffusion Models",
        "Quantization makes diffusion models small. We quantize weights to four bits.",
        collections=("efficiency",),
    ),
    paper(
        "speech-pretraining",
        "Self-Supervised Speech Representations",
        "Pretraining on unlabeled speech improves recognition of spoken words.",
        collections=("speech",),
        date=dt.date(2026, 3, 11),
    ),
    paper(
        "vision-transformers",
        "Efficient Vision Transformers",
        "Vision transformers split images into patches. We prune tokens to make them efficient.",
        collections=("efficiency",),
    ),
]
TOPICS = (
    Topic("Diffusion models", "diffusion-models", '"diffusion model" OR denoising'),
    Topic("Efficiency", "efficiency", "quantization OR prune OR efficient"),
)


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "search"
    update_index(folder, SHELF, TOPICS)
    return folder


def doc_count(folder: Path) -> int:
    with index.open_dir(str(folder)).searcher() as searcher:
        return searcher.doc_count()


def test_a_first_update_indexes_every_paper(tmp_path: Path) -> None:
    update = update_index(tmp_path / "search", SHELF, TOPICS)
    assert (update.added, update.changed, update.removed, update.rebuilt) == (4, 0, 0, True)
    assert doc_count(tmp_path / "search") == 4


def test_an_unchanged_shelf_writes_nothing(index_dir: Path) -> None:
    generation = index.open_dir(str(index_dir)).latest_generation()
    update = update_index(index_dir, SHELF, TOPICS)
    assert (update.added, update.changed, update.removed, update.unchanged) == (0, 0, 0, 4)
    assert index.open_dir(str(index_dir)).latest_generation() == generation


def test_adding_changing_and_removing_papers_writes_only_those(index_dir: Path) -> None:
    new = paper("graph-networks", "Graph Neural Networks", "Message passing over graphs.")
    edited = SHELF[1].replace(abstract="Quantization of diffusion models to two bits.")
    update = update_index(index_dir, [SHELF[0], edited, SHELF[3], new], TOPICS)
    assert (update.added, update.changed, update.removed, update.unchanged) == (1, 1, 1, 2)
    assert doc_count(index_dir) == 4
    assert ranked_slugs(index_dir, "graphs") == ["graph-networks"]
    assert ranked_slugs(index_dir, "bits two") == ["quantized-diffusion"]
    assert ranked_slugs(index_dir, "speech") == []


def test_the_content_hash_covers_every_indexed_field() -> None:
    base = SHELF[0]
    for change in (
        {"title": "Other"},
        {"abstract": "Other."},
        {"date": dt.date(2026, 1, 1)},
        {"collections": ("x",)},
        {"authors": ("A B",)},
        {"arxiv_id": "2101.00001"},
    ):
        assert content_hash(base.replace(**change)) != content_hash(base), change
    assert content_hash(base.replace(upvotes=5)) == content_hash(base)  # not indexed


def test_an_index_of_another_schema_version_is_rebuilt(index_dir: Path) -> None:
    (index_dir / STATE_FILE).write_text('{"schema": 0, "topics": {}}')
    update = update_index(index_dir, SHELF, TOPICS)
    assert update.rebuilt
    assert doc_count(index_dir) == 4


def test_a_damaged_index_is_rebuilt_from_the_shelf(index_dir: Path) -> None:
    for segment in index_dir.glob("*.seg"):
        segment.write_bytes(b"\x00garbage")
    for toc in index_dir.glob("_MAIN_*.toc"):
        toc.write_bytes(b"not a toc")
    update = update_index(index_dir, SHELF, TOPICS)
    assert update.rebuilt
    assert ranked_slugs(index_dir, "speech") == ["speech-pretraining"]


def test_two_builds_updating_at_once_both_finish_and_agree(index_dir: Path) -> None:
    extra = [paper(f"extra-{n}", f"Extra paper {n}", f"Abstract number {n}.") for n in range(30)]
    errors: list[BaseException] = []

    def run(papers: list[Paper]) -> None:
        try:
            update_index(index_dir, papers, TOPICS)
        except BaseException as exc:  # noqa: BLE001 -- reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(SHELF + extra,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert doc_count(index_dir) == len(SHELF) + len(extra)


def test_a_full_export_encoding_postings_as_it_goes_writes_the_bytes_of_one_encoding_them_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    papers = [
        parse_paper(p.read_text(encoding="utf-8")) for p in sorted((REPO / "content" / "papers").glob("*.md"))[:40]
    ]
    folder = tmp_path / "search"
    update_index(folder, papers)
    by_slug = {p.slug: p for p in papers}
    monkeypatch.setattr(export, "FLUSH_EVERY", 10**9)
    at_the_end = {f.path: f.data for f in export.export_index(folder, by_slug, {}).files}
    monkeypatch.setattr(export, "FLUSH_EVERY", 3)  # 13 encodings on the way, the last one partial
    as_it_goes = {f.path: f.data for f in export.export_index(folder, by_slug, {}).files}
    assert len(at_the_end) > 40
    assert as_it_goes == at_the_end


def test_an_export_brought_up_to_date_keeps_the_old_documents_and_a_damaged_state_means_afresh(
    tmp_path: Path,
) -> None:
    papers = [
        parse_paper(p.read_text(encoding="utf-8")) for p in sorted((REPO / "content" / "papers").glob("*.md"))[:20]
    ]
    newest = max(papers, key=lambda p: (p.date, p.slug))
    older = [p for p in papers if p is not newest]
    folder, output, state = tmp_path / "search", tmp_path / "output", tmp_path / "export.marshal"

    def run(shelf: list[Paper]) -> export.Export:
        update_index(folder, shelf)
        done = export.export_index(folder, {p.slug: p for p in shelf}, {}, state_file=state, output=output)
        for file in done.files:
            (output / file.path).parent.mkdir(parents=True, exist_ok=True)
            (output / file.path).write_bytes(file.data)
        export.record_export(state, done)
        return done

    run(older)
    added = run(papers)
    assert added.updated
    assert added.kept_docs == len(older)
    afresh = {f.path: f.data for f in export.export_index(folder, {p.slug: p for p in papers}, {}).files}
    on_disk = {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    assert {path: on_disk[path] for path in afresh} == afresh
    for damaged in (b"", b"\x00garbage", state.read_bytes()[: len(state.read_bytes()) // 2]):
        state.write_bytes(damaged)
        again = export.export_index(folder, {p.slug: p for p in papers}, {}, state_file=state, output=output)
        assert not again.updated
        assert {f.path: f.data for f in again.files} == afresh


def test_search_returns_ranked_hits_with_highlighted_passages(index_dir: Path) -> None:
    results = search(index_dir, "diffusion models", limit=5)
    assert results.total == 2
    assert [hit.slug for hit in results.hits] == ["quantized-diffusion", "diffusion-for-robots"]
    best = results.hits[0]
    assert best.title == "Post-Training Quantization of Diffusion Models"
    assert best.score > results.hits[1].score > 0
    assert "".join(s.text for s in best.title_segments) == best.title
    assert [s.text for s in best.title_segments if s.matched] == ["Diffusion", "Models"]
    matched = {s.text.lower() for snippet in best.snippets for s in snippet if s.matched}
    assert matched == {"diffusion", "models"}


def test_the_query_language_is_whooshs(index_dir: Path) -> None:
    def found(text: str) -> set[str]:
        return set(ranked_slugs(index_dir, text))

    assert found("diffusion OR speech") == {"quantized-diffusion", "speech-pretraining", "diffusion-for-robots"}
    assert ranked_slugs(index_dir, "diffusion NOT robot") == ["quantized-diffusion"]
    assert found('"diffusion models"') == {"quantized-diffusion", "diffusion-for-robots"}
    assert ranked_slugs(index_dir, '"models diffusion"') == []
    assert ranked_slugs(index_dir, "quantiz*") == ["quantized-diffusion"]
    assert found("collection:efficiency") == {"quantized-diffusion", "vision-transformers"}
    assert ranked_slugs(index_dir, "author:mees") == ["diffusion-for-robots"]
    assert ranked_slugs(index_dir, 'author:"oier mees"') == ["diffusion-for-robots"]
    assert ranked_slugs(index_dir, "arxiv:2210.05714") == ["diffusion-for-robots"]
    assert ranked_slugs(index_dir, "joined:2026-03-11") == ["speech-pretraining"]
    assert found("joined:2026-03*") == {p.slug for p in SHELF}
    assert ranked_slugs(index_dir, "topic:efficiency NOT transformers") == ["quantized-diffusion"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type some words"),
        ("   ", "Type some words"),
        ("the of and", "only common words"),
        ('"unbalanced phrase', "quotation mark is not closed"),
        ("x" * 10_000, f"keep it under {MAX_QUERY_CHARS}"),
        ("venue:neurips", "Unknown field venue:"),
        ("topic:nothing-like-this", "Unknown topic"),
        ("topic:diff*", "topic: takes the name of one topic"),
        ("*", "only a * at the end of a word"),
        ("tr?nsformer", "only a * at the end of a word"),
    ],
)
def test_a_bad_query_gets_a_message_not_an_exception(index_dir: Path, text: str, message: str) -> None:
    with pytest.raises(BadQuery, match=message.replace("*", r"\*")):
        search(index_dir, text)


def test_html_in_a_query_is_just_words(index_dir: Path) -> None:
    assert ranked_slugs(index_dir, "<script>alert('diffusion')</script>") == []
    assert ranked_slugs(index_dir, "<b>speech</b>") == ["speech-pretraining"]


def test_topics_list_every_matching_paper(index_dir: Path) -> None:
    members = topic_members(index_dir, TOPICS)
    assert members["diffusion-models"] == {"diffusion-for-robots", "quantized-diffusion"}
    assert members["efficiency"] == {"quantized-diffusion", "vision-transformers"}


def test_topics_still_list_old_papers_once_the_index_has_several_segments(index_dir: Path) -> None:
    new = paper("more-diffusion", "More Diffusion", "A denoising sampler.")
    update_index(index_dir, [*SHELF, new], TOPICS)
    with index.open_dir(str(index_dir)).searcher() as searcher:
        assert not searcher.reader().is_atomic()  # the case that once came back empty
    members = topic_members(index_dir, TOPICS)
    assert members["diffusion-models"] == {"diffusion-for-robots", "quantized-diffusion", "more-diffusion"}


def test_topics_kept_from_the_last_build_equal_topics_evaluated_afresh(tmp_path: Path) -> None:
    folder, cache = tmp_path / "search", tmp_path / "topics.marshal"
    first = update_index(folder, SHELF, TOPICS)
    assert update_topics(folder, cache, TOPICS, first, {p.slug: p for p in SHELF}).evaluated == len(TOPICS)
    steps = [
        # a paper joins that matches one topic by a phrase, another by a prefix-free word
        [*SHELF, paper("denoising-graphs", "Denoising Graphs", "An efficient diffusion model for molecules.")],
        # a member stops matching, and one paper leaves
        [dataclasses.replace(SHELF[0], abstract="A robot arm."), SHELF[1], SHELF[3]],
        # nothing changed
        [dataclasses.replace(SHELF[0], abstract="A robot arm."), SHELF[1], SHELF[3]],
        # a topic's query changes, and a paper comes back
        [*SHELF],
    ]
    topics = TOPICS
    for number, papers in enumerate(steps):
        if number == 3:
            topics = (TOPICS[0], Topic("Efficiency", "efficiency", "patches OR speech"))
        update = update_index(folder, papers, topics)
        kept = update_topics(folder, cache, topics, update, {p.slug: p for p in papers})
        assert dict(kept.members) == dict(topic_members(folder, topics)), f"step {number}"
        assert kept.evaluated == (1 if number == 3 else 0), f"step {number}"


def test_topics_are_evaluated_afresh_when_their_cache_is_of_another_index_state(tmp_path: Path) -> None:
    folder, cache = tmp_path / "search", tmp_path / "topics.marshal"
    update_topics(folder, cache, TOPICS, update_index(folder, SHELF, TOPICS), {p.slug: p for p in SHELF})
    # A build that changed the index but never recorded its topics (it stopped half-way).
    update_index(folder, SHELF[:2], TOPICS)
    update = update_index(folder, SHELF[:3], TOPICS)
    kept = update_topics(folder, cache, TOPICS, update, {p.slug: p for p in SHELF})
    assert kept.evaluated == len(TOPICS)
    assert dict(kept.members) == dict(topic_members(folder, TOPICS))
    cache.write_bytes(b"not a cache")
    update = update_index(folder, SHELF, TOPICS)
    assert update_topics(folder, cache, TOPICS, update, {p.slug: p for p in SHELF}).evaluated == len(TOPICS)


@pytest.mark.parametrize(
    ("query", "message"),
    [("the", "only common words"), ("venue:x", "Unknown field"), ("topic:efficiency", "topics do not nest")],
)
def test_a_topic_query_that_cannot_run_stops_the_build(query: str, message: str) -> None:
    with pytest.raises(ConfigError, match=f"TOPICS: 'Broken': .*{message}"):
        check_topics([Topic("Broken", "broken", query)])


def related_shelf() -> list[Paper]:
    themes = {
        "diffusion": "diffusion denoising score sampler noise schedule image generation",
        "speech": "speech audio acoustic speaker recognition waveform phoneme",
        "graphs": "graph node edge message passing neighbourhood molecule",
    }
    papers = []
    for theme, words in themes.items():
        vocab = words.split()
        for n in range(7):
            text = " ".join(vocab[(n + k) % len(vocab)] for k in range(5))
            papers.append(paper(f"{theme}-{n}", f"{theme.title()} study {n}", f"We study {text}. {theme} {n}."))
    return papers


def test_related_papers_are_five_papers_on_the_same_theme(tmp_path: Path) -> None:
    papers = related_shelf()
    update_index(tmp_path / "search", papers)
    related = update_related(tmp_path / "search", tmp_path / "related.sqlite", papers).related
    for p in papers:
        theme = p.slug.split("-")[0]
        assert len(related[p.slug]) == 5
        assert p.slug not in related[p.slug]
        assert all(other.startswith(theme) for other in related[p.slug]), (p.slug, related[p.slug])


def test_a_new_paper_joins_its_neighbours_lists_touching_only_what_it_concerns(tmp_path: Path) -> None:
    papers = related_shelf()
    update_index(tmp_path / "search", papers)
    store = tmp_path / "related.sqlite"
    update_related(tmp_path / "search", store, papers)
    twin = papers[0].replace(slug="diffusion-twin", title="Diffusion study twin")
    grown = [*papers, twin]
    update_index(tmp_path / "search", grown)
    update = update_related(tmp_path / "search", store, grown)
    assert "diffusion-twin" in update.related["diffusion-0"]
    assert update.related["diffusion-twin"][0] == "diffusion-0"
    # "diffusion" is now on 8 papers, a power of two: its weight moved, so the papers holding
    # it get new signatures (and lists).  No paper of another theme is touched.
    diffusion = [p for p in grown if p.slug.startswith("diffusion")]
    assert update.computed == len(diffusion)
    assert update.relisted == len(diffusion)
    assert update.related == from_scratch(tmp_path / "scratch", grown)

    shrunk = [p for p in grown if p.slug != "diffusion-0"]
    update_index(tmp_path / "search", shrunk)
    update = update_related(tmp_path / "search", store, shrunk)
    assert all("diffusion-0" not in others for others in update.related.values())
    assert "diffusion-0" not in update.related
    assert update.related == from_scratch(tmp_path / "scratch", shrunk)


def test_related_papers_told_what_the_index_update_wrote_match_those_found_by_every_key(tmp_path: Path) -> None:
    papers = related_shelf()
    store = tmp_path / "related.sqlite"
    update_related(tmp_path / "search", store, papers, since=update_index(tmp_path / "search", papers))
    twin = papers[0].replace(slug="diffusion-twin", title="Diffusion study twin")
    grown = [*papers[1:], twin]
    written = update_index(tmp_path / "search", grown)
    assert written.touched == {"diffusion-twin", papers[0].slug}
    update = update_related(tmp_path / "search", store, grown, since=written)
    assert update.related == from_scratch(tmp_path / "scratch", grown)

    # The index changed twice since the store was brought up to date: the first change is
    # not in what the second update wrote, so the store compares every paper's key.
    changed = [*grown[:5], grown[5].replace(abstract="We study something else entirely."), *grown[6:]]
    update_index(tmp_path / "search", changed)
    again = [p for p in changed if p.slug != grown[9].slug]
    update = update_related(tmp_path / "search", store, again, since=update_index(tmp_path / "search", again))
    assert update.related == from_scratch(tmp_path / "scratch", again)


def from_scratch(folder: Path, papers: list[Paper]) -> dict[str, tuple[str, ...]]:
    """Related papers computed with no stored state, in a folder of their own."""
    shutil.rmtree(folder, ignore_errors=True)
    update_index(folder / "search", papers)
    return dict(update_related(folder / "search", folder / "related.sqlite", papers).related)


def test_the_command_line_prints_ranked_results_with_highlights(
    small_site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = small_site / "settings.py"
    content, cache = str(small_site / "content"), str(small_site / "cache")
    settings.write_text(f"from pelicanconf import *\nPATH = {content!r}\nCACHE_PATH = {cache!r}\n")
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent))
    assert main(["search", "-s", str(settings), "domain adaptation", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 paper matches:")
    assert "1. Continual Test-Time *Domain* *Adaptation*" in out
    assert "papers/continual-test-time-domain-adaptation/" in out

    assert main(["search", "-s", str(settings), "zebra"]) == 0
    assert capsys.readouterr().out == "No papers match 'zebra'.\n"

    assert main(["search", "-s", str(settings), '"open']) == 1
    assert capsys.readouterr().err == (
        'papershelf: error: A quotation mark is not closed: phrases go between two " marks.\n'
    )


def test_the_command_line_refuses_a_bad_limit(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "x", "--limit", "0"])
    assert exit_info.value.code == 2
    assert "'0' is not a number from 1 to 100" in capsys.readouterr().err


def test_searching_before_the_first_build_says_to_build(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="build the site first"):
        search(tmp_path / "nothing-here", "diffusion")


def test_statistics_carried_over_an_update_equal_a_fresh_count(index_dir: Path) -> None:
    extra = paper("speech-at-scale", "Speech at scale", "Speech recognition for everyone.", authors=("A. Person",))
    ix = open_index(index_dir)
    with ix.reader() as reader:
        cached_stats(index_dir, ix, reader)  # recorded for this generation
    changed = dataclasses.replace(SHELF[0], abstract=SHELF[0].abstract + " More words about robots.")
    update_index(index_dir, [changed, *SHELF[2:], extra])
    recorded = json.loads((index_dir / STATS_FILE).read_text())
    ix = open_index(index_dir)
    assert recorded["key"] == identity(index_dir, ix).hex()  # carried over, not left stale
    with ix.reader() as reader:
        assert reader.doc_count_all() > reader.doc_count()
        fresh = live_stats(reader)
    assert (recorded["docCount"], recorded["lengths"]) == (fresh.doc_count, dict(fresh.lengths))
