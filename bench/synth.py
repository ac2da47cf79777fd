"""Deterministic synthetic shelves for benchmarks: N papers recombined from the sample shelf.

    python bench/synth.py 10000 bench/work/shelf-10k   # writes content/papers + content/pages

Abstracts are 6–12 sentences drawn from the sample abstracts, titles are recombined from
sample title fragments, and papers join the shelf about 100 a day, so listings, collections
and feeds look like a real shelf's.  The same N and seed always give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.model import Paper  # noqa: E402
from generator.paperfile import format_paper, parse_paper  # noqa: E402

COLLECTIONS = (
    "off-the-shelf",
    "pretraining",
    "fine-tuning",
    "distribution-shift",
    "robotics",
    "speech",
    "diffusion",
    "language-models",
    "vision-transformers",
    "reinforcement-learning",
    "graphs",
    "quantization",
    "retrieval",
    "medical-imaging",
    "continual-learning",
    "federated-learning",
    "multimodal",
    "benchmarks",
    "theory",
    "efficiency",
)
FIRST = (
    "Alex",
    "Bao",
    "Chen",
    "Dana",
    "Eitan",
    "Fatima",
    "Gao",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Qiu",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Vera",
    "Wei",
    "Yuki",
    "Zoe",
)
LAST = (
    "Huang",
    "Mees",
    "Schmidt",
    "Okafor",
    "Tanaka",
    "Garcia",
    "Kowalski",
    "Nguyen",
    "Rossi",
    "Ivanova",
    "Haddad",
    "Li",
    "Patel",
    "Silva",
    "Moreau",
    "Berg",
    "Kim",
    "Cohen",
    "Adeyemi",
    "Novak",
)
START = dt.date(2023, 1, 2)


def sample() -> list[Paper]:
    folder = REPO / "content" / "papers"
    return [parse_paper(p.read_text(encoding="utf-8"), str(p)) for p in sorted(folder.glob("*.md"))]


def synthetic_papers(count: int, seed: int = 42, per_day: int = 100) -> Iterator[Paper]:
    rng = random.Random(seed)
    papers = sample()
    sentences = sorted({s for p in papers for s in re.split(r"(?<=[.!?])\s+", p.abstract) if len(s) > 20})
    fragments = sorted(
        {
            part.strip()
            for p in papers
            for part in re.split(r"[:,]| via | for | with ", p.title)
            if len(part.strip()) > 3
        }
    )
    for n in range(count):
        title = f"{rng.choice(fragments)}: {rng.choice(fragments)} {n}"
        abstract = " ".join(rng.choice(sentences) for _ in range(rng.randint(6, 12)))
        collections = tuple(sorted(set(rng.sample(COLLECTIONS, rng.choice((1, 1, 2, 3))))))
        authors = tuple(f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, 6)))
        has_arxiv = rng.random() < 0.7
        yield Paper(
            title=title,
            abstract=abstract,
            date=START + dt.timedelta(days=n // per_day),
            slug=f"synthetic-paper-{n:06d}",
            collections=collections,
            arxiv_id=f"{23 + n // 900000:02d}{1 + (n // 75000) % 12:02d}.{n % 75000:05d}" if has_arxiv else "",
            authors=authors,
            code=(f"https://github.com/example/repo-{n}",) if rng.random() < 0.3 else (),
            sources=("synthetic",),
        )


def write_shelf(count: int, target: Path, seed: int = 42) -> Path:
    """Write a synthetic shelf of ``count`` papers into ``target/content``; returns that folder."""
    content = target / "content"
    folder = content / "papers"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for paper in synthetic_papers(count, seed):
        (folder / f"{paper.slug}.md").write_text(format_paper(paper), encoding="utf-8")
    shutil.copytree(REPO / "content" / "pages", content / "pages", dirs_exist_ok=True)
    return content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int)
    parser.add_argument("target", type=Path)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    content = write_shelf(args.count, args.target, args.seed)
    print(f"wrote {args.count:,} papers to {content / 'papers'}")


if __name__ == "__main__":
    main()
