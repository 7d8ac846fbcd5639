"""Typed keys for what the gateway application holds: settings and long-lived resources."""

from __future__ import annotations

from aiohttp import web

from memory import ProfileStore

from bot.conversations import Conversations
from bot.delivery import Delivery
from bot.engine.client import EngineClient
from bot.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", ProfileStore)
ENGINE = web.AppKey("engine", EngineClient)
CONVERSATIONS = web.AppKey("conversations", Conversations)
DELIVERY = web.AppKey("delivery", Delivery)
