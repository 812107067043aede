"""A burst of updates is handled `UPDATES_AT_ONCE` at a time (`TrackingDispatcher`): the
rest wait their turn in order, count as in flight, and are all answered."""

from __future__ import annotations

import asyncio

from aiogram.types import Message

from bot.app import create_bot
from bot.inflight import InFlight, TrackingDispatcher
from bot.metrics import Metrics
from devserver import DevServer
from tests.test_knowledge import eventually

TOKEN = "123456:AT-ONCE"


async def test_a_burst_waits_for_turns_and_every_update_is_answered(
    devserver: DevServer,
) -> None:
    in_flight = InFlight()
    dp = TrackingDispatcher(in_flight=in_flight, metrics=Metrics(), at_once=2)
    running, most, order = 0, 0, []
    release = asyncio.Event()

    @dp.message()
    async def slow(message: Message) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        order.append(message.text)
        await release.wait()
        running -= 1
        await message.answer(f"done {message.text}")

    for i in range(6):
        devserver.inject.message(7000 + i, f"m{i}")
    bot = create_bot(TOKEN, devserver.url)
    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, handle_as_tasks=True, polling_timeout=1)
    )
    try:
        await eventually(lambda: in_flight.count == 6)  # all fetched: 2 handled, 4 waiting
        assert (running, most) == (2, 2)
        release.set()
        await devserver.wait_for_calls("sendMessage", count=6, timeout=10)
        await eventually(lambda: in_flight.count == 0)
        assert most == 2
        assert order == [f"m{i}" for i in range(6)]  # first come, first served
    finally:
        await dp.stop_polling()
        await polling
        await bot.session.close()
