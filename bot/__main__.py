"""Command line: `python -m bot [run|console|devserver] ...` (run is the default)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from bot.kb.build import BuildStats
    from bot.kb.search import KnowledgeBase
    from bot.kb.sources import Document


def _setup_logging(level: str, log_format: str = "text") -> None:
    """Log to stderr: lines for people, or one JSON object per line (`LOG_FORMAT=json`,
    python-json-logger) for a collector."""
    if log_format != "json":
        logging.basicConfig(
            level=level,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
        return
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Poll Telegram with a token; without one, start the local console."""
    if not settings.is_live:
        print(
            "No BOT_TOKEN set: starting the local console. "
            "To go live, put BOT_TOKEN=<token from @BotFather> in .env and run again.",
            flush=True,
        )
        return cmd_console(args, settings)
    from bot.runner import run_live

    _setup_logging(settings.log_level, settings.log_format)
    asyncio.run(run_live(settings))
    return 0


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from bot.console import run_console
    except ImportError as exc:  # an installed bot without the development tools
        print(
            f"The console needs the devserver, a development tool ({exc.name} is missing): "
            "run it from a clone of the project with `make run`.",
            file=sys.stderr,
        )
        return 2

    _setup_logging("ERROR" if settings.log_level != "DEBUG" else "DEBUG")
    lang = getattr(args, "lang", None)
    return asyncio.run(run_console(settings, language_code=lang))


def cmd_devserver(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from devserver import serve_forever
    except ImportError:
        print("The devserver is a development tool: run it from a clone of the project.",
              file=sys.stderr)  # fmt: skip
        return 2

    _setup_logging(settings.log_level, settings.log_format)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(args.host, args.port))
    return 0


def _prepare_kb(settings: Settings, *, force: bool = False) -> BuildStats | None:
    """Build the KB file from data/ and the database's documents when it does not match
    them (or always, with `force`)."""
    from bot.services.knowledge import prepare_kb
    from bot.storage.database import Database

    async def prepare() -> BuildStats | None:
        db = await Database.open(settings.db_url)
        try:
            return await prepare_kb(db, settings, force=force)
        finally:
            await db.close()

    return asyncio.run(prepare())


def _kb(settings: Settings) -> KnowledgeBase:
    from bot.kb.search import KnowledgeBase

    _prepare_kb(settings)
    return KnowledgeBase(settings.kb_path)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer one question from the knowledge base, as the bot would."""
    from bot.kb.evaluate import result_sources

    kb = _kb(settings)
    result = kb.search(args.question, args.lang, limit=5, default_lang=settings.default_locale)
    best = result.best
    if args.json:
        payload = {
            "question": args.question,
            "lang": result.lang,
            "answered": best is not None,
            "missing_fact": result.missing_fact,
            "sources": result_sources(kb, result) if best else [],
            "answer": best.text(result.lang) if best else "",
            "results": [
                {
                    "doc_id": h.doc_id,
                    "passage": h.pid,
                    "score": round(h.score, 4),
                    "coverage": round(h.coverage, 4),
                    "text": h.text(result.lang),
                }
                for h in result.hits
            ],
        }
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    if best is None:
        print(f"[{result.lang}] no answer in the sources (the bot abstains)")
        return 0
    for number, hit in enumerate(result.hits, start=1):
        doc = kb.about(hit.doc_id)
        source = doc.source if doc else hit.doc_id
        print(f"{number}. [{hit.coverage:.2f}] {hit.text(result.lang)}\n   — {source}")
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Run labelled questions and print per-question results and the metrics."""
    import tempfile

    from bot.kb.evaluate import corpus_kb, evaluate_one, load_questions, metrics, table
    from bot.kb.search import KnowledgeBase

    path = Path(args.file)
    if not path.exists():
        print(f"No such file: {path}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="dostyq-eval-") as tmp:
        if args.corpus:
            corpus = Path(args.corpus)
            if not corpus.is_dir():
                print(f"No such folder: {corpus}", file=sys.stderr)
                return 2
            kb_path = corpus_kb(
                corpus,
                Path(tmp),
                settings.data_dir,
                curated=not args.no_curated,
                vectors_from=settings.kb_path,
                vector_cache=settings.vector_cache,
            )
            kb = KnowledgeBase(kb_path)
        else:
            kb = _kb(settings)
        outcomes = [evaluate_one(kb, item) for item in load_questions(path)]
        kb.close()
    if args.json:
        for outcome in outcomes:
            print(json.dumps(outcome.json(), ensure_ascii=False))
        return 0
    if not args.quiet:
        print(table(outcomes))
        print()
    for name, value in metrics(outcomes).items():
        print(f"{name:>24}: {value}")
    return 0


def cmd_kb_build(args: argparse.Namespace, settings: Settings) -> int:
    stats = _prepare_kb(settings, force=not args.if_stale)
    if stats is not None:
        print(f"Knowledge base {settings.kb_path}: {stats.line()}")
    return 0


def cmd_kb_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Parse news files, add them to the database's documents (one transaction, audited),
    rebuild the KB, show what was found."""
    from bot.kb.ingest import IngestError, decode_upload, parse_news
    from bot.kb.places import Gazetteer
    from bot.kb.sources import load_places

    if args.data_dir:
        settings = settings.model_copy(update={"data_dir": Path(args.data_dir)})
    gazetteer = Gazetteer(load_places(settings.data_dir))
    failed = 0
    docs = []
    for name in args.files:
        path = Path(name)
        try:
            text = decode_upload(path.read_bytes())
            doc = parse_news(text, source=path.name, gazetteer=gazetteer)
            doc.publisher = args.publisher or doc.publisher
            doc.url = args.url or doc.url
        except (OSError, IngestError) as exc:
            reason = exc.reason if isinstance(exc, IngestError) else exc.strerror
            print(f"{path}: not added ({reason})", file=sys.stderr)
            failed += 1
            continue
        docs.append(doc)
        print(
            json.dumps(_ingest_summary(doc), ensure_ascii=False) if args.json else _ingest_text(doc)
        )
    if not args.dry_run and docs:
        _ingest(settings, docs)
        plural = "s" if len(docs) != 1 else ""
        print(f"{len(docs)} document{plural} added; knowledge base {settings.kb_path} rebuilt")
    return 1 if failed else 0


def _ingest(settings: Settings, docs: list[Document]) -> None:
    from bot.services.documents import DocumentService
    from bot.services.knowledge import SYSTEM_ACTOR, KnowledgeSync, import_legacy_files
    from bot.storage.database import Database

    async def ingest() -> None:
        db = await Database.open(settings.db_url)
        try:
            await import_legacy_files(db, settings)  # so the one build below includes them
            service = DocumentService(db, KnowledgeSync(db, settings))
            await service.ingest_many(SYSTEM_ACTOR, docs)
        finally:
            await db.close()

    asyncio.run(ingest())


def _ingest_summary(doc: Document) -> dict[str, object]:
    return {
        "id": doc.id,
        "source": doc.source,
        "lang": doc.source_lang,
        "title": doc.title.get(doc.source_lang, ""),
        "date": doc.date,
        "publisher": doc.publisher,
        "url": doc.url,
        "published": doc.published,
        "kind": doc.kind,
        "event_kind": doc.event_kind,
        "places": doc.places,
        "mentioned_places": doc.mentioned_places,
        "people": [
            {"name": p.name.get(doc.source_lang), "role": p.role.get(doc.source_lang)}
            for p in doc.people
        ],
        "passages": len(doc.passages),
    }


def _ingest_text(doc: Document) -> str:
    summary = _ingest_summary(doc)
    people = "; ".join(
        f"{p['name']} ({p['role']})" if p["role"] else str(p["name"])
        for p in summary["people"]  # type: ignore[attr-defined]
    )
    return (
        f"{doc.source}: {summary['title']}\n"
        f"  language {doc.source_lang}, date {doc.date or 'unknown'}, kind {doc.kind}"
        f"/{doc.event_kind or '-'}, {len(doc.passages)} passages\n"
        f"  publisher {doc.publisher or 'unknown'}, published {doc.published or 'unknown'}"
        f"{', ' + doc.url if doc.url else ''}\n"
        f"  places: {', '.join(doc.places + doc.mentioned_places) or '-'}\n"
        f"  people: {people or '-'}"
    )


def cmd_healthcheck(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when the running bot answers /healthz (the container's HEALTHCHECK)."""
    import urllib.error
    import urllib.request

    if settings.webhook_url:
        host, port = settings.webhook_host, settings.webhook_port
    elif settings.health_port:
        host, port = settings.health_host, settings.health_port
    else:
        print("nothing to ask: set HEALTH_PORT (polling) or WEBHOOK_URL", file=sys.stderr)
        return 1
    host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    url = f"http://{host}:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:
            healthy = bool(response.status == 200)
    except (urllib.error.URLError, OSError) as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return 1
    return 0 if healthy else 1


def cmd_db_backup(args: argparse.Namespace, settings: Settings) -> int:
    """A consistent copy of the database while the bot runs (see bot/storage/backup.py)."""
    from bot.storage.backup import BackupError, backup

    try:
        print(backup(settings.db_url, Path(args.path)))
    except BackupError as exc:
        print(f"No backup: {exc}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Dostyq, a Telegram bot about the shared heritage of Russia and Kazakhstan.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run", help="poll Telegram (BOT_TOKEN set) or start the console (no token)"
    )
    run.set_defaults(func=cmd_run)

    console = sub.add_parser(
        "console", help="chat with the bot in the terminal through an in-process devserver"
    )
    console.add_argument(
        "--lang", choices=["ru", "kk", "en"], help="Telegram app language of the console user"
    )
    console.set_defaults(func=cmd_console)

    dev = sub.add_parser("devserver", help="serve a local fake Telegram Bot API")
    dev.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    dev.add_argument("--port", type=int, default=8081, help="port (default 8081)")
    dev.set_defaults(func=cmd_devserver)

    ask = sub.add_parser("ask", help="answer a question from the knowledge base")
    ask.add_argument("question", help="the question, in Russian, Kazakh or English")
    ask.add_argument(
        "--lang", choices=["ru", "kk", "en"], help="question language (default: detect)"
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.set_defaults(func=cmd_ask)

    ev = sub.add_parser("eval", help="evaluate the search on a JSONL question set")
    ev.add_argument("file", help="JSONL with id, lang, q, sources, answer_any")
    ev.add_argument("--json", action="store_true", help="one JSON line per question")
    ev.add_argument(
        "--corpus", metavar="DIR", help="ingest this folder of news files into a temporary KB"
    )
    ev.add_argument(
        "--no-curated", action="store_true", help="with --corpus: leave data/documents out"
    )
    ev.add_argument("-q", "--quiet", action="store_true", help="metrics only")
    ev.set_defaults(func=cmd_eval)

    kb = sub.add_parser("kb", help="knowledge base: build, ingest")
    kb_sub = kb.add_subparsers(dest="kb_command", metavar="KB_COMMAND", required=True)
    build = kb_sub.add_parser(
        "build",
        help="build the knowledge base from data/ and the database's documents (atomically)",
    )
    build.add_argument(
        "--if-stale",
        action="store_true",
        help="only when missing or out of date with data/ and the database",
    )
    build.set_defaults(func=cmd_kb_build)
    ingest = kb_sub.add_parser(
        "ingest", help="add plain-text/Markdown news files to the database's documents and the KB"
    )
    ingest.add_argument("files", nargs="+", help=".txt or .md files")
    ingest.add_argument("--data-dir", help="data folder (default: DATA_DIR, i.e. data/)")
    ingest.add_argument(
        "--dry-run", action="store_true", help="show the extraction, change nothing"
    )
    ingest.add_argument("--json", action="store_true", help="one JSON object per file")
    ingest.add_argument("--publisher", help="the publisher, instead of what the file says")
    ingest.add_argument("--url", help="a link to the original, instead of what the file says")
    ingest.set_defaults(func=cmd_kb_ingest)

    db = sub.add_parser("db", help="the bot's database: backup")
    db_sub = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", required=True)
    bak = db_sub.add_parser(
        "backup", help="copy the database while the bot runs (SQLite online backup, pg_dump)"
    )
    bak.add_argument("path", help="the file to write (SQLite database, or pg_dump's format)")
    bak.set_defaults(func=cmd_db_backup)

    health = sub.add_parser("healthcheck", help="exit 0 when the running bot answers /healthz")
    health.add_argument("--timeout", type=float, default=3.0, help="seconds (default 3)")
    health.set_defaults(func=cmd_healthcheck)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace, Settings], int] = getattr(args, "func", cmd_run)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    return func(args, settings)


if __name__ == "__main__":
    sys.exit(main())
