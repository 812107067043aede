"""Bot-level methods: identity, polling, webhook stubs, commands, profile texts,
menu button, getChat and answers to callback/inline queries."""

from __future__ import annotations

import json
import re
from typing import Any

from .context import Ctx, Handler, api_method
from .errors import CHAT_NOT_FOUND, QUERY_INVALID, ApiError, bad_request

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


@api_method("getMe")
async def get_me(ctx: Ctx) -> dict[str, Any]:
    return ctx.state.bot_user(ctx.bot_id, full=True)


@api_method("logOut")
async def log_out(ctx: Ctx) -> bool:
    return True


@api_method("close")
async def close(ctx: Ctx) -> bool:
    return True


_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@api_method("setWebhook")
async def set_webhook(ctx: Ctx) -> bool:
    params = ctx.params
    url = params.opt_str("url") or ""
    if url and not re.match(r"^https?://[^\s/]+", url):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.opt_str("secret_token")
    if secret is not None and not _SECRET_RE.match(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    connections = params.opt_int("max_connections") or 40
    if not 1 <= connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = params.opt_list("allowed_updates")
    if params.opt_bool("drop_pending_updates"):
        ctx.updates.clear()
    ctx.updates.set_allowed([str(a) for a in allowed] if allowed is not None else None)
    if url:
        await ctx.webhook.set(url, secret, connections)
    else:
        await ctx.webhook.delete()
    ctx.state.webhook_url = url
    return True


@api_method("deleteWebhook")
async def delete_webhook(ctx: Ctx) -> bool:
    await ctx.webhook.delete()
    ctx.state.webhook_url = ""
    if ctx.params.opt_bool("drop_pending_updates"):
        ctx.updates.clear()
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(ctx: Ctx) -> dict[str, Any]:
    return ctx.webhook.info()


@api_method("getUpdates")
async def get_updates(ctx: Ctx) -> list[dict[str, Any]]:
    if ctx.webhook.active:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    params = ctx.params
    allowed = params.opt_list("allowed_updates")
    return await ctx.updates.get(
        offset=params.opt_int("offset") or 0,
        limit=params.opt_int("limit") or 100,
        wait=params.opt_float("timeout") or 0.0,
        allowed_updates=[str(a) for a in allowed] if allowed is not None else None,
    )


def _commands_key(ctx: Ctx) -> tuple[str, str]:
    scope = ctx.params.opt_dict("scope") or {"type": "default"}
    language = ctx.params.opt_str("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


@api_method("setMyCommands")
async def set_my_commands(ctx: Ctx) -> bool:
    commands = ctx.params.opt_list("commands")
    if commands is None:
        raise bad_request('parameter "commands" is required')
    if len(commands) > 100:
        raise bad_request("too many commands")
    cleaned: list[dict[str, Any]] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand")
        name = command.get("command")
        description = command.get("description")
        if not isinstance(name, str) or not _COMMAND_RE.match(name.removeprefix("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not description.strip():
            raise bad_request("command description is empty")
        if len(description) > 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name.removeprefix("/"), "description": description})
    key = _commands_key(ctx)
    if cleaned:
        ctx.state.commands[key] = cleaned
    else:
        ctx.state.commands.pop(key, None)
    return True


@api_method("getMyCommands")
async def get_my_commands(ctx: Ctx) -> list[dict[str, Any]]:
    return list(ctx.state.commands.get(_commands_key(ctx), []))


@api_method("deleteMyCommands")
async def delete_my_commands(ctx: Ctx) -> bool:
    ctx.state.commands.pop(_commands_key(ctx), None)
    return True


def _profile_text(field: str, limit: int) -> tuple[Handler, Handler]:
    """setMy*/getMy* pair for a per-language profile string."""

    async def setter(ctx: Ctx) -> bool:
        value = ctx.params.opt_str(field) or ""
        if len(value) > limit:
            raise bad_request(f"{field} is too long")
        key = (field, ctx.params.opt_str("language_code") or "")
        if value:
            ctx.state.texts[key] = value
        else:
            ctx.state.texts.pop(key, None)
        return True

    async def getter(ctx: Ctx) -> dict[str, Any]:
        key = (field, ctx.params.opt_str("language_code") or "")
        default = ctx.state.bot_name if field == "name" else ""
        return {field: ctx.state.texts.get(key, ctx.state.texts.get((field, ""), default))}

    return setter, getter


for _field, _limit, _suffix in (
    ("description", 512, "Description"),
    ("short_description", 120, "ShortDescription"),
    ("name", 64, "Name"),
):
    _setter, _getter = _profile_text(_field, _limit)
    api_method(f"setMy{_suffix}")(_setter)
    api_method(f"getMy{_suffix}")(_getter)


@api_method("setChatMenuButton")
async def set_chat_menu_button(ctx: Ctx) -> bool:
    chat = ctx.params.opt_int("chat_id")
    button = ctx.params.opt_dict("menu_button") or {"type": "default"}
    if button.get("type") not in ("default", "commands", "web_app"):
        raise bad_request("wrong menu button type")
    ctx.state.menu_buttons[chat] = button
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(ctx: Ctx) -> dict[str, Any]:
    chat = ctx.params.opt_int("chat_id")
    buttons = ctx.state.menu_buttons
    return buttons.get(chat, buttons.get(None, {"type": "commands"}))


@api_method("getChat")
async def get_chat(ctx: Ctx) -> dict[str, Any]:
    chat_id = ctx.params.int_chat_id()
    state = ctx.state.chats.get(chat_id)
    if state is None:
        raise ApiError(400, CHAT_NOT_FOUND)
    return {
        **state.chat,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


@api_method("answerCallbackQuery")
async def answer_callback_query(ctx: Ctx) -> bool:
    params = ctx.params
    query_id = params.opt_str("callback_query_id")
    state = ctx.state
    if (
        not query_id
        or query_id not in state.callback_queries
        or query_id in (state.callback_answers)
    ):
        raise bad_request(QUERY_INVALID.removeprefix("Bad Request: "))
    text = params.opt_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    state.callback_answers[query_id] = dict(params.raw)
    return True


@api_method("answerInlineQuery")
async def answer_inline_query(ctx: Ctx) -> bool:
    params = ctx.params
    query_id = params.opt_str("inline_query_id")
    state = ctx.state
    if not query_id or query_id not in state.inline_queries or query_id in (state.inline_answers):
        raise bad_request(QUERY_INVALID.removeprefix("Bad Request: "))
    results = params.opt_list("results")
    if results is None:
        raise bad_request('parameter "results" is required')
    if len(results) > 50:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        if not isinstance(result, dict) or "type" not in result or "id" not in result:
            raise bad_request("can't parse InlineQueryResult")
        result_id = str(result["id"])
        if not 1 <= len(result_id.encode("utf-8")) <= 64:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
    state.inline_answers[query_id] = dict(params.raw)
    return True
