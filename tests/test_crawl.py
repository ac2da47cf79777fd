"""The link checker that the published-site test relies on finds each kind of fault."""

from __future__ import annotations

import json
from pathlib import Path

from .crawl import crawl
from .support import serve


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_sound_site_has_no_problems(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "index.html": '<link rel="stylesheet" href="s.css"><a href="a/#top">a</a><img srcset="i.svg 1x, i.svg 2x">',
            "a/index.html": '<h1 id="top">A</h1><a href="../">home</a><a href="https://arxiv.org/abs/1">x</a>',
            "s.css": "body { background: url('i.svg') }",
            "i.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        },
    )
    with serve(tmp_path, prefix="/REPO") as base:
        report = crawl(base, [base])
    assert report.problems() == []
    assert set(report.fetched) == {base, base + "s.css", base + "a/", base + "i.svg"}
    assert report.external == {"arxiv.org"}


def test_each_kind_of_fault_is_reported(tmp_path: Path) -> None:
    with serve(tmp_path, prefix="/REPO") as base:
        write(
            tmp_path,
            {
                "index.html": (
                    '<link rel="icon" href="/theme/favicon.svg">'  # root-absolute: escapes the prefix
                    '<a href="missing/">gone</a>'
                    '<a href="page.html#nowhere">bad fragment</a>'
                    '<link rel="alternate" type="application/atom+xml" href="feed.xml">'
                    '<div data-index-url="api/index.json"></div>'
                    '<script src="app.js"></script>'
                ),
                "page.html": '<p id="here">page</p><div style="background: url(nope.png)"></div>',
                "feed.xml": f'<feed xmlns="http://www.w3.org/2005/Atom"><link href="{base}old/"/></feed>',
                "api/index.json": json.dumps({"papers": [{"url": f"{base}papers/x/"}]}),
                "app.js": 'fetch("/api/search.json").then(r => r.json());',
            },
        )
        report = crawl(base, [base])
    broken = {url: why for url, _page, why in report.broken}
    assert broken == {
        base + "missing/": "HTTP 404",
        base + "page.html#nowhere": "no element with this id",
        base + "nope.png": "HTTP 404",
        base + "old/": "HTTP 404",
        base + "papers/x/": "HTTP 404",
    }
    assert sorted(ref for ref, _page in report.outside) == ["/api/search.json", "/theme/favicon.svg"]
