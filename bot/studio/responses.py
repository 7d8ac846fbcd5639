"""Picking and filling a response the way Rasa 3.6 does, for the gateway's NLG endpoint.

Rasa's TemplatedNaturalLanguageGenerator chooses among a response's variations by slot
conditions and output channel (rasa.core.nlg.generator.ResponseVariationFilter) and fills
`{placeholders}` from the slots and the action's keyword arguments
(rasa.core.nlg.interpolator). The engine now asks the gateway instead, so the same rules
are reproduced here exactly: a marketer's edit must behave as if it had been trained in.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable, Sequence
from typing import Any

Variation = dict[str, Any]
Responses = dict[str, list[Variation]]

# The keys Rasa interpolates, and the ones its NLG response schema accepts.
_INTERPOLATED = ("text", "image", "custom", "buttons", "attachment", "quick_replies")
_PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")


def _matches(slots: dict[str, Any], variation: Variation) -> bool:
    for constraint in variation.get("condition") or ():
        wanted, actual = constraint.get("value"), slots.get(constraint.get("name"))
        if isinstance(actual, str) and isinstance(wanted, str):
            if actual.casefold() != wanted.casefold():
                return False
        elif actual != wanted:
            return False
    return True


def eligible(variations: Sequence[Variation], output_channel: str,
             slots: dict[str, Any]) -> list[Variation]:
    """The variations Rasa would choose from: conditional ones that match win over defaults,
    and within each, those for this output channel win over channel-less ones."""
    defaults = [v for v in variations if not v.get("condition")]
    conditional = [v for v in variations if v.get("condition") and _matches(slots, v)]
    for group in (
        [v for v in conditional if v.get("channel") == output_channel],
        [v for v in defaults if v.get("channel") == output_channel],
        [v for v in conditional if v.get("channel") is None],
    ):
        if group:
            return group
    return [v for v in defaults if v.get("channel") is None]


def interpolate_text(text: str, values: dict[str, Any]) -> str:
    """'{name}' becomes the value; '{{' is a literal brace; an unknown name leaves the text."""
    try:
        filled = _PLACEHOLDER.sub(r"{0[\1]}", text).format(values)
    except (KeyError, IndexError, ValueError, AttributeError):
        return text
    if "0[" in filled:  # a doubly braced placeholder: Rasa returns the text with braces unescaped
        try:
            return text.format({})
        except (KeyError, IndexError, ValueError):
            return text
    return filled


def interpolate(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return interpolate_text(value, values)
    if isinstance(value, dict):
        return {key: interpolate(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, values) for item in value]
    return value


def render(
    responses: Responses,
    name: str,
    *,
    slots: dict[str, Any],
    output_channel: str = "",
    arguments: dict[str, Any] | None = None,
    choose: Callable[[list[Variation]], Variation] = random.choice,
) -> dict[str, Any] | None:
    """The message for response `name`, or None when it has no variation for this state."""
    variations = responses.get(name)
    if not variations:
        return None
    candidates = eligible(variations, output_channel, slots)
    if not candidates:
        return None
    chosen = copy.deepcopy(choose(candidates))
    values = {**slots, **(arguments or {})}
    if values:
        for key in _INTERPOLATED:
            if key in chosen:
                chosen[key] = interpolate(chosen[key], values)
    return to_nlg_message(chosen)


def to_nlg_message(variation: Variation) -> dict[str, Any]:
    """Only what Rasa's NLG response schema accepts, with the types it checks."""
    message: dict[str, Any] = {}
    if isinstance(variation.get("text"), str):
        message["text"] = variation["text"]
    if isinstance(variation.get("buttons"), list):
        message["buttons"] = [b for b in variation["buttons"] if isinstance(b, dict)]
    if isinstance(variation.get("image"), str):
        message["image"] = variation["image"]
    if isinstance(variation.get("elements"), list):
        message["elements"] = [e for e in variation["elements"] if isinstance(e, dict)]
    if isinstance(variation.get("attachment"), dict):
        message["attachment"] = variation["attachment"]
    if isinstance(variation.get("custom"), dict):
        message["custom"] = variation["custom"]
    if isinstance(variation.get("id"), str):
        message["id"] = variation["id"]
    return message


def placeholders(text: str) -> list[str]:
    """The `{names}` a text fills in (not the escaped `{{literal}}` ones)."""
    return [m.group(1) for m in re.finditer(r"(?<!{){([^\n{}]+?)}(?!})", text)]
