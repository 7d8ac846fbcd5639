"""The configured handoff triggers (bot/handoff/rules.yml), checked after every bot turn."""

from __future__ import annotations

import logging
import time

from memory import ProfileStore, errors

from bot.handoff.rules import HandoffRules, Trigger
from memory.api.handoffs import HandoffStore

logger = logging.getLogger(__name__)

TIER_CACHE_SECONDS = 300.0
TIER_CACHE_SIZE = 50_000


class Triggers:
    """Which trigger a turn meets, reading the customer's value and complaints only when needed."""

    def __init__(self, rules: HandoffRules, profiles: ProfileStore, store: HandoffStore) -> None:
        self.rules, self.profiles, self.store = rules, profiles, store
        # A customer's value tier moves with purchases, not with every message: reading it
        # was a quarter of the gateway's time per turn, so each one is kept for a while.
        self._tiers: dict[str, tuple[float, str]] = {}

    async def value_tier(self, customer_id: str) -> str:
        now = time.monotonic()
        cached = self._tiers.get(customer_id)
        if cached is not None and now - cached[0] < TIER_CACHE_SECONDS:
            return cached[1]
        tier = (await self.profiles.value(customer_id)).tier
        if len(self._tiers) >= TIER_CACHE_SIZE:
            self._tiers.clear()
        self._tiers[customer_id] = (now, tier)
        return tier

    async def first_met(self, turn) -> Trigger | None:
        """The first configured trigger this turn meets that has not fired in this conversation.

        Checked after every bot turn outside a handoff. The customer's value and complaints
        are read only for triggers whose message conditions already hold, value first:
        for most customers a top-value trigger costs one read and stops there.
        """
        candidates = [t for t in self.rules.triggers if t.matches_message(turn.text, turn.channel)]
        tier: str | None = None
        severities: tuple[str, ...] | None = None
        for trigger in candidates:
            try:
                if trigger.value_tiers is not None:
                    if tier is None:
                        tier = await self.value_tier(turn.customer_id)
                    if tier not in trigger.value_tiers:
                        continue
                if trigger.needs_complaints and severities is None:
                    complaints = await self.profiles.complaints(turn.customer_id)
                    severities = tuple(c.severity for c in complaints if c.is_open)
            except errors.ProfileStoreError as error:
                logger.warning("could not check handoff triggers: %s", type(error).__name__)
                return None
            if trigger.matches_customer(tier, severities or ()):
                if not await self.store.had_reason(turn.conversation_id, trigger.reason):
                    return trigger
        return None
