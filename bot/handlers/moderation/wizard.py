"""What the moderators' wizards (aiogram Scenes) share.

* :class:`WizardScene`: `/cancel` leaves the wizard storing nothing, and anything sent
  that the step does not take gets one polite line instead of silence. A wizard button
  that no step takes any more falls through the scenes to :func:`step_over`.
* :class:`TextsStep`: the one per-language text step. It asks only for the languages
  its wizard's draft lists (for an announcement, those its audience reads), one at a
  time, each skippable unless it is the last chance for a required text.
* Drafts are pydantic models kept in the FSM data under the wizard's key, so they
  survive a restart and another instance (Redis storage) as plain JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from aiogram import Bot, F, Router
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.fsm.scene import Scene, on
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer, CallbackAnswerMiddleware
from aiogram.utils.formatting import Text
from aiogram.utils.i18n import gettext as _

from bot.commands import command
from bot.config import LOCALES
from bot.handlers.render import show, stale_text
from bot.staff.drafts import Draft

Event = Message | CallbackQuery


async def send(event: Event, content: Text, markup: InlineKeyboardMarkup | None = None) -> None:
    """A new message in the wizard's chat (escaping done by the formatting nodes)."""
    if isinstance(event, Message):
        await event.answer(**content.as_kwargs(), reply_markup=markup)
        return
    bot = event.bot
    assert bot is not None
    await bot.send_message(event.from_user.id, **content.as_kwargs(), reply_markup=markup)


async def replace(event: Event, content: Text, markup: InlineKeyboardMarkup | None = None) -> None:
    """The screen a button leads to: in place of the button's message when it can be."""
    if isinstance(event, CallbackQuery):
        await show(event, content.as_html(), markup)
        return
    await send(event, content, markup)


def alert(answer: CallbackAnswer, text: str) -> None:
    """Answer the pressed button with a pop-up (`CallbackAnswerMiddleware` sends it)."""
    answer.text = text
    answer.show_alert = True


def stale(answer: CallbackAnswer) -> None:
    """A button no menu offers any more (stale or forged): the bot's one reply to it."""
    alert(answer, stale_text())


def step_over() -> str:
    return _("This step is over. Continue with the latest message, or start again.")


def not_a_command_or_file(message: Message) -> bool:
    """Input a step may answer: commands go to their handlers and files to the upload."""
    return message.document is None and not (message.text or "").startswith("/")


class WizardScene(Scene):
    """The base of every wizard step."""

    async def draft(self) -> Draft:
        """The wizard's draft; each wizard's steps return their own type."""
        raise NotImplementedError

    async def save(self, draft: Draft) -> None:
        """Keep the wizard's draft (each wizard reads its own type back in `draft()`)."""
        await self.wizard.update_data(draft.to_data())

    async def cancelled(self, event: Event) -> None:
        """Says that nothing was stored; each wizard words it for what it makes."""
        raise NotImplementedError

    @on.message(command("cancel"))
    async def cancel_command(self, message: Message) -> None:
        await self.wizard.exit()
        await self.cancelled(message)

    @on.message(not_a_command_or_file)
    async def unexpected(self, message: Message) -> None:
        """A sticker, a photo, or text where a button is expected."""
        await message.answer(_("Please use the buttons above, or send /cancel to stop."))


class TextsStep(WizardScene):
    """One language at a time; subclasses say where the texts live in their draft, how
    long they may be, and what comes next."""

    limit: ClassVar[int] = 4096

    # -- where the texts live in the wizard's draft --------------------------------------
    texts_field: ClassVar[str]  # the texts given so far, by language
    asked_field: ClassVar[str] = "asked"  # how many languages were asked
    languages_field: ClassVar[str | None] = None  # the languages to ask (None: all, ru kk en)

    async def languages(self) -> tuple[list[str], int, dict[str, str]]:
        """The languages to ask, how many are done, and the texts given so far."""
        draft = await self.draft()
        wanted = getattr(draft, self.languages_field) if self.languages_field else list(LOCALES)
        return wanted, getattr(draft, self.asked_field), getattr(draft, self.texts_field)

    async def store(self, asked: int, texts: dict[str, str]) -> None:
        draft = await self.draft()
        await self.save(draft.model_copy(update={self.asked_field: asked, self.texts_field: texts}))

    # -- what a wizard provides ------------------------------------------------------

    def prompt(self, lang: str, *, last_chance: bool) -> Text:
        raise NotImplementedError

    def skip_markup(self, lang: str, *, can_skip: bool) -> InlineKeyboardMarkup:
        raise NotImplementedError

    async def finished(self, event: Event, bot: Bot) -> None:
        """Every language was asked for."""
        raise NotImplementedError

    required: ClassVar[bool] = True  # at least one text

    # -- the step ----------------------------------------------------------------------
    @on.message.enter()
    @on.callback_query.enter()
    async def ask(self, event: Event, bot: Bot) -> None:
        languages, asked, texts = await self.languages()
        if asked >= len(languages):
            await self.finished(event, bot)
            return
        last_chance = self.required and not texts and asked == len(languages) - 1
        await send(
            event,
            self.prompt(languages[asked], last_chance=last_chance),
            self.skip_markup(languages[asked], can_skip=not last_chance),
        )

    @on.message(F.text, not_a_command_or_file)
    async def take(self, message: Message, bot: Bot) -> None:
        text = (message.text or "").strip()
        if len(text) > self.limit:
            await message.answer(
                _(
                    "This text is too long ({count} character); the limit is {limit}.",
                    "This text is too long ({count} characters); the limit is {limit}.",
                    len(text),
                ).format(count=len(text), limit=self.limit)
            )
            return
        languages, asked, texts = await self.languages()
        if asked >= len(languages):
            return
        texts = {**texts, languages[asked]: text}
        await self.store(asked + 1, texts)
        await self.ask(message, bot)

    async def skip(self, query: CallbackQuery, bot: Bot, answer: CallbackAnswer) -> None:
        """The Skip button: subclasses route their own button here."""
        languages, asked, texts = await self.languages()
        if asked >= len(languages):
            alert(answer, step_over())
            return
        if self.required and not texts and asked == len(languages) - 1:
            alert(answer, _("At least one language is needed."))
            return
        await self.store(asked + 1, texts)
        await self.ask(query, bot)


def wizard_router(
    name: str,
    scenes: Iterable[type[Scene]],
    buttons: CallbackQueryFilter | None = None,
    gone: Callable[[], str] = step_over,
) -> Router:
    """A wizard's router: its buttons answered by `CallbackAnswerMiddleware`, its steps,
    and after them one alert (`gone`) for any of its `buttons` no step took any more (from
    an earlier step, an ended wizard, or forged). Its commands go on the router itself:
    a router's own handlers run before the steps'."""
    router = Router(name=name)
    router.callback_query.middleware(CallbackAnswerMiddleware())
    for scene in scenes:
        router.include_router(scene.as_router())
    if buttons is not None:
        over = Router(name=f"{name}.over")

        async def over_step(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
            alert(callback_answer, gone())

        over.callback_query.register(over_step, buttons)
        router.include_router(over)
    return router
