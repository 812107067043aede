"""The aiohttp applications a process serves: the webhook with health and metrics, or,
when polling, health and metrics alone."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web

from bot.config import Settings
from bot.web.status import add_status_routes
from bot.web.webhook import MAX_BODY, WebhookHandler, ip_filter


def create_web_app(settings: Settings, dp: Dispatcher, bot: Bot) -> web.Application:
    """The webhook at `settings.webhook_path` (with the IP filter when allowed networks
    are set), health and metrics; the dispatcher's startup and shutdown run with the
    application's."""
    assert settings.webhook_secret is not None  # the settings refuse a webhook without one
    middlewares = []
    if settings.webhook_allowed_ips:
        middlewares.append(
            ip_filter(
                settings.webhook_path,
                settings.webhook_allowed_ips,
                settings.webhook_trusted_proxies,
            )
        )
    app = web.Application(client_max_size=MAX_BODY, middlewares=middlewares)
    handler = WebhookHandler(dp, bot, settings.webhook_secret.get_secret_value())
    handler.register(app, path=settings.webhook_path)
    add_status_routes(
        app, db=dp["db"], kb=dp["kb"], metrics=dp["metrics"], redis=dp.workflow_data.get("redis")
    )
    setup_application(app, dp, bot=bot)
    return app


def create_status_app(dp: Dispatcher) -> web.Application:
    """Health and metrics alone, for a polling process (`HEALTH_PORT`)."""
    app = web.Application()
    add_status_routes(
        app, db=dp["db"], kb=dp["kb"], metrics=dp["metrics"], redis=dp.workflow_data.get("redis")
    )
    return app
