"""Factories for the bot and the dispatcher; nothing is created at import time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from aiogram.utils.i18n import I18n
from redis.asyncio import Redis

from bot.broadcast.audience import record_language
from bot.commands import set_bot_commands, set_staff_commands
from bot.config import Settings
from bot.consular import ConsularDirectory
from bot.delivery import BroadcastService
from bot.errors import on_error
from bot.handlers import create_root_router
from bot.inflight import InFlight, TrackingDispatcher
from bot.kb.search import KnowledgeBase
from bot.metrics import Metrics
from bot.middlewares.locale import LocaleMiddleware
from bot.middlewares.roles import RoleMiddleware
from bot.middlewares.throttling import Buckets, LocalBuckets, ThrottlingMiddleware
from bot.middlewares.user import UserMiddleware
from bot.reminders import ReceptionReminders, clock_on
from bot.services import Services
from bot.services.documents import DocumentService
from bot.services.knowledge import KnowledgeSync
from bot.session import TolerantSession
from bot.shared.ratelimit import RedisRateLimiter
from bot.shared.throttle import RedisBuckets
from bot.storage.database import Database
from bot.storage.fsm import SQLStorage
from bot.storage.questions import QuestionRepo
from bot.storage.roles import AuditRepo, ModeratorRepo
from bot.storage.subscriptions import SubscriptionRepo
from bot.storage.users import UserRepo


def create_bot(token: str, api_base: str) -> Bot:
    """A Bot talking to `api_base` (Telegram, or the devserver for local runs)."""
    session = TolerantSession(api=TelegramAPIServer.from_base(api_base))
    return Bot(
        token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_dispatcher(
    settings: Settings,
    *,
    db: Database,
    i18n: I18n,
    kb: KnowledgeBase,
    today: Callable[[], date] | None = None,
    broadcast_db: Database | None = None,
    metrics: Metrics | None = None,
    redis: Redis | None = None,
) -> Dispatcher:
    """The whole bot: dependencies, middlewares in their order, the router tree.

    `broadcast_db` (the same database through a pool of its own) keeps a long broadcast
    from holding up users' updates, and the other way round. With `redis` (several
    instances) wizards, event isolation, flood limits, the send rate and news of new
    documents are shared through it; without, the database and the process keep them."""
    users = UserRepo(db)
    metrics = metrics or Metrics()
    broadcasts = BroadcastService(
        broadcast_db or db,
        i18n,
        rate=settings.broadcast_rate,
        default_locale=settings.default_locale,
        lease_ttl=settings.broadcast_lease_s,
        on_outcome=metrics.broadcast_outcome,
        limiter=RedisRateLimiter(redis, settings.broadcast_rate) if redis else None,
    )
    consular = ConsularDirectory(kb, db)
    reminders = ReceptionReminders(
        broadcast_db or db,
        kb=kb,
        consular=consular,
        i18n=i18n,
        broadcasts=broadcasts,
        timezone=settings.timezone,
        default_locale=settings.default_locale,
        interval=settings.reminder_check_s,
        now=clock_on(today, ZoneInfo(settings.timezone)) if today else None,
    )
    knowledge = KnowledgeSync(db, settings, kb, redis)
    storage: BaseStorage = SQLStorage(db)
    isolation: BaseEventIsolation = SimpleEventIsolation()
    buckets: Buckets = LocalBuckets(settings.throttle_rate, settings.throttle_burst)
    if redis is not None:
        db.cache.share_through(redis)  # (the broadcast pool shares `db`'s cache)
        keys = DefaultKeyBuilder(prefix="dostyq:fsm", with_destiny=True)
        storage = RedisStorage(redis, key_builder=keys)
        isolation = RedisEventIsolation(redis, key_builder=keys)
        buckets = RedisBuckets(redis, settings.throttle_rate, settings.throttle_burst)
    in_flight = InFlight()
    dp = TrackingDispatcher(
        in_flight=in_flight,
        at_once=settings.updates_at_once,
        metrics=metrics,
        storage=storage,
        events_isolation=isolation,
        settings=settings,
        db=db,
        users=users,
        questions=QuestionRepo(db),
        subscriptions=SubscriptionRepo(db),
        consular=consular,
        kb=kb,
        today=today or date.today,
        moderators=ModeratorRepo(db),
        audit=AuditRepo(db),
        services=Services.create(db),
        documents=DocumentService(db, knowledge),
        redis=redis,
        broadcasts=broadcasts,
        reminders=reminders,
    )

    dp.update.outer_middleware(UserMiddleware(users))
    dp.update.outer_middleware(RoleMiddleware(settings.admin_ids, ModeratorRepo(db)))
    LocaleMiddleware(i18n).setup(dp)
    throttling = ThrottlingMiddleware(buckets)
    for observer in (dp.message, dp.callback_query, dp.inline_query):
        observer.outer_middleware(throttling)

    dp.include_router(create_root_router())
    dp.errors.register(on_error)

    async def on_startup(bot: Bot) -> None:
        db.cache.start()  # with Redis: other instances' changes evict this one's copies
        await set_bot_commands(bot, i18n)
        staff = {uid: True for uid in settings.admin_ids}
        for uid in await ModeratorRepo(db).all():
            staff.setdefault(uid, False)
        for uid, is_admin in staff.items():
            record = await users.get(uid)
            locale = record_language(record, settings.default_locale)
            await set_staff_commands(bot, i18n, uid, locale, admin=is_admin)
        await broadcasts.start(bot)  # also resumes announcements a crash interrupted
        await reminders.start()  # queues the day-before reminders of receptions
        knowledge.start()  # documents other instances add reach this one's KB

    async def on_shutdown() -> None:
        # updates in flight finish before what they use closes (no new ones arrive now)
        await in_flight.drained(settings.shutdown_grace_s)
        await knowledge.stop()
        await db.cache.stop()
        await reminders.stop()
        await broadcasts.stop()

    dp.startup.register(on_startup)
    dp.shutdown.register(on_shutdown)
    return dp
