"""/subscriptions: topics (events, heritage, consular receptions) and regions, toggled;
and the day-before reminders of receptions in the subscribed regions, on or off."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.cards import texts_in
from bot.commands import command
from bot.consular import subscribable_regions
from bot.handlers.render import answer_stale, show
from bot.kb.search import KnowledgeBase
from bot.keyboards.browse import PAGE, regions_keyboard, subscriptions_keyboard
from bot.keyboards.callbacks import MenuCB, ReminderCB, Section, SubCB, SubViewCB
from bot.services import Services
from bot.storage.subscriptions import TOPICS, SubscriptionRepo
from bot.storage.users import UserRecord, UserRepo


def topic_label(key: str) -> str:
    return {
        "events": _("New events"),
        "heritage": _("Heritage and history"),
        "consular": _("Consular receptions"),
    }[key]


async def topics_screen(
    subscriptions: SubscriptionRepo, user_id: int, reminders: bool = True
) -> tuple[str, InlineKeyboardMarkup]:
    mine = await subscriptions.of_user(user_id)
    topics = [(key, topic_label(key), ("topic", key) in mine) for key in TOPICS]
    regions = sum(1 for kind, _key in mine if kind == "region")
    text = (
        "🔔 <b>"
        + _("Subscriptions")
        + "</b>\n\n"
        + _(
            "Choose what you want to hear about. Subscribers of a region are told when a "
            "consular reception is announced there."
        )
        + " "
        + _("They are also reminded the day before it, unless they turn reminders off.")
    )
    return text, subscriptions_keyboard(topics, regions, reminders)


async def regions_screen(
    kb: KnowledgeBase, subscriptions: SubscriptionRepo, user_id: int, lang: str, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    mine = await subscriptions.of_user(user_id)
    regions = subscribable_regions(kb.catalog, lang)
    items = [(p.id, texts_in(p.name, lang), ("region", p.id) in mine) for p in regions]
    pages = max(1, -(-len(items) // PAGE))
    page = min(max(0, page), pages - 1)
    text = "🗺 <b>" + _("Regions") + "</b>\n\n" + _("Tap a region to subscribe or unsubscribe.")
    return text, regions_keyboard(items, page)


async def cmd_subscriptions(
    message: Message, subscriptions: SubscriptionRepo, user: UserRecord
) -> None:
    text, markup = await topics_screen(subscriptions, user.id, user.reminders)
    await message.answer(text, reply_markup=markup)


async def on_menu(query: CallbackQuery, subscriptions: SubscriptionRepo, user: UserRecord) -> None:
    await query.answer()
    text, markup = await topics_screen(subscriptions, user.id, user.reminders)
    await show(query, text, markup)


async def on_view(
    query: CallbackQuery,
    callback_data: SubViewCB,
    subscriptions: SubscriptionRepo,
    kb: KnowledgeBase,
    user: UserRecord,
    i18n: I18n,
) -> None:
    await query.answer()
    if callback_data.view == "regions":
        text, markup = await regions_screen(
            kb, subscriptions, user.id, i18n.current_locale, callback_data.page
        )
    else:
        text, markup = await topics_screen(subscriptions, user.id, user.reminders)
    await show(query, text, markup)


async def on_toggle(
    query: CallbackQuery,
    callback_data: SubCB,
    subscriptions: SubscriptionRepo,
    services: Services,
    kb: KnowledgeBase,
    user: UserRecord,
    i18n: I18n,
) -> None:
    lang = i18n.current_locale
    if callback_data.kind == "t" and callback_data.key in TOPICS:
        kind, name = "topic", topic_label(callback_data.key)
    elif callback_data.kind == "r" and callback_data.key in (
        ids := [p.id for p in subscribable_regions(kb.catalog, lang)]
    ):
        kind, name = "region", kb.gazetteer.name(callback_data.key, lang)
    else:
        await answer_stale(query)
        return
    on = await services.users.toggle_subscription(user.id, kind, callback_data.key)
    notice = _("Subscribed: {name}") if on else _("Unsubscribed: {name}")
    await query.answer(notice.format(name=name))
    if kind == "region":
        # The page that holds the region, wherever the button was (a reception card
        # offers it too): the user sees the ✅ they just set.
        page = ids.index(callback_data.key) // PAGE
        text, markup = await regions_screen(kb, subscriptions, user.id, lang, page)
    else:
        text, markup = await topics_screen(subscriptions, user.id, user.reminders)
    await show(query, text, markup)


async def on_reminders(
    query: CallbackQuery,
    callback_data: ReminderCB,
    subscriptions: SubscriptionRepo,
    users: UserRepo,
    user: UserRecord,
) -> None:
    """Set the reminders as the button says (a second tap of an old button sets the same
    state again rather than flipping it back)."""
    await users.set_reminders(user.id, callback_data.on)
    notice = _("Reminders are on.") if callback_data.on else _("Reminders are off.")
    await query.answer(notice)
    text, markup = await topics_screen(subscriptions, user.id, callback_data.on)
    await show(query, text, markup)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_subscriptions, command("subscriptions"))
    router.callback_query.register(on_menu, MenuCB.filter(F.section == Section.subscriptions))
    router.callback_query.register(on_view, SubViewCB.filter())
    router.callback_query.register(on_toggle, SubCB.filter())
    router.callback_query.register(on_reminders, ReminderCB.filter())
    return router
