"""HTTP control surface under ``/_control/`` (JSON in, ``{"ok": ..., "result": ...}`` out).

It mirrors the in-process Python API so an out-of-process console, e2e runner or
benchmark can inject updates, read calls and messages, and set faults/limits.
Bad input answers 400 ``{"ok": false, "error": "..."}``; a wait that times out 408.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .inject import ChatLike, Injector, UserLike
from .methods import method_names
from .params import chat_key

if TYPE_CHECKING:
    from .server import DevServer

Body = dict[str, Any]
Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _ok(result: Any) -> web.Response:
    return web.Response(
        text=json.dumps({"ok": True, "result": result}, ensure_ascii=False, default=str),
        content_type="application/json",
    )


def _fail(status: int, message: str) -> web.Response:
    return web.Response(
        text=json.dumps({"ok": False, "error": message}, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


async def _body(request: web.Request) -> Body:
    if not request.can_read_body:
        return {}
    text = await request.text()
    if not text.strip():
        return {}
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("JSON body must be an object")
    return data


def _guarded(handler: Callable[[web.Request], Awaitable[Any]]) -> Route:
    """Wrap a handler returning a result: errors become 400/408 JSON answers."""

    async def route(request: web.Request) -> web.StreamResponse:
        try:
            return _ok(await handler(request))
        except TimeoutError as exc:
            return _fail(408, str(exc) or "timeout")
        except (ValueError, LookupError, TypeError) as exc:
            return _fail(400, f"{type(exc).__name__}: {exc}")

    return route


def _user(body: Body) -> tuple[UserLike, str | None, str | None]:
    user = body.get("user", body.get("user_id"))
    if not isinstance(user, int | dict):
        raise ValueError("give 'user' (id or User object) or 'user_id'")
    return user, body.get("first_name"), body.get("language_code")


def _chat(body: Body) -> ChatLike | None:
    chat = body.get("chat", body.get("chat_id"))
    if chat is None or isinstance(chat, int | dict):
        return chat
    raise ValueError("'chat' must be a chat id or a Chat object")


def _content(body: Body) -> bytes:
    if "content_base64" in body:
        return base64.b64decode(str(body["content_base64"]))
    if "content" in body:
        return str(body["content"]).encode("utf-8")
    raise ValueError("give 'content' (text) or 'content_base64'")


def _inject(inj: Injector, kind: str, body: Body) -> dict[str, Any]:
    if kind == "update":
        update = body.get("update", body)
        if not isinstance(update, dict):
            raise ValueError("'update' must be an object")
        return inj.raw(update)
    user, first_name, language = _user(body)
    # Remember names/language first, so every kind below can pass just the id.
    uid = inj.user(user, first_name, language)["id"]
    chat = _chat(body)
    if kind == "message":
        return inj.message(
            uid, str(body["text"]), chat=chat, reply_to_message_id=body.get("reply_to_message_id")
        )
    if kind == "command":
        return inj.command(uid, str(body["command"]), body.get("args"), chat=chat)
    if kind == "callback":
        return inj.callback(
            uid,
            body.get("data"),
            message_id=body.get("message_id"),
            button_text=body.get("button_text"),
            chat=chat,
            inline_message_id=body.get("inline_message_id"),
            check_button=bool(body.get("check_button", True)),
        )
    if kind == "location":
        return inj.location(uid, float(body["latitude"]), float(body["longitude"]), chat=chat)
    if kind == "document":
        return inj.document(
            uid,
            _content(body),
            str(body.get("file_name", "file.bin")),
            body.get("mime_type"),
            caption=body.get("caption"),
            chat=chat,
        )
    if kind == "photo":
        content = _content(body) if ("content" in body or "content_base64" in body) else None
        return inj.photo(uid, content, caption=body.get("caption"), chat=chat)
    if kind == "sticker":
        return inj.sticker(uid, str(body.get("emoji", "👍")), chat=chat)
    if kind == "inline_query":
        return inj.inline_query(uid, str(body.get("query", "")), str(body.get("offset", "")))
    if kind == "chosen_inline_result":
        return inj.chosen_inline_result(
            uid,
            str(body["result_id"]),
            str(body.get("query", "")),
            inline_message_id=body.get("inline_message_id"),
        )
    if kind == "my_chat_member":
        return inj.my_chat_member(
            uid, bool(body.get("blocked", True)), apply=bool(body.get("apply", True))
        )
    raise LookupError(f"unknown injection kind {kind!r}")


def add_routes(app: web.Application, server: DevServer) -> None:
    """Register the ``/_control/`` routes for ``server`` on ``app``."""

    async def state(request: web.Request) -> Any:
        return server.summary()

    async def methods(request: web.Request) -> Any:
        return method_names()

    async def reset(request: web.Request) -> Any:
        body = await _body(request)
        seed = body.get("seed")
        server.reset(int(seed) if seed is not None else None)
        return True

    def _int_query(request: web.Request, name: str, default: int | None) -> int | None:
        value = request.query.get(name)
        return int(value) if value not in (None, "") else default

    async def calls(request: web.Request) -> Any:
        records = server.get_calls(
            request.query.get("method") or None,
            chat_id=chat_key(request.query.get("chat_id")),
            since=_int_query(request, "since", 0) or 0,
            limit=_int_query(request, "limit", None),
        )
        return {"calls": [r.to_json() for r in records], "marker": server.marker()}

    async def wait(request: web.Request) -> Any:
        body = await _body(request)
        ok_only = bool(body.get("ok_only", False))
        records = await server.wait_for_calls(
            body.get("method"),
            (lambda r: r.ok) if ok_only else None,
            count=int(body.get("count", 1)),
            timeout=float(body.get("timeout", 5.0)),
            since=int(body.get("since", 0)),
            chat_id=chat_key(body.get("chat_id")),
        )
        return {"calls": [r.to_json() for r in records], "marker": server.marker()}

    async def messages(request: web.Request) -> Any:
        chat = chat_key(request.query.get("chat_id"))
        if not isinstance(chat, int):
            raise ValueError("chat_id query parameter is required")
        found = server.messages_to(
            chat,
            _int_query(request, "since", 0) or 0,
            include_deleted=request.query.get("include_deleted") in ("1", "true"),
        )
        return [m.to_json() for m in found]

    async def inject(request: web.Request) -> Any:
        return _inject(server.inject, request.match_info["kind"], await _body(request))

    async def wait_consumed(request: web.Request) -> Any:
        body = await _body(request)
        await server.wait_consumed(int(body["update_id"]), float(body.get("timeout", 5.0)))
        return True

    async def list_faults(request: web.Request) -> Any:
        return [f.to_json() for f in server.faults.list()]

    async def add_fault(request: web.Request) -> Any:
        body = await _body(request)
        if body.get("seed") is not None:
            server.faults.seed(int(body["seed"]))
        methods_value = body.get("methods")
        fault = server.faults.add(
            str(body.get("kind", "")),
            chat_id=chat_key(body.get("chat_id")),
            methods=[str(m) for m in methods_value] if methods_value is not None else None,
            probability=float(body["probability"]) if body.get("probability") is not None else None,
            times=int(body["times"]) if body.get("times") is not None else None,
            retry_after=int(body.get("retry_after", 5)),
            latency_ms=int(body.get("latency_ms", 0)),
            status=int(body["status"]) if body.get("status") is not None else None,
            description=body.get("description"),
        )
        return fault.to_json()

    async def clear_faults(request: web.Request) -> Any:
        return server.faults.clear(
            chat_id=chat_key(request.query.get("chat_id")), tag=request.query.get("tag") or None
        )

    async def remove_fault(request: web.Request) -> Any:
        if not server.faults.remove(int(request.match_info["fault_id"])):
            raise LookupError("no such fault")
        return True

    async def get_limits(request: web.Request) -> Any:
        return server.limiter.config.to_json()

    async def set_limits(request: web.Request) -> Any:
        body = await _body(request)
        config = server.set_limits(
            bool(body.get("enabled", True)),
            global_per_second=body.get("global_per_second"),
            private_per_second=body.get("private_per_second"),
            group_per_minute=body.get("group_per_minute"),
        )
        return config.to_json()

    async def answers(request: web.Request) -> Any:
        return {"callback": server.state.callback_answers, "inline": server.state.inline_answers}

    routes: list[tuple[str, str, Callable[[web.Request], Awaitable[Any]]]] = [
        ("GET", "/_control/state", state),
        ("GET", "/_control/methods", methods),
        ("POST", "/_control/reset", reset),
        ("GET", "/_control/calls", calls),
        ("POST", "/_control/wait", wait),
        ("GET", "/_control/messages", messages),
        ("POST", "/_control/inject/{kind}", inject),
        ("POST", "/_control/wait_consumed", wait_consumed),
        ("GET", "/_control/faults", list_faults),
        ("POST", "/_control/faults", add_fault),
        ("DELETE", "/_control/faults", clear_faults),
        ("DELETE", "/_control/faults/{fault_id}", remove_fault),
        ("GET", "/_control/limits", get_limits),
        ("POST", "/_control/limits", set_limits),
        ("GET", "/_control/answers", answers),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, _guarded(handler))
