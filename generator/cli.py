"""The ``papershelf`` command.  Each subcommand imports its implementation when it runs."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from .errors import PapershelfError

DESCRIPTION = "Publish a shelf of research papers as a static website."
INGEST_HELP = "Read listing dumps or JSON Lines files and add their papers to the shelf."
BUILD_HELP = "Build the site with Pelican (pelicanconf.py, or publishconf.py with --publish)."
PUBLISH_HELP = "Build the site with publishconf.py and commit it to the gh-pages branch for GitHub Pages."
PUBLISH_DESCRIPTION = (
    PUBLISH_HELP + " The build must succeed without a single warning. The branch holds only the site "
    "(with .nojekyll, and CNAME when PAPERSHELF['domain'] is set); --push sends it to GitHub."
)
SEARCH_HELP = "Search the shelf from the terminal, with the site's search index (build the site first)."
QUERY_HELP = (
    'words (all required), OR, NOT, "a phrase", field:value (title, abstract, author, collection, '
    "topic, joined, arxiv) and prefix*"
)

SERVE_HELP = (
    "Preview the site on 127.0.0.1, rebuilt whenever content/ changes, and serve the API the "
    "browser extension clips papers through."
)
TOKEN_HELP = "Show the token the browser extension needs (made on first use; kept outside the repository)."


def program() -> NoReturn:
    """The ``papershelf`` program: ``main`` on the process's arguments, then its exit."""
    sys.exit(main(ends_process=True))


def main(argv: Sequence[str] | None = None, *, ends_process: bool = False) -> int:
    """Run a subcommand; its exit status.  ``ends_process``: the process ends when this
    returns, so a build may end it at once (``_build``)."""
    parser = _parser()
    args = parser.parse_args(argv)
    args.ends_process = ends_process
    _configure_logging(args.verbose)
    try:
        return args.run(args)
    except PapershelfError as exc:
        print(f"papershelf: error: {exc}", file=sys.stderr)
        if args.verbose:
            raise
        return 1
    except KeyboardInterrupt:
        print("papershelf: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="papershelf", description=DESCRIPTION)
    parser.add_argument("-v", "--verbose", action="store_true", help="show debugging output and tracebacks")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help=INGEST_HELP, description=INGEST_HELP)
    ingest.add_argument("files", nargs="+", type=Path, metavar="FILE")
    ingest.add_argument(
        "--collection",
        action="append",
        default=[],
        metavar="NAME",
        help="put every paper read into this collection (repeatable)",
    )
    ingest.add_argument(
        "--date",
        type=_date,
        metavar="YYYY-MM-DD",
        help="the day the papers joined the shelf (default: the dump's day line, else today)",
    )
    ingest.add_argument(
        "--content", type=Path, default=Path("content"), metavar="DIR", help="the content folder (default: ./content)"
    )
    ingest.set_defaults(run=_ingest)

    build = commands.add_parser("build", help=BUILD_HELP, description=BUILD_HELP)
    _settings_arguments(build)
    build.add_argument("--strict", action="store_true", help="fail if the build logs any warning")
    build.set_defaults(run=_build)

    publish = commands.add_parser("publish", help=PUBLISH_HELP, description=PUBLISH_DESCRIPTION)
    publish.add_argument(
        "-s",
        "--settings",
        type=Path,
        default=Path("publishconf.py"),
        metavar="FILE",
        help="Pelican settings file (default: publishconf.py)",
    )
    publish.add_argument("--push", action="store_true", help="push the branch to the remote after committing")
    publish.add_argument("--remote", default="origin", metavar="NAME", help="the remote to push to (default: origin)")
    publish.add_argument(
        "--branch", default="gh-pages", metavar="NAME", help="the branch to commit to (default: gh-pages)"
    )
    publish.add_argument(
        "-m", "--message", metavar="TEXT", help="the commit message (default: the site and the source commit)"
    )
    publish.set_defaults(run=_publish)

    search = commands.add_parser("search", help=SEARCH_HELP, description=SEARCH_HELP)
    search.add_argument("query", metavar="QUERY", help=QUERY_HELP)
    search.add_argument("--limit", type=_limit, default=10, metavar="N", help="show the N best papers (default 10)")
    _settings_arguments(search)
    search.set_defaults(run=_search)
    serve = commands.add_parser("serve", help=SERVE_HELP, description=SERVE_HELP)
    serve.add_argument(
        "-s", "--settings", type=Path, default=Path("pelicanconf.py"), metavar="FILE", help="default: pelicanconf.py"
    )
    serve.add_argument("--port", type=_port, default=None, metavar="N", help="default: 8642 (0 picks a free port)")
    serve.add_argument(
        "--extension-id",
        action="append",
        default=[],
        metavar="ID",
        help="also accept this Chromium extension id (a build published under another key)",
    )
    serve.set_defaults(run=_serve)

    token = commands.add_parser("token", help=TOKEN_HELP, description=TOKEN_HELP)
    token.add_argument("--reset", action="store_true", help="make a new token (paste it into the extension again)")
    token.add_argument("--path", action="store_true", help="print where the token is kept instead of the token")
    token.set_defaults(run=_token)
    return parser


def _settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-s", "--settings", type=Path, metavar="FILE", help="Pelican settings file (default: pelicanconf.py)"
    )
    parser.add_argument("--publish", action="store_true", help="use publishconf.py (absolute URLs under SITEURL)")
    parser.add_argument("-o", "--output", type=Path, metavar="DIR", help="write the site here instead of OUTPUT_PATH")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def _limit(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 100:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number from 1 to 100")
    return number


def _port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (0-65535)")
    return int(value)


def _configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler], force=True)
    logging.getLogger("generator").setLevel(logging.DEBUG if verbose else logging.INFO)
    if not verbose:
        # Pelican's own INFO lines are about articles, which a shelf has none of.
        logging.getLogger("pelican").setLevel(logging.WARNING)


def _ingest(args: argparse.Namespace) -> int:
    from .ingest import ingest
    from .progress import Progress

    progress = Progress("ingest", total=None)
    summary = ingest(
        args.files,
        args.content / "papers",
        today=dt.date.today(),
        date=args.date,
        collections=args.collection,
        progress=lambda message: print(message, file=sys.stderr) if progress.enabled else None,
    )
    for line in summary.lines():
        print(line)
    # Partial success still says so to scripts: the good records were written.
    return 1 if summary.rejections else 0


def _build(args: argparse.Namespace) -> int:
    from .build import build_site, end_process

    settings = _settings_file(args)
    overrides = {"OUTPUT_PATH": str(args.output.resolve())} if args.output else None
    result = build_site(settings, overrides=overrides, strict=args.strict, keep=args.ends_process)
    index = result.output_path / "index.html"
    print(f"Built the site in {result.seconds:.2f} s: {index}")
    print("Preview it with `make serve` or `papershelf serve` (http://127.0.0.1:8642/).")
    if args.ends_process:
        end_process(0)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from .backend.app import run
    from .backend.guards import EXTENSION_ID, is_extension_id
    from .backend.protocol import DEFAULT_PORT
    from .backend.token import token_path

    for extension_id in args.extension_id:
        if not is_extension_id(extension_id):
            raise PapershelfError(f"{extension_id!r} is not a Chromium extension id (32 letters a-p)")
    port = DEFAULT_PORT if args.port is None else args.port
    run(args.settings, port=port, extension_ids=(EXTENSION_ID, *args.extension_id), token_file=token_path())
    return 0


def _token(args: argparse.Namespace) -> int:
    from .backend.token import load_or_create, reset, token_path

    path = token_path()
    if args.path:
        print(path)
        return 0
    print(reset(path) if args.reset else load_or_create(path))
    return 0


def _publish(args: argparse.Namespace) -> int:
    from .publish import publish

    result = publish(
        args.settings,
        branch=args.branch,
        push=args.push,
        remote=args.remote,
        message=args.message,
        announce=lambda line: print(line, flush=True),
    )
    print(f"Built the site in {result.build_seconds:.2f} s: {result.files:,} files in {result.output_path}")
    short = result.commit[:12]
    if result.changed:
        print(f"Committed it to the {result.branch} branch: {short}")
    else:
        print(f"The site has not changed since the {result.branch} branch's last commit ({short}).")
    if result.pushed_to:
        print(f"Pushed {result.branch} to {result.pushed_to}; GitHub Pages serves it at {result.siteurl}/")
    else:
        print(f"Not pushed: `papershelf publish --push` (or `git push {args.remote} {result.branch}`) puts it online.")
    return 0


def _search(args: argparse.Namespace) -> int:
    from .search.cli import run_search

    return run_search(_settings_file(args), args.query, args.limit, sys.stdout)


def _settings_file(args: argparse.Namespace) -> Path:
    if args.settings:
        return args.settings
    return Path("publishconf.py" if args.publish else "pelicanconf.py")


if __name__ == "__main__":
    program()
