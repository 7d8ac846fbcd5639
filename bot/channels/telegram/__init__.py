"""Telegram channel: python-telegram-bot handlers, fed by a verified webhook or by polling.

Behaviour at the edges (each one is tested in tests/bot/channels/telegram/):
- Text and quick-reply presses go to the bot; quick replies are inline keyboards.
- /start begins a new conversation and greets; `/start <token>` first asks the injectable
  `TelegramChats.link_start` hook to link this chat to a customer from another channel.
- An edited message is kept in the transcript, not re-answered: the customer is asked to
  send the correction as a new message, since the bot has already acted on the original.
- Photos, stickers and other attachments are kept in the transcript (caption and file id)
  and answered with "I can only read text"; the engine never sees them.
- Group chats are not read. A command addressed to the bot in a group is answered with a
  pointer to a private chat; nothing from a group is stored or sent to the engine.
- When Telegram refuses delivery (the customer blocked the bot) the conversation gets a
  system note for staff and nothing crashes; a "kicked" membership update does the same.
- Every update is handled once, even when Telegram redelivers it after a restart.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.channels.telegram.chats import CHANNEL, TelegramChats, chat_of, refuse_links
from bot.channels.telegram.handlers import (
    deliver,
    on_attachment,
    on_button,
    on_edited,
    on_error,
    on_group_command,
    on_membership,
    on_start,
    on_text,
    on_update,
)
from bot.delivery import Undeliverable
from bot.engine.client import Reply
from bot.errors import json_error, read_json_object
from bot.linking import LINKER
from bot.ratelimit import LIMITS
from bot.settings import Settings
from bot.state import CONVERSATIONS, DELIVERY, SETTINGS, STORE

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = [
    Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER
]


def build_application(settings: Settings, chats: TelegramChats) -> Application:
    """The python-telegram-bot application for this gateway, with every handler registered."""
    # httpx logs each request URL at INFO, and Bot API URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    builder = (
        Application.builder()
        .token(settings.telegram_token)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
    )
    if settings.telegram_mode == "webhook":
        builder = builder.updater(None)  # updates arrive through the gateway's own route
    application = builder.build()
    application.bot_data["chats"] = chats

    private = filters.ChatType.PRIVATE
    new_message = private & filters.UpdateType.MESSAGE
    application.add_handler(TypeHandler(Update, on_update), group=-1)
    application.add_handlers([
        CommandHandler("start", on_start, filters=new_message),
        MessageHandler(new_message & filters.TEXT, on_text),
        MessageHandler(new_message & filters.ATTACHMENT, on_attachment),
        MessageHandler(private & filters.UpdateType.EDITED_MESSAGE & filters.TEXT, on_edited),
        CallbackQueryHandler(on_button),
        MessageHandler(filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & filters.COMMAND,
                       on_group_command),
        ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER),
    ])
    application.add_error_handler(on_error)
    return application


class TelegramChannel:
    """The running Telegram application.

    It starts lazily, so Telegram being unreachable never stops the gateway from starting.
    """

    def __init__(self, settings: Settings, chats: TelegramChats) -> None:
        self.mode = settings.telegram_mode
        self.chats = chats
        self.application = build_application(settings, chats)
        self._secret = settings.telegram_secret.encode()
        self._start_lock = asyncio.Lock()
        self._started = False

    def verify(self, secret_token: str) -> bool:
        """True when a webhook request carries this bot's secret token (never with no secret:
        an empty one would let anyone post updates)."""
        if not self._secret:
            return False
        return hmac.compare_digest(secret_token.encode("utf-8", "surrogateescape"), self._secret)

    async def ready(self) -> bool:
        """Initialise (getMe) once; False while Telegram cannot be reached."""
        application = self.application
        async with self._start_lock:
            if self._started:
                return True
            try:
                await application.initialize()
                if self.mode == "polling":
                    if not application.running:
                        await application.start()
                    if not application.updater.running:
                        await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            except InvalidToken:
                logger.error("Telegram refused the bot token (RAPPORT_TELEGRAM_TOKEN)")
                return False
            except TelegramError as problem:
                logger.warning("Telegram is unreachable: %s", type(problem).__name__)
                return False
            self._started = True
            logger.info("Telegram channel started (%s)", self.mode)
            return True

    async def stop(self) -> None:
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()

    async def push(self, conversation_id: str, reply: Reply) -> None:
        """Delivery's sender: put a reply (an agent's, a follow-up) into a Telegram chat."""
        try:
            chat_id = chat_of(conversation_id)
        except ValueError as problem:
            raise Undeliverable(str(problem)) from None
        if not await self.ready():
            raise Undeliverable("Telegram cannot be reached")
        try:
            delivered = await deliver(
                self.application.bot, self.chats, chat_id, conversation_id, [reply]
            )
        except TelegramError as problem:
            reason = type(problem).__name__
            raise Undeliverable(f"Telegram did not take the reply: {reason}") from None
        if not delivered:
            raise Undeliverable("the customer has blocked the bot on Telegram")


TELEGRAM = web.AppKey("telegram", TelegramChannel)


async def telegram_ctx(app: web.Application) -> AsyncIterator[None]:
    """Run the Telegram channel for the gateway's lifetime; without a bot token it is off."""
    settings = app[SETTINGS]
    if not settings.telegram_token:
        yield
        return
    linker = app.get(LINKER)
    chats = TelegramChats(
        app[STORE], app[CONVERSATIONS], max_chars=settings.max_message_chars,
        link_start=linker.telegram_start if linker is not None else refuse_links,
        throttle=lambda chat_id: app[LIMITS].check_customer(CHANNEL, chat_id),
    )
    channel = TelegramChannel(settings, chats)
    app[TELEGRAM] = channel
    app[DELIVERY].register(CHANNEL, channel.push)
    await channel.ready()
    try:
        yield
    finally:
        await channel.stop()


def _check_ids(update: Update) -> None:
    """TypeError unless the ids the channel keys on are integers: de_json takes any JSON
    (found by fuzzing: a list as the sender's id crashed python-telegram-bot with a 500)."""
    ids = [
        (update.effective_user, "id"), (update.effective_chat, "id"),
        (update.effective_message, "message_id"),
    ]
    for holder, name in ids:
        if holder is not None and (type(getattr(holder, name, None)) is not int):
            raise TypeError(f"{type(holder).__name__}.{name} is not an integer")


async def receive_update(request: web.Request) -> web.Response:
    """Telegram's webhook: only requests carrying the secret token are processed."""
    channel = request.app.get(TELEGRAM)
    if channel is None:
        raise json_error(404, "The Telegram channel is off: no bot token is configured.")
    if channel.mode != "webhook":
        raise json_error(404, "The Telegram channel is polling for updates and takes no webhooks.")
    if not channel.verify(request.headers.get(SECRET_HEADER, "")):
        raise json_error(403, "The Telegram secret token is missing or wrong.")
    body = await read_json_object(request)
    if not isinstance(body.get("update_id"), int):
        raise json_error(400, "This is not a Telegram update: it has no update_id.")
    try:
        update = Update.de_json(body, channel.application.bot)
        _check_ids(update)
    except (AttributeError, KeyError, TypeError, ValueError, OverflowError, OSError):
        # OSError/OverflowError: a date no clock can hold (python-telegram-bot converts it).
        raise json_error(400, "This is not a valid Telegram update.") from None
    if not await channel.ready():
        # Telegram retries a failed webhook, so the update is not lost.
        raise json_error(503, "Telegram cannot be reached from here right now.")
    await channel.application.process_update(update)
    return web.Response()


def setup(app: web.Application) -> None:
    app.router.add_post(WEBHOOK_PATH, receive_update)


async def set_webhook(settings: Settings, url: str) -> None:
    """Point Telegram at this deployment's webhook, with the secret token it must send back."""
    if not url.startswith("https://"):
        raise ValueError("Telegram only calls HTTPS webhooks")
    async with Bot(settings.telegram_token, base_url=f"{settings.telegram_api_url}/bot",
                   base_file_url=f"{settings.telegram_api_url}/file/bot") as bot:
        await bot.set_webhook(
            url, secret_token=settings.telegram_secret, allowed_updates=ALLOWED_UPDATES
        )
