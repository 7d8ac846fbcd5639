"""Form edits written back into the YAML the raw editor shows, touching only what changed.

Replacing one response rewrites that response's lines in domain.yml and nothing else, so
the comments and layout around it survive; the offers form rewrites the offer list under
the file's explanatory header.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
VARIATION_KEYS = ("condition", "channel", "text", "buttons", "image", "custom", "attachment",
                  "elements", "id", "metadata", "quick_replies")
_YAML_WORDS = ("yes", "no", "true", "false", "null", "on", "off", "y", "n")
_TARGETING = {"products", "categories", "value_tiers", "channels", "segments"}


class EditError(ValueError):
    """The submitted form does not describe a valid edit; the text says why."""


class _Dumper(yaml.SafeDumper):
    """Words stay plain, sentences double-quoted, buttons and lists of words on one line."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # "key:\n  - item", as the shipped files are written
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if _PLAIN.match(value) and value.lower() not in _YAML_WORDS:
        style = None
    elif '"' in value or any(ord(ch) > 0xFFFF for ch in value):
        style = "'"  # PyYAML would escape these inside double quotes
    else:
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_dict(dumper: yaml.SafeDumper, value: dict) -> yaml.MappingNode:
    button = set(value) <= {"title", "payload"} and all(isinstance(v, str) for v in value.values())
    targeting = set(value) <= _TARGETING and all(
        isinstance(v, list) and all(isinstance(i, str) and _PLAIN.match(i) for i in v)
        for v in value.values()
    )
    flow = bool(value) and (button or targeting)
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)


def _represent_list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    flow = bool(value) and all(isinstance(v, str) and _PLAIN.match(v) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def dump(data: Any, indent: int = 0) -> str:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000,
                     default_flow_style=False)
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def _content_end(node: Node) -> int:
    """Where a node's own text ends (block collections end where the next key starts)."""
    if isinstance(node, ScalarNode) or getattr(node, "flow_style", False):
        return node.end_mark.index
    children: list[Node] = []
    if isinstance(node, MappingNode):
        for key, value in node.value:
            children += [key, value]
    elif isinstance(node, SequenceNode):
        children = list(node.value)
    return max((_content_end(c) for c in children), default=node.start_mark.index)


def _line_end(text: str, index: int) -> int:
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def clean_variations(variations: object) -> list[dict[str, Any]]:
    if not isinstance(variations, list) or not variations:
        raise EditError("A response needs at least one variation.")
    cleaned = []
    for index, raw in enumerate(variations, 1):
        if not isinstance(raw, dict):
            raise EditError(f"Variation {index} must be an object.")
        variation = {k: raw[k] for k in VARIATION_KEYS if raw.get(k) not in (None, "", [], {})}
        if not isinstance(variation.get("text", ""), str):
            raise EditError(f"The text of variation {index} must be text.")
        for condition in variation.get("condition") or ():
            if not isinstance(condition, dict) or not condition.get("name"):
                raise EditError(f"Each condition of variation {index} needs a slot and a value.")
            condition.setdefault("type", "slot")
        for button in variation.get("buttons") or ():
            if not isinstance(button, dict) or not str(button.get("title", "")).strip():
                raise EditError(f"Each button of variation {index} needs a title.")
        cleaned.append(variation)
    return cleaned


def replace_response(domain_text: str, name: str, variations: list[dict[str, Any]]) -> str:
    """domain.yml with response `name` set to `variations` (added at the end if it is new)."""
    if not re.fullmatch(r"utter_[a-z0-9_]+", name):
        raise EditError("A response name looks like utter_something (lower case, digits and _).")
    try:
        root = yaml.compose(domain_text)
    except yaml.YAMLError:
        raise EditError("domain.yml has a syntax error; fix it in the YAML editor first.") from None
    sections = root.value if isinstance(root, MappingNode) else []
    responses = next((v for k, v in sections if k.value == "responses"), None)
    if not isinstance(responses, MappingNode) or responses.flow_style:
        raise EditError("domain.yml has no block 'responses:' section to edit.")
    for key, value in responses.value:
        if key.value == name:
            start = key.start_mark.index - key.start_mark.column
            end = _line_end(domain_text, _content_end(value))
            block = dump({name: variations}, key.start_mark.column)
            return domain_text[:start] + block + domain_text[end:]
    if not responses.value:
        raise EditError("domain.yml has no responses yet; add the first one in the YAML editor.")
    indent = responses.value[0][0].start_mark.column
    end = _line_end(domain_text, _content_end(responses))
    prefix = domain_text[:end] if domain_text[:end].endswith("\n") else domain_text[:end] + "\n"
    return prefix + dump({name: variations}, indent) + domain_text[end:]


OFFER_KEYS = ("id", "title", "text", "matches", "eligibility", "consent", "reoffer_after_days",
              "valid_from", "valid_to")


def clean_offers(offers: object) -> list[dict[str, Any]]:
    if not isinstance(offers, list):
        raise EditError("'offers' must be a list.")
    cleaned = []
    for index, raw in enumerate(offers, 1):
        if not isinstance(raw, dict):
            raise EditError(f"Offer {index} must be an object.")
        offer: dict[str, Any] = {}
        for key in OFFER_KEYS:
            value = raw.get(key)
            if key in ("valid_from", "valid_to") and isinstance(value, str) and value:
                try:
                    value = dt.date.fromisoformat(value)
                except ValueError:
                    wrong = f"Offer {index}: '{value}' is not a date like 2027-12-31."
                    raise EditError(wrong) from None
            if key in ("matches", "eligibility") and isinstance(value, dict):
                value = {k: v for k, v in value.items() if v}
            if value not in (None, "") or key == "eligibility":
                offer[key] = value if value is not None else {}
        cleaned.append(offer)
    return cleaned


def replace_offers(offers_text: str, offers: list[dict[str, Any]]) -> str:
    """The offers file with a new list, keeping the header comment that explains the fields."""
    match = re.search(r"^offers:", offers_text, flags=re.M)
    header = offers_text[: match.start()] if match else ""
    return header + dump({"offers": offers})
