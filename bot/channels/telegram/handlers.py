"""Telegram update handlers: what the bot does with each kind of update.

The behaviour at the edges is summed up in bot.channels.telegram's docstring.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import Bot, ChatMember, Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.channels.telegram.chats import (
    CHANNEL,
    TelegramChats,
    conversation_id_for,
    message_key,
)
from bot.channels.telegram.replies import send_reply
from bot.conversations import InvalidMessage, MessageNotStored, Turn, clean_text
from bot.engine.client import Reply
from bot.linking import LinkRefused
from memory import errors

logger = logging.getLogger(__name__)

GREETING = "/greet"
ONLY_TEXT = "Sorry, I can only read text for now. Please type your message."
NO_EDITS = (
    "I can't see edits to messages I've already answered. "
    "Please send the correction as a new message."
)
PRIVATE_ONLY = "I only chat one to one. Please message me privately: https://t.me/{username}"
EXPIRED_BUTTON = "That button has expired. Please type your answer instead."
SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on our side and your message may not have been saved. "
    "Please try again in a moment."
)
# Telegram's own rule for deep-link parameters.
_DEEP_LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Order matters: Telegram also sets `document` on an animation.
_ATTACHMENT_KINDS = (
    "animation", "sticker", "photo", "video", "video_note", "voice", "audio", "document",
    "contact", "location", "venue", "poll", "dice", "game", "story", "paid_media",
)


def _chats(context: ContextTypes.DEFAULT_TYPE) -> TelegramChats:
    return context.bot_data["chats"]


async def deliver(bot: Bot, chats: TelegramChats, chat_id: int, conversation_id: str | None,
                  replies: list[Reply]) -> bool:
    """Send replies to a chat; False (and a note for staff) when the customer blocked the bot."""
    try:
        for reply in replies:
            await send_reply(bot, chat_id, reply, chats.buttons)
    except Forbidden as refusal:
        reason = refusal.message.removeprefix("Forbidden: ")
        if conversation_id is not None:
            await chats.note_undeliverable(conversation_id, reason)
        else:
            logger.warning("telegram refused delivery to a chat: %s", reason)
        return False
    return True


async def _resolve(update: Update, chats: TelegramChats) -> tuple[str, str] | None:
    """The (customer, conversation) for an update from a private chat; None for a redelivery."""
    chat_id = update.effective_chat.id
    customer_id = await chats.customer(chat_id)
    conversation_id = await chats.conversation(chat_id, customer_id, update.update_id)
    if await chats.already_handled(conversation_id, update.update_id):
        logger.info("telegram update %s was handled before a restart; skipped", update.update_id)
        return None
    return customer_id, conversation_id


async def _hand_over(update: Update, context: ContextTypes.DEFAULT_TYPE, customer_id: str,
                     conversation_id: str, text: str, *, command: bool = False) -> None:
    """Give one customer turn to the bot and send its replies back to the chat."""
    chats = _chats(context)
    turn = Turn(customer_id, CHANNEL, conversation_id, text, message_key(update.update_id),
                channel_command=command)
    try:
        replies = await chats.conversations.handle(turn)
    except MessageNotStored as failure:
        replies = [Reply(str(failure))]
    await deliver(context.bot, chats, update.effective_chat.id, conversation_id, replies)


async def _checked_text(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str | None
) -> str | None:
    """The cleaned text, or None after telling the customer why it cannot be taken."""
    try:
        return clean_text(text, max_chars=_chats(context).max_chars)
    except InvalidMessage as problem:
        await deliver(context.bot, _chats(context), chat_id, None,
                      [Reply(f"Sorry, I can't take that message. {problem}")])
        return None


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Let each update_id through once, and each private chat no faster than its rate limit."""
    chats = _chats(context)
    if not chats.first_sight(update.update_id):
        logger.info("telegram update %s is a duplicate; skipped", update.update_id)
        raise ApplicationHandlerStop
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE or update.my_chat_member is not None:
        return
    refusal = await chats.too_fast(chat.id)
    if refusal is None:
        return
    logger.info("telegram update %s refused: the chat is over its rate limit", update.update_id)
    if refusal:  # said once per wait; nothing of the refused message is stored
        await deliver(context.bot, chats, chat.id, None, [Reply(refusal)])
    raise ApplicationHandlerStop


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Begin a new conversation and greet, linking the chat first when /start carries a token."""
    chats = _chats(context)
    chat_id = update.effective_chat.id
    conversation_id = conversation_id_for(chat_id, update.update_id)
    if await chats.already_handled(conversation_id, update.update_id):
        return
    if context.args:
        try:
            if len(context.args) != 1 or not _DEEP_LINK_TOKEN.fullmatch(context.args[0]):
                raise LinkRefused("Sorry, that link isn't valid. Let's carry on here.")
            await chats.link_start(str(chat_id), context.args[0])
        except LinkRefused as refusal:
            await deliver(context.bot, chats, chat_id, None, [Reply(str(refusal))])
    customer_id = await chats.customer(chat_id)
    await _hand_over(update, context, customer_id, conversation_id, GREETING, command=True)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Hand a customer's text message to the bot."""
    text = await _checked_text(context, update.effective_chat.id, update.effective_message.text)
    if text is not None and (resolved := await _resolve(update, _chats(context))):
        await _hand_over(update, context, *resolved, text)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a quick-reply press and hand its payload to the bot."""
    query = update.callback_query
    try:
        await query.answer()
    except TelegramError as problem:  # e.g. "query is too old": the press still counts
        logger.info("could not answer a callback query: %s", type(problem).__name__)
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE or not query.data:
        return
    chats = _chats(context)
    resolved = await _resolve(update, chats)
    if resolved is None:
        return
    customer_id, conversation_id = resolved
    payload = await chats.button_payload(conversation_id, query.data)
    if payload is None:
        await deliver(context.bot, chats, chat.id, conversation_id, [Reply(EXPIRED_BUTTON)])
        return
    await _hand_over(update, context, customer_id, conversation_id, payload)


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Keep an edited message in the transcript and ask for the correction as a new message."""
    chats = _chats(context)
    resolved = await _resolve(update, chats)
    if resolved is None:
        return
    customer_id, conversation_id = resolved
    message = update.edited_message
    await chats.note(customer_id, conversation_id, sender="customer", text=message.text,
                     update_id=update.update_id,
                     payload={"telegram": {"edited_message_id": message.message_id}})
    await _answer_directly(context, customer_id, conversation_id, message.chat_id, NO_EDITS)


async def on_attachment(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Keep a photo, sticker or other attachment in the transcript and say only text is read."""
    chats = _chats(context)
    resolved = await _resolve(update, chats)
    if resolved is None:
        return
    customer_id, conversation_id = resolved
    message = update.effective_message
    await chats.note(customer_id, conversation_id, sender="customer", text=message.caption or "",
                     update_id=update.update_id, payload={"telegram": _attachment(message)})
    await _answer_directly(context, customer_id, conversation_id, message.chat_id, ONLY_TEXT)


async def _answer_directly(context: ContextTypes.DEFAULT_TYPE, customer_id: str,
                           conversation_id: str, chat_id: int, text: str) -> None:
    """Reply without the engine, keeping the reply in the transcript as the engine's are."""
    chats = _chats(context)
    await chats.note(customer_id, conversation_id, sender="bot", text=text,
                     payload={"telegram": {"answered_by": "channel"}})
    await deliver(context.bot, chats, chat_id, conversation_id, [Reply(text)])


def _attachment(message: Any) -> dict[str, str]:
    kind = next((name for name in _ATTACHMENT_KINDS if getattr(message, name, None)), "other")
    described = {"attachment": kind}
    item = getattr(message, kind, None)
    if isinstance(item, (tuple, list)):  # photos come in several sizes, largest last
        item = item[-1] if item else None
    if getattr(item, "file_id", None):
        described["file_id"] = item.file_id
    return described


async def on_group_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point someone who addresses the bot in a group to a private chat."""
    await update.effective_message.reply_text(PRIVATE_ONLY.format(username=context.bot.username))


async def on_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Note for staff when a customer blocks the bot, so nobody waits on undelivered replies."""
    change = update.my_chat_member
    if change.chat.type != ChatType.PRIVATE or change.new_chat_member.status != ChatMember.BANNED:
        return
    chats = _chats(context)
    customer_id = await chats.store.find_customer(CHANNEL, str(change.chat.id))
    if customer_id is not None:
        conversation_id = await chats.conversation(change.chat.id, customer_id, update.update_id)
        await chats.note_undeliverable(conversation_id, "the customer blocked the bot")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failed update without personal data, and tell the customer it went wrong."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, (TelegramError, errors.ProfileStoreError)):
        logger.error("telegram update %s failed: %s: %s", update_id, type(error).__name__, error)
    else:
        logger.error("telegram update %s failed", update_id, exc_info=error)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is not None and chat.type == ChatType.PRIVATE:
        try:
            await context.bot.send_message(chat.id, SOMETHING_WENT_WRONG)
        except TelegramError as problem:
            logger.warning("could not apologise in a telegram chat: %s", type(problem).__name__)
