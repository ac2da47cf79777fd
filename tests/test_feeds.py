"""Feeds of a real build: validated as Atom, RSS and JSON Feed, read by feedparser, linked from pages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import posixpath
import shutil
from collections.abc import Iterator
from pathlib import Path

import feedparser
import lxml.html
import pytest
from pelican.settings import read_settings

from generator import urls
from generator.errors import BuildError
from generator.feeds.items import LOCAL_SITEURL, entry_id
from generator.model import Paper
from generator.site.model import newest_first

from .conftest import sample_papers
from .feed_topics import PLUGINS
from .feed_validators import ATOM, atom_problems, is_absolute_url, json_feed_problems, parse_xml, rss_problems
from .support import REPO, build, write_shelf

PUBLISHED = "https://user.github.io/shelf"
HOSTILE = Paper(
    title="<img src=x onerror=alert(1)>",
    abstract='A hostile abstract: </content></entry> <script>alert(2)</script> & "quotes" ]]> end.',
    date=dt.date(2026, 3, 12),
    slug="img-src-x-onerror-alert-1",
    collections=("diffusion",),
)
TOPICS = {
    "Diffusion models": [
        "elucidating-the-design-space-of-classifier-guided-diffusion-generation",
        "img-src-x-onerror-alert-1",
    ],
    "Nothing yet": [],
}
# The topics come from tests.feed_topics; TOPICS only makes the build write the topics index.
SITENAME = "Test shelf"
TOPIC_OVERRIDES = {
    "SITENAME": SITENAME,
    "PLUGINS": PLUGINS,
    "FEED_TEST_TOPICS": TOPICS,
    "TOPICS": {"Diffusion models": "diffusion", "Nothing yet": "nothing"},
}


def shelf() -> list[Paper]:
    return [*sample_papers(), HOSTILE]


def expected_feeds(papers: list[Paper], limit: int = 50) -> dict[str, list[Paper]]:
    """Feed name → the papers it must carry, newest first, computed independently of the build."""
    feeds = {urls.ALL_FEED: newest_first(papers)[:limit]}
    for name in sorted({c for p in papers for c in p.collections}):
        feeds[urls.feed_name("collection", name)] = newest_first(p for p in papers if name in p.collections)[:limit]
    feeds["topics/diffusion-models"] = newest_first(p for p in papers if p.slug in TOPICS["Diffusion models"])
    feeds["topics/nothing-yet"] = []
    return feeds


def build_shelf(site: Path, papers: list[Paper], **kwargs: object) -> Path:
    write_shelf(site / "content", papers)
    overrides = {**TOPIC_OVERRIDES, **kwargs.pop("overrides", {})}
    build(site, overrides=overrides, **kwargs)
    return site / "output"


@pytest.fixture(scope="module")
def local_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_shelf(tmp_path_factory.mktemp("local"), shelf())


@pytest.fixture(scope="module")
def published_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_shelf(
        tmp_path_factory.mktemp("published"),
        shelf(),
        settings_file="publishconf.py",
        overrides={"SITEURL": PUBLISHED},
    )


def feed_files(output: Path, fmt: str) -> Iterator[tuple[str, Path]]:
    for name in expected_feeds(shelf()):
        yield name, output / urls.feed(name, fmt)


def test_every_listing_has_an_atom_rss_and_json_feed(local_output: Path) -> None:
    written = {str(p.relative_to(local_output)) for p in (local_output / "feeds").rglob("*") if p.is_file()}
    expected = {urls.feed(name, fmt) for name in expected_feeds(shelf()) for fmt in urls.FEED_FORMATS}
    assert written == expected | {urls.OPML}


@pytest.mark.parametrize("output_name", ["local_output", "published_output"])
def test_every_atom_feed_is_valid_against_the_rfc_4287_schema(output_name: str, request: pytest.FixtureRequest) -> None:
    output = request.getfixturevalue(output_name)
    for name, path in feed_files(output, "atom"):
        assert atom_problems(path.read_bytes()) == [], name


@pytest.mark.parametrize("output_name", ["local_output", "published_output"])
def test_every_rss_feed_follows_the_rss_2_rules(output_name: str, request: pytest.FixtureRequest) -> None:
    output = request.getfixturevalue(output_name)
    for name, path in feed_files(output, "rss"):
        assert rss_problems(path.read_bytes()) == [], name


@pytest.mark.parametrize("output_name", ["local_output", "published_output"])
def test_every_json_feed_is_valid_json_feed_1_1(output_name: str, request: pytest.FixtureRequest) -> None:
    output = request.getfixturevalue(output_name)
    for name, path in feed_files(output, "json"):
        assert json_feed_problems(path.read_bytes()) == [], name


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_feedparser_reads_every_feed_cleanly_with_its_papers_newest_first(local_output: Path, fmt: str) -> None:
    for name, papers in expected_feeds(shelf()).items():
        parsed = feedparser.parse((local_output / urls.feed(name, fmt)).read_bytes())
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert parsed.version == {"atom": "atom10", "rss": "rss20"}[fmt]
        assert [e.title for e in parsed.entries] == [p.title for p in papers], name
        assert [e.id for e in parsed.entries] == [entry_id(p) for p in papers], name
        assert [e.link for e in parsed.entries] == [f"{LOCAL_SITEURL}/{urls.paper(p.slug)}" for p in papers]


def test_every_json_feed_carries_its_papers_newest_first(local_output: Path) -> None:
    # feedparser 6.0 (its latest release) does not read JSON Feed; the schema above and the
    # embed widget in Chromium (test_embed_browser.py) are this format's real clients.
    for name, papers in expected_feeds(shelf()).items():
        items = json.loads((local_output / urls.feed(name, "json")).read_bytes())["items"]
        assert [i["title"] for i in items] == [p.title for p in papers], name
        assert [i["id"] for i in items] == [entry_id(p) for p in papers], name
        assert [i["url"] for i in items] == [f"{LOCAL_SITEURL}/{urls.paper(p.slug)}" for p in papers]
        assert [i["_papershelf"]["path"] for i in items] == [urls.paper(p.slug) for p in papers]


def test_validators_find_the_faults_they_look_for() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><updated>yesterday</updated>
        <entry><id>a</id><title>x</title><updated>2026-01-01T00:00:00Z</updated></entry></feed>"""
    rss = b"""<rss version="2.0"><channel><title>t</title><link>/relative</link>
        <item><title>a</title><guid isPermaLink="false">g</guid><pubDate>2026-03-13</pubDate></item>
        <item><title>b</title><guid isPermaLink="false">g</guid><pubDate>Sat, 13 Mar 2026 00:00 +0000</pubDate></item>
        </channel></rss>"""
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "t", "home_page_url": "/relative", "items": [
        {"id": "a", "content_text": "x", "date_published": "13 March 2026"},
        {"id": "a", "title": "no content"},
    ]}  # fmt: skip
    assert len(atom_problems(atom)) >= 3  # no id, a bad date, no author, an entry without a link
    problems = rss_problems(rss)
    assert any("description" in p for p in problems)
    assert any("absolute URL" in p for p in problems)
    assert any("not an RFC 822 date" in p for p in problems)
    assert any("weekday" in p for p in problems)  # 13 March 2026 is a Friday
    assert any("appears 2 times" in p for p in problems)
    problems = json_feed_problems(json.dumps(feed).encode())
    assert any("home_page_url" in p for p in problems)
    assert any("date_published" in p for p in problems)
    assert any("content_html" in p or "not valid under any" in p for p in problems)
    assert any("appears 2 times" in p for p in problems)


def test_an_entry_carries_its_id_dates_abstract_links_and_categories(local_output: Path) -> None:
    feed = parse_xml((local_output / urls.feed(urls.ALL_FEED, "atom")).read_bytes())
    paper = sample_papers()[1]  # in two collections and a topic, with code
    entry = next(e for e in feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == paper.title)
    assert entry.findtext(f"{ATOM}id") == f"tag:papershelf,2026-03-13:papers/{paper.slug}"
    assert entry.findtext(f"{ATOM}published") == entry.findtext(f"{ATOM}updated") == "2026-03-13T00:00:00+00:00"
    assert entry.findtext(f"{ATOM}summary") == paper.abstract
    links = {(link.get("rel", "alternate"), link.get("href")) for link in entry.iter(f"{ATOM}link")}
    assert links == {
        ("alternate", f"{LOCAL_SITEURL}/papers/{paper.slug}/"),
        ("related", "https://github.com/AlexMaOLS/EluCD"),
    }
    categories = {(c.get("term"), c.get("label"), c.get("scheme")) for c in entry.iter(f"{ATOM}category")}
    assert categories == {
        ("diffusion", "diffusion", f"{LOCAL_SITEURL}/collections/"),
        ("off-the-shelf", "off-the-shelf", f"{LOCAL_SITEURL}/collections/"),
        ("diffusion-models", "Diffusion models", f"{LOCAL_SITEURL}/topics/"),
    }
    content = lxml.html.fragment_fromstring(entry.findtext(f"{ATOM}content"), create_parent="div")
    assert "https://github.com/AlexMaOLS/EluCD" in content.xpath(".//a/@href")
    arxiv = json.loads((local_output / urls.feed(urls.ALL_FEED, "json")).read_bytes())["items"]
    navigation = next(i for i in arxiv if i["title"] == sample_papers()[0].title)
    assert navigation["external_url"] == "https://arxiv.org/abs/2210.05714"
    assert {"title": "arXiv", "url": "https://arxiv.org/abs/2210.05714"} in navigation["_papershelf"]["links"]


def test_entry_ids_stay_the_same_when_the_site_moves(local_output: Path, published_output: Path) -> None:
    for name in expected_feeds(shelf()):
        local = feedparser.parse((local_output / urls.feed(name, "atom")).read_bytes())
        published = feedparser.parse((published_output / urls.feed(name, "atom")).read_bytes())
        assert [e.id for e in local.entries] == [e.id for e in published.entries]
        assert all(e.link.startswith(PUBLISHED + "/papers/") for e in published.entries)


def site_urls(output: Path) -> Iterator[str]:
    """Every URL the feeds and the OPML of ``output`` hold."""
    for _name, path in feed_files(output, "atom"):
        feed = parse_xml(path.read_bytes())
        yield from feed.xpath("//a:link/@href | //a:category/@scheme", namespaces={"a": ATOM[1:-1]})
        yield from (lxml.html.fragment_fromstring(c.text, create_parent="div").xpath(".//a/@href")
                    for c in feed.iter(f"{ATOM}content"))  # fmt: skip
    for _name, path in feed_files(output, "rss"):
        channel = parse_xml(path.read_bytes()).find("channel")
        yield from (e.text for e in channel.iter("link"))
        yield from channel.xpath("//@href | //category/@domain")
    for _name, path in feed_files(output, "json"):
        feed = json.loads(path.read_bytes())
        yield feed["home_page_url"]
        yield feed["feed_url"]
        for item in feed["items"]:
            yield item["url"]
            yield from (link["url"] for link in item["_papershelf"]["links"])
    yield from parse_xml((output / urls.OPML).read_bytes()).xpath("//@xmlUrl | //@htmlUrl")


def flatten(values: Iterator[object]) -> list[str]:
    flat: list[str] = []
    for value in values:
        flat.extend(value if isinstance(value, list) else [value])
    return flat


def test_published_feeds_hold_only_absolute_urls_under_the_sub_path(published_output: Path) -> None:
    found = flatten(site_urls(published_output))
    assert len(found) > 50
    for url in found:
        assert is_absolute_url(url), url
        if url.startswith(("https://arxiv.org/", "https://github.com/", "https://vlmaps.github.io")):
            continue
        assert url.startswith(PUBLISHED + "/"), url
        path = url[len(PUBLISHED) + 1 :]
        assert (published_output / urls.file_for(path)).is_file(), url


def test_local_feeds_point_at_the_local_preview_address(local_output: Path) -> None:
    ours = [u for u in flatten(site_urls(local_output)) if "arxiv" not in u and "github" not in u]
    assert ours
    assert all(u.startswith(LOCAL_SITEURL + "/") for u in ours)


def feed_dates(output: Path) -> set[str]:
    dates = set()
    for _name, path in feed_files(output, "atom"):
        dates |= {e.text for e in parse_xml(path.read_bytes()).iter(f"{ATOM}updated", f"{ATOM}published")}
    for _name, path in feed_files(output, "rss"):
        root = parse_xml(path.read_bytes())
        dates |= {e.text for e in root.iter("pubDate", "lastBuildDate")}
    for _name, path in feed_files(output, "json"):
        for item in json.loads(path.read_bytes())["items"]:
            dates |= {item["date_published"], item["date_modified"]}
    return dates


def test_feed_dates_come_from_the_papers_never_from_the_clock(local_output: Path) -> None:
    days = {p.date for p in shelf()}
    allowed = {dt.datetime.combine(d, dt.time(0), tzinfo=dt.UTC) for d in days}
    allowed.add(dt.datetime(1970, 1, 1, tzinfo=dt.UTC))  # an empty topic's feed
    allowed_text = {d.isoformat() for d in allowed} | {d.strftime("%a, %d %b %Y %H:%M:%S +0000") for d in allowed}
    assert feed_dates(local_output) <= allowed_text


def test_rebuilding_an_unchanged_shelf_leaves_every_feed_byte_for_byte_untouched(tmp_path: Path) -> None:
    output = build_shelf(tmp_path, shelf())
    files = [p for folder in ("feeds", "embed") for p in (output / folder).rglob("*") if p.is_file()]
    files.append(output / urls.EMBED_SCRIPT)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    build(tmp_path, overrides=TOPIC_OVERRIDES)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before


def test_feeds_carry_only_the_latest_papers_up_to_the_setting(tmp_path: Path) -> None:
    papers = shelf()
    options = {"feed_max_items": 2}
    output = build_shelf(tmp_path, papers, overrides={"PAPERSHELF": options})
    for name, expected in expected_feeds(papers, limit=2).items():
        for fmt in urls.FEED_FORMATS:
            data = (output / urls.feed(name, fmt)).read_bytes()
            entries = json.loads(data)["items"] if fmt == "json" else feedparser.parse(data).entries
            assert [e["title"] for e in entries] == [p.title for p in expected], (name, fmt)


def test_hostile_titles_and_abstracts_stay_text_in_every_format(local_output: Path) -> None:
    name = "topics/diffusion-models"
    atom = parse_xml((local_output / urls.feed(name, "atom")).read_bytes())
    entry = next(e for e in atom.iter(f"{ATOM}entry") if HOSTILE.slug in e.findtext(f"{ATOM}id"))
    assert entry.findtext(f"{ATOM}title") == HOSTILE.title
    assert entry.find(f"{ATOM}title").get("type", "text") == "text"
    assert entry.findtext(f"{ATOM}summary") == HOSTILE.abstract
    rss = parse_xml((local_output / urls.feed(name, "rss")).read_bytes())
    item = next(i for i in rss.iter("item") if HOSTILE.slug in i.findtext("guid"))
    feed = json.loads((local_output / urls.feed(name, "json")).read_bytes())
    json_item = next(i for i in feed["items"] if HOSTILE.slug in i["id"])
    assert json_item["title"] == HOSTILE.title
    for html in (entry.findtext(f"{ATOM}content"), item.findtext("description"), json_item["content_html"]):
        fragment = lxml.html.fragment_fromstring(html, create_parent="div")
        assert fragment.xpath(".//script | .//img") == []
        assert fragment.text_content() == HOSTILE.abstract


def test_the_opml_lists_each_listing_once_with_its_feed_and_page(published_output: Path) -> None:
    outlines = parse_xml((published_output / urls.OPML).read_bytes()).xpath("//outline[@xmlUrl]")
    expected = expected_feeds(shelf())
    assert [o.get("xmlUrl") for o in outlines] == [f"{PUBLISHED}/{urls.feed(n, 'atom')}" for n in expected]
    assert all(o.get("type") == "rss" and o.get("text") and o.get("htmlUrl") for o in outlines)
    folders = parse_xml((published_output / urls.OPML).read_bytes()).xpath("/opml/body/outline[not(@xmlUrl)]/@text")
    assert folders == ["Collections", "Topics"]


LISTING_PAGES = {
    urls.INDEX: urls.ALL_FEED,
    urls.day(dt.date(2026, 3, 13)): urls.ALL_FEED,
    urls.collection("off-the-shelf"): "collections/off-the-shelf",
    urls.topic("diffusion-models"): "topics/diffusion-models",
}


@pytest.mark.parametrize(("page", "feed"), LISTING_PAGES.items())
def test_listing_pages_announce_their_feeds_for_autodiscovery(local_output: Path, page: str, feed: str) -> None:
    doc = lxml.html.fromstring((local_output / urls.file_for(page)).read_bytes())
    links = doc.xpath("//head/link[@rel='alternate']")
    assert {link.get("type") for link in links} == set(urls.FEED_TYPES.values())
    folder = posixpath.dirname(urls.file_for(page))
    for link in links:
        target = posixpath.normpath(posixpath.join(folder, link.get("href")))
        assert target == urls.feed(feed, next(f for f, t in urls.FEED_TYPES.items() if t == link.get("type")))
        assert (local_output / target).is_file()


@pytest.mark.parametrize(("page", "feed"), LISTING_PAGES.items())
def test_the_subscribe_control_is_plain_links_without_javascript(published_output: Path, page: str, feed: str) -> None:
    doc = lxml.html.fromstring((published_output / urls.file_for(page)).read_bytes())
    (control,) = doc.cssselect("details.subscribe")
    assert control.find("summary").text_content() == "Subscribe"
    hrefs = [a.get("href") for a in control.cssselect(".feed-urls a")]
    assert hrefs == [f"{PUBLISHED}/{urls.feed(feed, fmt)}" for fmt in urls.FEED_FORMATS]
    assert [a.text_content() for a in control.cssselect(".feed-urls a")] == hrefs
    buttons = control.cssselect("button[data-copy-target]")
    assert len(buttons) == 3
    assert all(b.get("hidden") is not None for b in buttons)  # copy.js shows them
    assert doc.cssselect("script[src*='copy.js']")


def test_pelican_writes_no_feeds_of_its_own_in_either_settings_file() -> None:
    for name in ("pelicanconf.py", "publishconf.py"):
        settings = read_settings(str(REPO / name), override={"PATH": str(REPO / "content")})
        feeds = {k: v for k, v in settings.items() if "FEED" in k and k.endswith(("_ATOM", "_RSS"))}
        assert len(feeds) >= 12
        assert set(feeds.values()) == {None}, name


def test_feeds_of_a_listing_that_left_the_shelf_are_removed(tmp_path: Path) -> None:
    output = build_shelf(tmp_path, shelf())
    robotics = [output / urls.feed("collections/robotics", fmt) for fmt in urls.FEED_FORMATS]
    robotics.append(output / urls.embed_frame("collections/robotics"))
    assert all(p.is_file() for p in robotics)
    (tmp_path / "content" / "papers" / f"{sample_papers()[0].slug}.md").unlink()
    build(tmp_path, overrides=TOPIC_OVERRIDES)
    assert not any(p.exists() for p in robotics)
    assert (output / urls.feed("collections/off-the-shelf", "atom")).is_file()


def test_the_embed_page_documents_both_snippets_with_absolute_addresses(published_output: Path) -> None:
    doc = lxml.html.fromstring((published_output / urls.file_for(urls.EMBED)).read_bytes())
    script = doc.get_element_by_id("snippet-script").text_content()
    assert script == f'<script src="{PUBLISHED}/embed.js" data-feed="all" data-limit="5" async></script>'
    iframe = doc.get_element_by_id("snippet-iframe").text_content()
    assert f'src="{PUBLISHED}/embed/all.html?limit=5"' in iframe
    names = [code.text_content() for code in doc.cssselect(".feeds-table tbody td:first-child code")]
    assert names == list(expected_feeds(shelf()))
    assert doc.cssselect(f"script[src='{PUBLISHED}/embed.js'][data-feed='all']")  # the live preview


def test_each_iframe_page_lists_its_feed_s_papers_as_links(published_output: Path) -> None:
    for name, papers in expected_feeds(shelf()).items():
        doc = lxml.html.fromstring((published_output / urls.embed_frame(name)).read_bytes())
        links = doc.cssselect("ol[data-limit-list] a")
        assert [a.text_content() for a in links] == [p.title for p in papers]
        assert [a.get("href") for a in links] == [f"{PUBLISHED}/{urls.paper(p.slug)}" for p in papers]


def test_feed_names_exist_only_for_collections_and_topics() -> None:
    assert urls.feed_name("topic", "diffusion-models") == "topics/diffusion-models"
    assert urls.feed(urls.feed_name("collection", "robotics"), "rss") == "feeds/collections/robotics.rss.xml"
    with pytest.raises(ValueError, match="no feeds"):
        urls.feed_name("day", "2026-03-13")


def test_a_topic_that_matches_nothing_has_valid_empty_feeds(local_output: Path) -> None:
    for fmt in ("atom", "rss"):
        parsed = feedparser.parse((local_output / urls.feed("topics/nothing-yet", fmt)).read_bytes())
        assert not parsed.bozo
        assert parsed.entries == []
        assert parsed.feed.title == f"{SITENAME}: Nothing yet"
    feed = json.loads((local_output / urls.feed("topics/nothing-yet", "json")).read_bytes())
    assert feed["items"] == []
    assert feed["title"] == f"{SITENAME}: Nothing yet"


def test_a_paper_title_edited_by_hand_is_the_only_change_in_its_feeds(tmp_path: Path) -> None:
    output = build_shelf(tmp_path, shelf())
    path = output / urls.feed("collections/robotics", "atom")
    before = path.read_bytes()
    edited = dataclasses.replace(sample_papers()[0], title="Visual Language Maps, revised")
    write_shelf(tmp_path / "content", [edited])
    build(tmp_path, overrides=TOPIC_OVERRIDES)
    after = path.read_bytes()
    assert after.replace(b"Visual Language Maps, revised", b"Visual Language Maps for Robot Navigation") == before


def test_a_theme_without_the_embed_widget_is_a_clear_build_error(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme", theme)
    (theme / "static" / "js" / "embed.js").unlink()
    with pytest.raises(BuildError, match="the theme has no embed widget"):
        build_shelf(tmp_path, shelf(), overrides={"THEME": str(theme)})
