"""The `newsbot` command line (also `python -m bot`).

Configuration problems end the process with exit code 2 and one line naming the setting:
operators should not have to read a traceback to learn that a variable is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from telegram.error import InvalidToken, TelegramError

from bot import __version__
from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings
from news.catalogue import load_catalogue
from news.errors import NewsbotError
from news.models import Source, SourceOrigin
from news.opml import OpmlSource, parse_opml, write_opml
from news.replies import format_utc
from storage import Storage
from usecases import latest, related

log = logging.getLogger("newsbot")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description="Tech news by brand, in Telegram.")
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="run the bot (long polling) until SIGINT/SIGTERM")

    poll = commands.add_parser("poll", help="poll the news sources without Telegram")
    poll.add_argument(
        "--once", action="store_true", required=True, help="poll every due source once and exit"
    )
    poll.add_argument("--json", action="store_true", help="one JSON object per source per line")

    sources = commands.add_parser("sources", help="list and manage the news sources")
    verbs = sources.add_subparsers(dest="verb", metavar="VERB", required=True)
    verbs.add_parser("list", help="every source with its status")
    add = verbs.add_parser("add", help="add a feed URL")
    add.add_argument("url")
    add.add_argument("--title", help="name to show (default: the feed's own title)")
    remove = verbs.add_parser("remove", help="remove a source by id (its stories stay)")
    remove.add_argument("id", type=int)
    imp = verbs.add_parser("import", help="add the feeds of an OPML file, update titles")
    imp.add_argument("file")
    verbs.add_parser("export", help="print the sources as OPML")

    latest = commands.add_parser("latest", help="the newest stories about a brand or keyword")
    latest.add_argument("name", nargs="+", help="brand or keyword")
    latest.add_argument("-n", type=int, default=10, help="how many (1-1000, default 10)")
    latest.add_argument("--json", action="store_true", help="one JSON object per story per line")
    search = commands.add_parser("search", help="full-text search of the archive")
    search.add_argument("words", nargs="+")
    search.add_argument("-n", type=int, default=10, help="how many (1-1000, default 10)")
    search.add_argument("--json", action="store_true", help="one JSON object per story per line")
    clusters = commands.add_parser(
        "clusters", help="recent events reported by several sources (to find a wrong merge)"
    )
    clusters.add_argument("--since", type=float, default=48, metavar="HOURS",
                          help="events first seen in the last HOURS (default 48)")  # fmt: skip
    clusters.add_argument("--json", action="store_true", help="one JSON object per event per line")
    return parser


async def list_clusters(settings: Settings, hours: float, as_json: bool) -> int:
    """Print the multi-source events first seen in the last `hours`; a pure read."""
    if not 0 < hours <= 24 * 365:
        return _fail("--since must be between 0 and 8760 hours", EXIT_CONFIG)
    storage = await Storage.open(settings.database)
    try:
        events = await storage.archive.events(since=storage.now() - int(hours * 3600))
    finally:
        await storage.close()
    for event in events:
        if as_json:
            print(json.dumps(event, ensure_ascii=False))
            continue
        print(f"{event['first_seen'][:16].replace('T', ' ')}  {event['size']} sources"
              f"  (event {event['id']})")  # fmt: skip
        for story in event["stories"]:
            print(f"    {story['source']}: {story['title']}\n      {story['link'] or ''}")
    if not events and not as_json:
        print(f"No event reported by two sources or more in the last {hours:g} hours.")
    return EXIT_OK


def _fail(message: str, code: int) -> int:
    print(f"newsbot: error: {message}", file=sys.stderr)
    return code


def run(settings: Settings) -> int:
    from bot.app import ALLOWED_UPDATES, build_application

    application = build_application(settings)
    application.run_polling(allowed_updates=ALLOWED_UPDATES, close_loop=False)
    return EXIT_OK


class _Progress:
    """A one-line progress bar on stderr, only when a person is watching."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.enabled = sys.stderr.isatty() and total > 0

    def step(self, _report: object = None) -> None:
        self.done += 1
        if self.enabled:
            filled = int(30 * self.done / self.total)
            bar = "#" * filled + "." * (30 - filled)
            print(f"\rPolling [{bar}] {self.done}/{self.total}", end="", file=sys.stderr)
            if self.done == self.total:
                print(file=sys.stderr)


async def poll_once(settings: Settings, as_json: bool) -> int:
    from bot.app import close_runtime, open_runtime

    runtime = await open_runtime(settings, load_catalogue(settings.brands))
    try:
        storage = runtime.storage
        due = await storage.sources.due(storage.now(), limit=1_000_000)
        progress = _Progress(len(due))
        started = time.monotonic()
        reports = await runtime.poller.poll_all(due, on_done=progress.step)
    finally:
        await close_runtime(runtime)
    if as_json:
        for report in reports:
            print(json.dumps(report.as_json(), ensure_ascii=False))
        return EXIT_OK
    print(f"{'STATUS':<13}{'NEW':>5}{'SECONDS':>9}  SOURCE")
    for r in reports:
        name = r.title or r.source.url
        detail = f": {r.error}" if r.error else ""
        print(f"{r.status.value:<13}{r.new:>5}{r.seconds:>9.2f}  {name}{detail}")
    failed = sum(r.error is not None for r in reports)
    new = sum(r.new for r in reports)
    print(
        f"{len(reports)} sources polled in {time.monotonic() - started:.1f} s:"
        f" {new} new stories, {failed} failed"
    )
    return EXIT_OK


def _print_sources(sources: list[Source], counts: dict[int, int]) -> None:
    print(f"{'ID':>4}  {'STATUS':<12} {'ERRORS':>6} {'STORIES':>7}  {'LAST SUCCESS':<20}  SOURCE")
    for s in sources:
        print(
            f"{s.id:>4}  {s.status.value:<12} {s.error_count:>6} {counts.get(s.id, 0):>7}"
            f"  {format_utc(s.last_success_at):<20}  {s.title or '-'} <{s.url}>"
        )
        if s.last_error:
            print(f"{'':>6}last error: {s.last_error}")


async def manage_sources(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import configured_sources
    from news.links import is_http_url

    storage = await Storage.open(settings.database)
    try:
        # The operator's file is synced first, as at start: `list` shows what will be polled.
        await storage.sources.sync(configured_sources(settings))
        if args.verb == "list":
            _print_sources(await storage.sources.all(), await storage.sources.story_counts())
        elif args.verb == "add":
            if not is_http_url(args.url.strip()):
                return _fail(f"{args.url!r} is not an http(s) URL", EXIT_CONFIG)
            source, created = await storage.sources.add(
                args.url.strip(), origin=SourceOrigin.CLI, title=args.title
            )
            print(f"{'Added' if created else 'Already there'}: #{source.id} {source.url}")
        elif args.verb == "remove":
            removed = await storage.sources.remove(args.id)
            if removed is None:
                return _fail(f"no source with id {args.id}", EXIT_FAILURE)
            print(f"Removed #{removed.id} {removed.url} (its stories stay in the archive)")
        elif args.verb == "import":
            try:
                entries = parse_opml(await asyncio.to_thread(Path(args.file).read_bytes))
            except OSError as exc:
                return _fail(f"cannot read {args.file}: {exc.strerror}", EXIT_CONFIG)
            added, updated = await storage.sources.sync(entries, origin=SourceOrigin.CLI)
            print(
                f"Imported {args.file}: {added} added, {updated} updated, {len(entries)} in the file"
            )
        elif args.verb == "export":
            sources = await storage.sources.all()
            print(write_opml(OpmlSource(s.url, s.title, s.site_url, None) for s in sources), end="")
    finally:
        await storage.close()
    return EXIT_OK


async def story_report(storage: Storage, ids: list[int], as_json: bool) -> None:
    """Print the stories; a pure read, so it is safe beside a running bot."""
    views = await related.views(storage, ids)
    mentions = await storage.archive.mentions(ids)
    for story_id in ids:
        view = views.get(story_id)
        if view is None:
            continue
        published = (
            datetime.fromtimestamp(view.published_at, UTC).isoformat().replace("+00:00", "Z")
        )
        if as_json:
            record = {
                "title": view.title,
                "link": view.link,
                "source": view.source,
                "published": published,
                "brands": list(view.brands),
                "mentions": mentions.get(story_id, []),
                "summary": view.summary,
                "read_also": [r.link for r in view.read_also or ()],
                # the event's outlets, this story's first (news.events)
                "sources": [{"source": view.source, "link": view.link}]
                + [{"source": o.name, "link": o.link} for o in view.also],
            }
            print(json.dumps(record, ensure_ascii=False))
        else:
            print(
                f"{published[:16].replace('T', ' ')}  {view.title}\n                  {view.link or ''}"
            )


async def archive_query(settings: Settings, args: argparse.Namespace) -> int:
    from news.arguments import Verdict, resolve_term
    from news.catalogue import normalize_name
    from news.replies import reason

    if not 1 <= args.n <= 1000:
        return _fail("-n must be between 1 and 1000", EXIT_CONFIG)
    storage = await Storage.open(settings.database)
    try:
        if args.command == "search":
            ids = await storage.archive.search(" ".join(args.words), args.n)
        else:
            name = " ".join(args.name)
            resolution = resolve_term(name, load_catalogue(settings.brands))
            if resolution.verdict is Verdict.BRAND:
                page = await latest.for_brand(storage, resolution.brand.key, args.n)
            elif resolution.verdict is Verdict.KEYWORD:
                page = await latest.for_keyword(storage, normalize_name(name), args.n)
            elif resolution.verdict is Verdict.SUGGESTION:
                return _fail(
                    f"{name!r} is not a brand; did you mean {resolution.brand.key!r}?", EXIT_CONFIG
                )
            else:
                return _fail(f"cannot look up {name!r}: {reason(resolution)}", EXIT_CONFIG)
            ids = page.ids
        await story_report(storage, ids, args.json)
    finally:
        await storage.close()
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_CONFIG
    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc), EXIT_CONFIG)
    setup_logging(settings.log_level, [settings.token.get()])
    try:
        if args.command == "poll":
            return asyncio.run(poll_once(settings, args.json))
        if args.command == "sources":
            return asyncio.run(manage_sources(settings, args))
        if args.command in ("latest", "search"):
            return asyncio.run(archive_query(settings, args))
        if args.command == "clusters":
            return asyncio.run(list_clusters(settings, args.since, args.json))
        return run(settings)
    except NewsbotError as exc:  # news.errors: one line for the operator
        return _fail(str(exc), EXIT_CONFIG)
    except InvalidToken:
        return _fail("TELEGRAM_BOT_TOKEN was refused by the Bot API: check the token", EXIT_CONFIG)
    except TelegramError as exc:
        # The message may quote a URL; never print the token.
        text = str(exc).replace(settings.token.get(), "[REDACTED]") if settings.token else str(exc)
        return _fail(f"cannot talk to the Bot API at {settings.api_url}: {text}", EXIT_FAILURE)
