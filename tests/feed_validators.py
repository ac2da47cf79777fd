"""Validators for the three feed formats, each returning a list of problems (empty when valid).

- Atom: the RFC 4287 RELAX NG schema (tests/data/atom.rng) through lxml, plus the RFC's
  two Schematron rules and its link and id rules, which RELAX NG cannot express;
- RSS 2.0: the rules of the RSS 2.0 specification (https://www.rssboard.org/rss-specification):
  required channel and item elements, RFC 822 dates, absolute links, unique guids;
- JSON Feed 1.1: tests/data/jsonfeed-1.1.schema.json through jsonschema, with the "uri"
  and "date-time" formats checked (jsonschema skips formats it has no checker for).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
from lxml import etree

DATA = Path(__file__).parent / "data"
ATOM = "{http://www.w3.org/2005/Atom}"
# Feeds come from the build, but parse them as untrusted XML all the same.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def parse_xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, PARSER)


def is_absolute_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in value)


@functools.cache
def _atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(DATA / "atom.rng")))


def atom_problems(data: bytes) -> list[str]:
    feed = parse_xml(data)
    schema = _atom_schema()
    problems = [] if schema.validate(feed) else [f"RELAX NG: {e.message} (line {e.line})" for e in schema.error_log]
    entries = feed.findall(f"{ATOM}entry")
    if feed.find(f"{ATOM}author") is None and any(e.find(f"{ATOM}author") is None for e in entries):
        problems.append("an atom:feed must have an atom:author unless all of its entries have one")
    for element in (feed, *entries):
        alternates = Counter(
            (link.get("type"), link.get("hreflang"))
            for link in element.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        )
        if element is not feed and not alternates and element.find(f"{ATOM}content") is None:
            problems.append(f"entry {element.findtext(f'{ATOM}id')}: no alternate link and no content")
        if any(n > 1 for n in alternates.values()):
            problems.append(f"{element.findtext(f'{ATOM}id')}: two alternate links with the same type and hreflang")
    ids = Counter(e.findtext(f"{ATOM}id") for e in entries)
    problems += [f"entry id {i} appears {n} times" for i, n in ids.items() if n > 1]
    return problems


_RFC822 = re.compile(
    r"^(?:(?P<weekday>Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{2}(?:\d{2})? "
    r"\d{2}:\d{2}(?::\d{2})? (?:UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|[A-IK-Z]|[+-]\d{4})$"
)
_CHANNEL_REQUIRED = ("title", "link", "description")
_CHANNEL_ONCE = (
    *_CHANNEL_REQUIRED,
    "language",
    "copyright",
    "managingEditor",
    "webMaster",
    "pubDate",
    "lastBuildDate",
    "generator",
    "docs",
    "ttl",
)
_ITEM_ONCE = ("title", "link", "description", "author", "comments", "guid", "pubDate", "source")


def rfc822_problem(value: str | None) -> str:
    """Why ``value`` is not an RFC 822 date as RSS 2.0 requires it, or ""."""
    match = _RFC822.match(value or "")
    if not match:
        return f"{value!r} is not an RFC 822 date"
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return f"{value!r} is not a real date"
    if match.group("weekday") and parsed.strftime("%a") != match.group("weekday"):
        return f"{value!r}: the weekday does not match the date"
    return ""


def rss_problems(data: bytes) -> list[str]:
    root = parse_xml(data)
    if root.tag != "rss" or root.get("version") != "2.0":
        return [f"the root must be <rss version='2.0'>, not <{root.tag} version={root.get('version')!r}>"]
    channels = root.findall("channel")
    if len(channels) != 1:
        return [f"<rss> must hold exactly one <channel>, not {len(channels)}"]
    channel = channels[0]
    problems = [
        f"channel: required <{name}> is missing or empty" for name in _CHANNEL_REQUIRED if not channel.findtext(name)
    ]
    problems += [f"channel: <{n}> appears more than once" for n in _CHANNEL_ONCE if len(channel.findall(n)) > 1]
    if channel.findtext("link") and not is_absolute_url(channel.findtext("link")):
        problems.append(f"channel: <link> {channel.findtext('link')!r} is not an absolute URL")
    for name in ("pubDate", "lastBuildDate"):
        if channel.find(name) is not None and (problem := rfc822_problem(channel.findtext(name))):
            problems.append(f"channel <{name}>: {problem}")
    guids: Counter[str] = Counter()
    for number, item in enumerate(channel.findall("item"), start=1):
        where = f"item {number}"
        if not (item.findtext("title") or item.findtext("description")):
            problems.append(f"{where}: needs a <title> or a <description>")
        problems += [f"{where}: <{n}> appears more than once" for n in _ITEM_ONCE if len(item.findall(n)) > 1]
        if item.find("link") is not None and not is_absolute_url(item.findtext("link") or ""):
            problems.append(f"{where}: <link> {item.findtext('link')!r} is not an absolute URL")
        guid = item.find("guid")
        if guid is not None:
            guids[guid.text or ""] += 1
            if not guid.text:
                problems.append(f"{where}: empty <guid>")
            if guid.get("isPermaLink", "true") == "true" and not is_absolute_url(guid.text or ""):
                problems.append(f"{where}: a permalink <guid> must be a URL")
        if item.find("pubDate") is not None and (problem := rfc822_problem(item.findtext("pubDate"))):
            problems.append(f"{where} <pubDate>: {problem}")
        for category in item.findall("category"):
            if not category.text:
                problems.append(f"{where}: empty <category>")
    problems += [f"guid {g!r} appears {n} times" for g, n in guids.items() if n > 1]
    return problems


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$")
_FORMATS = jsonschema.FormatChecker(formats=())


@_FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or is_absolute_url(value)


@_FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_RFC3339.match(value)) and dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00")) is not None


@functools.cache
def _json_feed_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((DATA / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=_FORMATS)


def json_feed_problems(data: bytes) -> list[str]:
    try:
        feed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"not UTF-8 JSON: {exc}"]
    problems = [f"{e.json_path}: {e.message}" for e in _json_feed_validator().iter_errors(feed)]
    if isinstance(feed, dict) and isinstance(feed.get("items"), list):
        ids = Counter(item.get("id") for item in feed["items"] if isinstance(item, dict))
        problems += [f"item id {i!r} appears {n} times" for i, n in ids.items() if n > 1]
    return problems
