"""Benchmark: updates per second of the whole bot, beside a bare aiogram echo bot, on the
same devserver in the same run.

Each bot runs polling in a process of its own (as deployed: `handle_as_tasks`, the
aiogram default), against the devserver in a third process, so that neither shares an
event loop with the fake Telegram. Before a bot starts, the devserver's queue is filled
with the workload: USERS users (languages ru, kk, en in turn) each sending /start, /help,
a question in their language (no two users ask the same: `FORMS`), /events and /consular.
The echo bot answers every message with its text; the whole bot runs its middlewares
(user row, locale, roles, throttling), the database, i18n, menus and the knowledge-base
search (`--no-questions`: the menus alone). Flood limits are lifted on both
sides (the devserver's per-chat limit and the bot's throttling), so both answer every
update once.

Figures, each bot: updates/s from its first fetched update to its last reply; reply
latency (the getUpdates answer holding an update to the reply to it: the k-th reply in a
chat answers the k-th update); the process's peak RSS (``VmHWM``) over the run. The
ratio is bot/echo updates/s (the goal is at least 0.6). Rounds alternate echo and bot;
medians are reported.

The bot runs as deployed: the model's engine takes every core for a question (OpenMP's
default); run with ``OMP_NUM_THREADS=1`` to measure one thread per question instead.

The whole bot's knowledge base is built once, before the rounds, and copied into each
round's fresh directory: a round measures answering, not the build.

Run: .venv/bin/python bench/updates.py [--quick] [--users N] [--rounds N] [--kb-passages N]
     [--no-questions]
(BENCH_PROFILE=path.prof: the whole bot's run is profiled with cProfile into that file;
BENCH_PYSPY=path.txt: sampled with py-spy, every thread, from ready to the last reply,
as raw folded stacks, when py-spy is installed.)
Last line: {"echo_updates_per_s", "bot_updates_per_s", "ratio", "bot_p50_ms", ...}
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from broadcast import Remote

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-UPDATES"
LANGS = ("ru", "kk", "en")
Work = list[tuple[int, str, str]]  # (user id, language, text)
#: A question per user, none asked twice (the bot keeps recent results: a repeated question
#: would measure that, not a search): two forms per language about each place of data/.
FORMS = {
    "ru": ("{place}: какие события там проходили?", "{place} — кто туда приезжал?"),
    "kk": ("{place}: онда қандай іс-шаралар өтті?", "{place} — онда кім болды?"),
    "en": ("{place}: which events took place there?", "Who visited {place}?"),
}


def workload(users: int, questions: bool = True) -> Work:
    """(user id, language, text), each user's updates in order; without `questions`, the
    menus alone (what the bot costs beside the knowledge-base search)."""
    from bot.kb.sources import load_places

    places = load_places()
    found = []
    for i in range(users):
        uid, lang = 500_000 + i, LANGS[i % 3]
        nth = i // 3  # this language's nth user
        form = FORMS[lang][nth % 2]
        name = places[nth // 2 % len(places)].name
        question = form.format(place=name.get(lang) or name["en"])
        for text in ("/start", "/help", question, "/events", "/consular"):
            if questions or text.startswith("/"):
                found.append((uid, lang, text))
    return found


# -- the two bots, each in its own process -------------------------------------------------------


async def serve_echo(api: str) -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message

    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api)))
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    print("ready", flush=True)
    await dp.start_polling(bot, handle_signals=True, polling_timeout=10)


def bot_settings(workdir: Path) -> Any:
    from bot.config import Settings

    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_path=workdir / "bot.db",
        kb_path=workdir / "kb.db",
        throttle_rate=1000.0,
        throttle_burst=1000,
        default_locale="ru",
    )


def prepare(workdir: Path, passages: int) -> None:
    """Build the bot's knowledge base in `workdir` (what each round then copies): the
    curated KB of `data/`, or with `passages` that plus as many synthetic passages, as
    bench/kb_search.py builds it (real code, seeded vectors)."""
    settings = bot_settings(workdir)
    if passages:
        import random

        from kb_search import build_synthetic_kb

        build_synthetic_kb(settings.kb_path, passages, 320, random.Random(7))
        return
    from bot.kb.build import ensure_kb

    ensure_kb(
        settings.kb_path, settings.data_dir, settings.embedder, vector_cache=settings.vector_cache
    )


async def serve_bot(api: str, workdir: Path) -> None:
    from bot.runner import BotRunner

    runner = BotRunner(bot_settings(workdir), token=TOKEN, api_base=api, handle_as_tasks=True)
    await runner.open()
    print("ready", flush=True)
    profile_to = os.environ.get("BENCH_PROFILE")
    if not profile_to:
        await runner.poll()
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        await runner.poll()
    finally:
        profiler.disable()
        profiler.dump_stats(profile_to)


# -- the orchestrator --------------------------------------------------------------------------


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process (all its threads) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def spawn(role: str, *args: str) -> asyncio.subprocess.Process:
    """This file in a process of its own, serving `role`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # OpenMP as deployed, unless set here
    return await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", role, *args,
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip


def py_spy() -> str | None:
    """py-spy on the PATH or beside this Python (the venv's), when installed."""
    beside = Path(sys.executable).with_name("py-spy")
    return shutil.which("py-spy") or (str(beside) if beside.exists() else None)


async def sample(pid: int, round_no: int) -> asyncio.subprocess.Process | None:
    """py-spy on the bot's process (BENCH_PYSPY), stopped with SIGINT at the round's end."""
    out, spy = os.environ.get("BENCH_PYSPY"), py_spy()
    if not out or spy is None:
        return None
    target = Path(out).with_suffix(f".{round_no}{Path(out).suffix}")
    return await asyncio.create_subprocess_exec(
        spy, "record", "-p", str(pid), "-o", str(target), "-f", "raw", "-r", "200",
        "--threads", "--nonblocking", stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


async def one_round(
    control: Remote, role: str, work: Work, kb: Path, round_no: int
) -> dict[str, Any]:
    await control.call("POST", "/_control/reset", {})
    await control.call("POST", "/_control/limits", {"enabled": False})
    last_id = 0
    for uid, lang, text in work:
        body = {"user": {"id": uid, "language_code": lang}, "text": text}
        last_id = (await control.call("POST", "/_control/inject/message", body))["update_id"]
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-updates-{role}-"))
    shutil.copy(kb, workdir / "kb.db")
    spawned = time.time()  # the devserver's clock too (one machine)
    proc = await spawn(role, "--api", control.url, "--workdir", str(workdir))
    spy = None
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 600)
        assert line.strip() == b"ready", line
        cpu_ready = cpu_seconds(proc.pid)
        if role == "bot":
            spy = await sample(proc.pid, round_no)
        await control.call(
            "POST", "/_control/wait_consumed", {"update_id": last_id, "timeout": 600}
        )
        expected = len(work)
        for _ in range(600):
            sends = (await control.call("GET", "/_control/calls?method=sendMessage"))["calls"]
            if len(sends) >= expected:
                break
            await asyncio.sleep(0.1)
        rss = peak_rss_mb(proc.pid)
        cpu = cpu_seconds(proc.pid) - cpu_ready
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            await spy.wait()
        proc.terminate()
        await proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    calls = await control.call("GET", "/_control/calls")
    per_update = 1000 * cpu / expected
    return figures(calls, expected, spawned) | {"rss_mb": rss, "cpu_ms_per_update": per_update}


def figures(calls: dict[str, Any], expected: int, spawned: float) -> dict[str, Any]:
    """From the calls this bot made: a long poll the previous bot left open (its process
    is gone, the devserver answers it anyway) began before this one was started."""
    fetched: dict[int, list[float]] = defaultdict(list)  # chat -> when each update was fetched
    replies: dict[int, list[float]] = defaultdict(list)
    for call in calls["calls"]:
        began = call["time"] - call["duration_ms"] / 1000
        if call["method"] == "getUpdates" and call["ok"] and began >= spawned:
            for update in call["result"] or []:
                fetched[update["message"]["chat"]["id"]].append(call["time"])
        elif call["method"] == "sendMessage" and call["ok"]:
            replies[int(call["chat_id"])].append(call["time"])
    first = min(t for times in fetched.values() for t in times)
    last = max(t for times in replies.values() for t in times)
    latencies = [
        (reply - got) * 1000
        for chat, got_times in fetched.items()
        for got, reply in zip(got_times, replies.get(chat, []), strict=False)
    ]
    handled = sum(len(r) for r in replies.values())
    return {
        "updates_per_s": expected / (last - first),
        "replies": handled,
        "p50_ms": statistics.median(latencies),
        "p95_ms": statistics.quantiles(latencies, n=20)[18],
    }


async def run(users: int, rounds: int, passages: int, questions: bool) -> dict[str, Any]:
    work = workload(users, questions)
    # here, not at the top: the echo bot's process runs this file too, and should not
    # carry the broadcast benchmark's imports of the bot
    from broadcast import remote_devserver

    results: dict[str, list[dict[str, Any]]] = {"echo": [], "bot": []}
    built = Path(tempfile.mkdtemp(prefix="bench-updates-kb-"))
    preparing = await spawn("prepare", "--workdir", str(built), "--kb-passages", str(passages))
    await preparing.wait()
    assert preparing.returncode == 0, "could not build the knowledge base"
    async with remote_devserver() as control:
        for n in range(rounds):
            for role in ("echo", "bot") if n % 2 == 0 else ("bot", "echo"):
                started = time.perf_counter()
                result = await one_round(control, role, work, built / "kb.db", n + 1)
                results[role].append(result)
                print(f"round {n + 1} {role}: {json.dumps(result)} "
                      f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)  # fmt: skip
    shutil.rmtree(built, ignore_errors=True)

    def median(role: str, key: str) -> float:
        return round(float(statistics.median(r[key] for r in results[role])), 1)

    echo, full = median("echo", "updates_per_s"), median("bot", "updates_per_s")
    return {
        "users": users,
        "updates": len(work),
        "rounds": rounds,
        "echo_updates_per_s": echo,
        "bot_updates_per_s": full,
        "ratio": round(full / echo, 2),
        "echo_p50_ms": median("echo", "p50_ms"),
        "echo_p95_ms": median("echo", "p95_ms"),
        "bot_p50_ms": median("bot", "p50_ms"),
        "bot_p95_ms": median("bot", "p95_ms"),
        "echo_cpu_ms_per_update": median("echo", "cpu_ms_per_update"),
        "bot_cpu_ms_per_update": median("bot", "cpu_ms_per_update"),
        "echo_rss_mb": median("echo", "rss_mb"),
        "bot_rss_mb": median("bot", "rss_mb"),
        "bot_replies": min(r["replies"] for r in results["bot"]),
        "kb": f"data/ + {passages:,} synthetic passages" if passages else "data/ (the curated KB)",
        "questions": questions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--users", type=int)
    parser.add_argument("--rounds", type=int)
    parser.add_argument(
        "--kb-passages",
        type=int,
        default=0,
        help="serve the curated KB plus this many synthetic passages (100000: the issue's KB)",
    )
    parser.add_argument(
        "--no-questions",
        action="store_true",
        help="menus only: the bot's cost beside the search's (the questions' embedding)",
    )
    parser.add_argument("--serve", choices=("echo", "bot", "prepare"), help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve == "echo":
        asyncio.run(serve_echo(args.api))
        return
    if args.serve == "bot":
        asyncio.run(serve_bot(args.api, args.workdir))
        return
    if args.serve == "prepare":
        prepare(args.workdir, args.kb_passages)
        return
    users = args.users or (60 if args.quick else 300)
    rounds = args.rounds or (1 if args.quick else 3)
    print(json.dumps(asyncio.run(run(users, rounds, args.kb_passages, not args.no_questions))))


if __name__ == "__main__":
    main()
