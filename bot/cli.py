"""The `newsbot` command line (also `python -m bot`).

Configuration problems end the process with exit code 2 and one line naming the setting:
operators should not have to read a traceback to learn that a variable is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import secrets
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from telegram.error import InvalidToken, TelegramError

from bot import __version__
from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings
from news.catalogue import load_catalogue
from news.errors import NewsbotError
from news.i18n import ENGLISH
from news.models import Source, SourceOrigin
from news.opml import OpmlSource, read_opml, write_opml
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
    # -v on every command: the CLI's commands log at WARNING (progress and results are their
    # output); -v shows NEWSBOT_LOG_LEVEL's level. `run` always logs at NEWSBOT_LOG_LEVEL.
    verbose = argparse.ArgumentParser(add_help=False)
    verbose.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                         help="log at NEWSBOT_LOG_LEVEL (default: warnings only)")  # fmt: skip
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "run",
        help="run the bot (long polling, or a webhook with NEWSBOT_WEBHOOK_URL) until SIGTERM",
    )

    poll = commands.add_parser(
        "poll", parents=[verbose], help="poll the news sources without Telegram"
    )
    poll.add_argument(
        "--once", action="store_true", required=True, help="poll every due source once and exit"
    )
    poll.add_argument("--all", action="store_true", help="poll every source now, due or not")
    poll.add_argument("--json", action="store_true", help="one JSON object per source per line")

    _source_commands(commands, verbose)
    _archive_commands(commands, verbose)
    _operator_commands(commands, verbose)
    return parser


def _source_commands(commands, verbose: argparse.ArgumentParser) -> None:
    """newsbot sources list|add|remove|import|export."""
    sources = commands.add_parser(
        "sources", parents=[verbose], help="list and manage the news sources"
    )
    verbs = sources.add_subparsers(dest="verb", metavar="VERB", required=True)
    verbs.add_parser("list", parents=[verbose], help="every source with its status")
    add = verbs.add_parser("add", parents=[verbose], help="add a feed URL")
    add.add_argument("url")
    add.add_argument("--title", help="name to show (default: the feed's own title)")
    remove = verbs.add_parser(
        "remove", parents=[verbose], help="remove a source by id (its stories stay)"
    )
    remove.add_argument("id", type=int)
    imp = verbs.add_parser(
        "import", parents=[verbose], help="add the feeds of an OPML file, update titles"
    )
    imp.add_argument("file")
    verbs.add_parser("export", parents=[verbose], help="print the sources as OPML")


def _archive_commands(commands, verbose: argparse.ArgumentParser) -> None:
    """newsbot latest, search, clusters: reading the archive."""
    latest = commands.add_parser(
        "latest", parents=[verbose], help="the newest stories about a brand or keyword"
    )
    latest.add_argument("name", nargs="+", help="brand or keyword")
    latest.add_argument("-n", type=int, default=10, help="how many (1-1000, default 10)")
    latest.add_argument("--json", action="store_true", help="one JSON object per story per line")
    search = commands.add_parser(
        "search", parents=[verbose], help="full-text search of the archive"
    )
    search.add_argument("words", nargs="+")
    search.add_argument("-n", type=int, default=10, help="how many (1-1000, default 10)")
    search.add_argument("--json", action="store_true", help="one JSON object per story per line")
    clusters = commands.add_parser(
        "clusters", parents=[verbose],
        help="recent events reported by several sources (to find a wrong merge)",
    )  # fmt: skip
    clusters.add_argument("--since", type=float, default=48, metavar="HOURS",
                          help="events first seen in the last HOURS (default 48)")  # fmt: skip
    clusters.add_argument("--json", action="store_true", help="one JSON object per event per line")


def _operator_commands(commands, verbose: argparse.ArgumentParser) -> None:
    """newsbot health, backup."""
    health = commands.add_parser(
        "health", parents=[verbose],
        help="whether the running bot is well; exit 1 when not (a systemd or container check)",
    )  # fmt: skip
    health.add_argument("--json", action="store_true", help="one JSON object")
    backup = commands.add_parser(
        "backup", parents=[verbose],
        help="write a consistent copy of the database, safe while the bot runs",
    )  # fmt: skip
    backup.add_argument("file", help="the copy to write (must not exist yet)")


def backup_database(settings: Settings, target: str) -> int:
    """`newsbot backup FILE`: SQLite's VACUUM INTO from a read-only connection (one read
    transaction: a consistent snapshot of what was committed, while the bot keeps writing),
    into FILE.partial, checked with PRAGMA integrity_check, then renamed to FILE."""
    import sqlite3

    source, dest = Path(settings.database), Path(target)
    if dest.exists():
        return _fail(f"{target} exists: give the backup a new file name", EXIT_CONFIG)
    if not source.is_file():
        return _fail(f"no database at {source} (the bot creates it on its first run)", EXIT_CONFIG)
    partial = dest.with_name(dest.name + ".partial")
    started = time.monotonic()
    try:
        reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            reader.execute("VACUUM INTO ?", (str(partial),))
        finally:
            reader.close()
        check = sqlite3.connect(partial)
        try:
            verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        return _fail(f"backup of {source} to {target} failed: {exc}", EXIT_FAILURE)
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        return _fail(f"the copy of {source} did not pass integrity_check: {verdict}", EXIT_FAILURE)
    partial.rename(dest)
    size = dest.stat().st_size / 2**20
    print(f"Backed up {source} to {dest}: {size:,.1f} MB in {time.monotonic() - started:.1f} s,"
          " integrity ok")  # fmt: skip
    return EXIT_OK


def _age(seconds: int | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


async def health_report(settings: Settings, as_json: bool) -> int:
    """`newsbot health`: usecases.health's rules, read-only; exit 0 healthy, 1 not."""
    from usecases import health

    storage = await Storage.open(settings.database, read_only=True)
    try:
        found = await health.check(storage)
    finally:
        await storage.close()
    if as_json:
        print(json.dumps(found.as_json(), ensure_ascii=False))
        return EXIT_OK if found.healthy else EXIT_FAILURE
    report = found.as_json()
    print("healthy" if found.healthy else "UNHEALTHY: " + "; ".join(found.problems))
    print(f"  heartbeat   {_age(report['heartbeat_age_s'])}")
    print(f"  database    {'writable' if found.write_problem is None else found.write_problem}")
    print(f"  last poll   {_age(report['last_poll_age_s'])} ({found.sources} sources)")
    oldest = report["outbox_oldest_age_s"]
    print(f"  outbox      {found.pending} pending" + (f", oldest {oldest} s" if oldest else ""))
    if found.sent_last_hour is not None:
        print(f"  last hour   {found.sent_last_hour} sent,"
              f" {found.rate_limited_last_hour} answered 429")  # fmt: skip
    for source_id, url, since in found.failing:
        print(f"  failing     #{source_id} {url} since {format_utc(ENGLISH, since)}")
    return EXIT_OK if found.healthy else EXIT_FAILURE


async def list_clusters(settings: Settings, hours: float, as_json: bool) -> int:
    """Print the multi-source events first seen in the last `hours`; a pure read."""
    if not 0 < hours <= 24 * 365:
        return _fail("--since must be between 0 and 8760 hours", EXIT_CONFIG)
    storage = await Storage.open(settings.database, read_only=True)
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


API_RETRY_FIRST = 1.0  # seconds before the first retry when the Bot API is unreachable
API_RETRY_MAX = 60.0


def run(settings: Settings) -> int:
    """`newsbot run`: check what can be checked here first (the token's shape, the brand
    catalogue, the sources file, the database), then wait for the Bot API, then run until
    SIGINT/SIGTERM."""
    from bot.app import ALLOWED_UPDATES, build_application, configured_sources

    settings.require_token()
    catalogue = load_catalogue(settings.brands)
    configured_sources(settings)
    asyncio.run(check_database(settings))
    if not asyncio.run(wait_for_bot_api(settings)):
        return EXIT_OK  # stopped while waiting
    secret = asyncio.run(webhook_secret(settings)) if settings.webhook_url else None
    application = build_application(settings, catalogue)
    # bootstrap_retries=-1: should the network drop between the wait and the start, PTB
    # retries too rather than exiting.
    try:
        if settings.webhook_url is None:  # long polling; PTB deletes an earlier webhook
            application.run_polling(
                allowed_updates=ALLOWED_UPDATES, close_loop=False, bootstrap_retries=-1
            )
            return EXIT_OK
        host, port = settings.webhook_listen
        log.info("Webhook mode: %s, listening on %s:%d", settings.webhook_url, host, port)
        application.run_webhook(
            listen=host,
            port=port,
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
            close_loop=False,
            bootstrap_retries=-1,
        )
    except RuntimeError as exc:
        # python-telegram-bot's own shutdown broke off (seen when SIGTERM arrives while it
        # starts its updater: "Event loop stopped before Future completed", "no running event
        # loop"); without the rest, the open database's thread keeps the process alive.
        log.warning("Stopped while starting (%s); finishing the shutdown", exc)
        _finish_interrupted_start(application)
    return EXIT_OK


def _finish_interrupted_start(application) -> None:
    """What python-telegram-bot's shutdown left undone, each step on its own: stop the
    updater, the workers (marks committed), the application, and close the database."""
    from bot.app import RUNTIME_KEY, stop_workers

    loop = asyncio.get_event_loop()
    runtime = application.bot_data.get(RUNTIME_KEY)
    steps = []
    if application.updater is not None and application.updater.running:
        steps.append(application.updater.stop())
    if runtime is not None:
        steps.append(stop_workers(runtime))
    steps.append(application.shutdown())
    if application.post_shutdown is not None:
        steps.append(application.post_shutdown(application))
    for step in steps:
        try:
            loop.run_until_complete(step)
        except Exception:  # a step that cannot finish must not keep the others from running
            log.exception("Could not finish the shutdown")


async def webhook_secret(settings: Settings) -> str:
    """NEWSBOT_WEBHOOK_SECRET, or the one generated on the first webhook start and kept in the
    database (storage.meta), so Telegram's copy stays valid across restarts."""
    if settings.webhook_secret:
        return settings.webhook_secret.get()
    storage = await Storage.open(settings.database)
    try:
        kept = await storage.meta.get("webhook") or {}
        secret = kept.get("secret")
        if not isinstance(secret, str) or not secret:
            secret = secrets.token_urlsafe(32)
            await storage.meta.put("webhook", {"secret": secret})
        return secret
    finally:
        await storage.close()


async def check_database(settings: Settings) -> None:
    """Refuse a database the bot cannot use, before touching the network (StorageError)."""
    storage = await Storage.open(settings.database)
    await storage.close()


async def wait_for_bot_api(settings: Settings) -> bool:
    """Until the Bot API answers getMe: a WARNING per failed attempt, retried with a doubling
    delay up to API_RETRY_MAX (at boot the network may come up after the service). A token the
    API refuses raises InvalidToken; SIGINT/SIGTERM end the wait at once (False)."""
    import signal

    from telegram import Bot

    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    bot = Bot(settings.require_token(), base_url=settings.api_url)
    delay = API_RETRY_FIRST
    try:
        while not stopped.is_set():
            try:
                await bot.initialize()  # getMe
                return True
            except InvalidToken:
                raise
            except TelegramError as exc:
                log.warning(
                    "The Bot API at %s is not reachable (%s); trying again in %.0f s",
                    settings.api_url, _redacted(str(exc), settings), delay,
                )  # fmt: skip
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopped.wait(), delay)
            delay = min(API_RETRY_MAX, delay * 2)
        return False
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        with contextlib.suppress(Exception):
            await bot.shutdown()


def _redacted(text: str, settings: Settings) -> str:
    return text.replace(settings.token.get(), "[REDACTED]") if settings.token else text


class _Progress:
    """A one-line progress bar on stderr, only when a person is watching. While it is shown,
    a log line clears it first and it is drawn again below, so the two never mix."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.enabled = sys.stderr.isatty() and total > 0
        self._handlers: list[tuple[logging.Handler, Callable]] = []
        if self.enabled:
            for handler in logging.getLogger().handlers:
                self._handlers.append((handler, handler.emit))
                handler.emit = self._around(handler.emit)  # type: ignore[method-assign]

    def _around(self, emit: Callable[[logging.LogRecord], None]):
        def emit_clear(record: logging.LogRecord) -> None:
            print("\r\033[K", end="", file=sys.stderr)
            emit(record)
            self._draw()

        return emit_clear

    def _draw(self) -> None:
        filled = int(30 * self.done / self.total)
        bar = "#" * filled + "." * (30 - filled)
        print(f"\rPolling [{bar}] {self.done}/{self.total}", end="", file=sys.stderr, flush=True)

    def step(self, _report: object = None) -> None:
        self.done += 1
        if self.enabled:
            self._draw()
            if self.done == self.total:
                print(file=sys.stderr)
                self.close()

    def close(self) -> None:
        for handler, emit in self._handlers:
            handler.emit = emit  # type: ignore[method-assign]
        self._handlers = []


async def poll_once(settings: Settings, as_json: bool, *, every: bool = False) -> int:
    """Poll the due sources (`every`: all of them) once, print a line per source."""
    from bot.app import close_runtime, open_runtime

    runtime = await open_runtime(settings, load_catalogue(settings.brands))
    try:
        storage = runtime.storage
        if every:
            due = await storage.sources.all()
        else:
            due = await storage.sources.due(storage.now(), limit=1_000_000)
        next_at = await storage.sources.next_due_at()
        progress = _Progress(len(due))
        started = time.monotonic()
        try:
            reports = await runtime.poller.poll_all(due, on_done=progress.step)
        finally:
            progress.close()
    finally:
        await close_runtime(runtime)
    if not due:
        wait = f"the next in {max(0, next_at - storage.now())} s" if next_at else "no sources"
        print(f"newsbot: nothing due ({wait}); use --all to poll every source now",
              file=sys.stderr)  # fmt: skip
        return EXIT_OK
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
            f"  {format_utc(ENGLISH, s.last_success_at):<20}  {s.title or '-'} <{s.url}>"
        )
        if s.last_error:
            print(f"{'':>6}last error: {s.last_error}")


async def manage_sources(settings: Settings, args: argparse.Namespace) -> int:
    from news.links import is_http_url

    # `list` and `export` only read: the database is opened read-only. None of the verbs
    # syncs a sources file: that is `run`'s (and `poll --once`'s) job (bot.app.sync_sources).
    reading = args.verb in ("list", "export")
    storage = await Storage.open(settings.database, read_only=reading)
    try:
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
                entries, skipped = read_opml(await asyncio.to_thread(Path(args.file).read_bytes))
            except OSError as exc:
                return _fail(f"cannot read {args.file}: {exc.strerror}", EXIT_CONFIG)
            added, updated = await storage.sources.sync(entries, origin=SourceOrigin.CLI)
            print(
                f"Imported {args.file}: {added} added, {updated} updated, {len(entries)} in the"
                f" file, {len(skipped)} skipped"
            )
            for line in skipped:
                print(f"  skipped {line}")
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
    catalogue = load_catalogue(settings.brands)
    if args.command == "latest" and len(args.name) > 1:
        brands = [resolve_term(word, catalogue) for word in args.name]
        if all(r.verdict is Verdict.BRAND for r in brands):
            return _fail(
                f"{' '.join(args.name)!r} names {len(brands)} brands: ask for one at a time"
                f" (newsbot latest {brands[0].brand.key}), or quote a phrase to look it up"
                " as a keyword", EXIT_CONFIG,
            )  # fmt: skip
    storage = await Storage.open(settings.database, read_only=True)
    try:
        if args.command == "search":
            words = " ".join(args.words)
            ids = await storage.archive.search(words, args.n)
            what = f"nothing found for {words!r}"
        else:
            name = " ".join(args.name)
            resolution = resolve_term(name, catalogue)
            what = f"no stories about {name!r} in the archive"
            if resolution.verdict is Verdict.BRAND:
                page = await latest.for_brand(storage, resolution.brand.key, args.n)
            elif resolution.verdict is Verdict.KEYWORD:
                page = await latest.for_keyword(storage, normalize_name(name), args.n)
            elif resolution.verdict is Verdict.SUGGESTION:
                return _fail(
                    f"{name!r} is not a brand; did you mean {resolution.brand.key!r}?", EXIT_CONFIG
                )
            else:
                return _fail(f"cannot look up {name!r}: {reason(ENGLISH, resolution)}", EXIT_CONFIG)
            ids = page.ids
        await story_report(storage, ids, args.json)
    finally:
        await storage.close()
    if not ids:  # said on stderr, so --json's stdout stays one object per line (none here)
        print(f"newsbot: {what}", file=sys.stderr)
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
    level = settings.log_level
    if args.command != "run" and not getattr(args, "verbose", False):
        level = max(logging.WARNING, logging.getLevelName(level))
    setup_logging(level, [settings.token.get(), settings.webhook_secret.get()])
    try:
        if args.command == "poll":
            return asyncio.run(poll_once(settings, args.json, every=args.all))
        if args.command == "sources":
            return asyncio.run(manage_sources(settings, args))
        if args.command in ("latest", "search"):
            return asyncio.run(archive_query(settings, args))
        if args.command == "clusters":
            return asyncio.run(list_clusters(settings, args.since, args.json))
        if args.command == "health":
            return asyncio.run(health_report(settings, args.json))
        if args.command == "backup":
            return backup_database(settings, args.file)
        return run(settings)
    except NewsbotError as exc:  # news.errors: one line for the operator
        return _fail(str(exc), EXIT_CONFIG)
    except InvalidToken:
        return _fail("TELEGRAM_BOT_TOKEN was refused by the Bot API: check the token", EXIT_CONFIG)
    except TelegramError as exc:  # the message may quote a URL; never print the token
        text = _redacted(str(exc), settings)
        return _fail(f"cannot talk to the Bot API at {settings.api_url}: {text}", EXIT_FAILURE)
