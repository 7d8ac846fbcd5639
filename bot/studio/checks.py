"""Our own rules for a draft, beyond YAML syntax: what Rasa would accept but customers would
notice, written as a marketer would want to read it.

- A response used in a rule or story must exist (and so must every action, form and intent).
- Responses are well formed: each variation says something; its conditions name real slots
  and allowed values; its `{placeholders}` are slots.
- Every slot a form asks for has a question (utter_ask_<slot> or action_ask_<slot>).
- Offers: a known consent purpose (data/marketing/consents.yml), unique ids, real products,
  known tiers and channels, valid dates and re-offer pause.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.settings import REPO_ROOT
from bot.studio.project import CATALOGUE, CONSENTS, DOMAIN, OFFERS, load_yaml
from bot.studio.responses import placeholders
from bot.studio.validation import ERROR, WARNING, Parsed, Problem

DEFAULT_ACTIONS = frozenset({
    "action_listen", "action_restart", "action_session_start", "action_default_fallback",
    "action_deactivate_loop", "action_revert_fallback_events", "action_default_ask_affirmation",
    "action_default_ask_rephrase", "action_two_stage_fallback", "action_unlikely_intent",
    "action_back", "action_send_text", "action_extract_slots",
})
DEFAULT_INTENTS = frozenset({"nlu_fallback", "restart", "back", "session_start", "out_of_scope"})
VALUE_TIERS = ("new", "standard", "top")
CHANNELS = ("web", "telegram", "api")
SAYS = ("text", "image", "custom", "buttons", "attachment", "elements")


def reference_data() -> tuple[set[str], set[str], set[str]]:
    """Consent purposes and catalogue product ids and categories (read-only inputs)."""
    consents = load_yaml((REPO_ROOT / CONSENTS).read_text(encoding="utf-8")) or {}
    catalogue = load_yaml((REPO_ROOT / CATALOGUE).read_text(encoding="utf-8")) or {}
    products = catalogue.get("products") or []
    return (
        set((consents.get("purposes") or {}).keys()),
        {str(p.get("id")) for p in products if isinstance(p, dict)},
        {str(p.get("category")) for p in products if isinstance(p, dict)} | set(catalogue.get("categories") or ()),
    )


class Domain:
    def __init__(self, parsed: Parsed | None) -> None:
        data = parsed.data if parsed is not None and isinstance(parsed.data, dict) else {}
        self.parsed = parsed
        self.responses = data.get("responses") if isinstance(data.get("responses"), dict) else {}
        self.slots = data.get("slots") if isinstance(data.get("slots"), dict) else {}
        self.forms = data.get("forms") if isinstance(data.get("forms"), dict) else {}
        # An action is a name, or a one-key mapping of its name to options (send_domain: true).
        self.actions = {
            str(next(iter(a))) if isinstance(a, dict) and a else str(a) for a in data.get("actions") or ()
        }
        self.intents = {
            (next(iter(i)) if isinstance(i, dict) and i else str(i)) for i in data.get("intents") or ()
        }

    def knows_action(self, name: str) -> bool:
        return name in self.responses or name in self.actions or name in self.forms or name in DEFAULT_ACTIONS


def _problem(parsed: Parsed, keys: tuple, message: str, *, code: str, subject: str = "",
             severity: str = ERROR) -> Problem:
    return Problem(parsed.path, parsed.line(*keys), message, severity=severity, code=code, subject=subject)


def run(parsed: dict[str, Parsed], broken: set[str]) -> list[Problem]:
    if DOMAIN in broken:
        return []  # everything below leans on the domain; fix its syntax first
    domain = Domain(parsed.get(DOMAIN))
    problems: list[Problem] = []
    if domain.parsed is not None:
        problems += _responses(domain)
        problems += _forms(domain)
    for path, item in parsed.items():
        if path.startswith(("data/rules/", "data/stories/")):
            problems += _dialogues(item, domain)
        elif path.startswith("data/nlu/"):
            problems += _nlu(item, domain)
    if OFFERS in parsed:
        problems += _offers(parsed[OFFERS])
    return problems


def _responses(domain: Domain) -> list[Problem]:
    parsed, problems = domain.parsed, []
    assert parsed is not None
    raw = parsed.data.get("responses") if isinstance(parsed.data, dict) else None
    if raw is not None and not isinstance(raw, dict):
        return [_problem(parsed, ("responses",), "'responses' must list response names, each with its variations.",
                         code="responses")]
    for name, variations in domain.responses.items():
        where = ("responses", name)
        if not isinstance(variations, list) or not variations:
            problems.append(_problem(parsed, where, f"The response {name} needs at least one variation (a '- text: ...' line).",
                                     code="response-empty", subject=name))
            continue
        for index, variation in enumerate(variations):
            at = (*where, index)
            if not isinstance(variation, dict) or not any(variation.get(k) for k in SAYS):
                problems.append(_problem(parsed, at, f"Variation {index + 1} of {name} says nothing: give it a text.",
                                         code="variation-empty", subject=f"{name}#{index}"))
                continue
            problems += _conditions(domain, name, index, variation)
            text = variation.get("text")
            for slot in placeholders(text) if isinstance(text, str) else ():
                if slot not in domain.slots:
                    problems.append(_problem(
                        parsed, (*at, "text"),
                        f"{name} uses {{{slot}}}, which is not a slot, so customers may see '{{{slot}}}' as typed. "
                        f"Known slots include: {', '.join(sorted(domain.slots)[:8])}.",
                        code="placeholder", subject=f"{name}:{slot}", severity=WARNING,
                    ))
    return problems


def _conditions(domain: Domain, name: str, index: int, variation: dict[str, Any]) -> list[Problem]:
    parsed, problems = domain.parsed, []
    assert parsed is not None
    conditions = variation.get("condition")
    if conditions is None:
        return []
    at = ("responses", name, index, "condition")
    if not isinstance(conditions, list):
        return [_problem(parsed, at, f"The condition of {name} (variation {index + 1}) must be a list of slot checks.",
                         code="condition", subject=f"{name}#{index}")]
    for position, condition in enumerate(conditions):
        here = (*at, position)
        if not isinstance(condition, dict) or condition.get("type") != "slot" or "name" not in condition:
            problems.append(_problem(parsed, here, f"Each condition of {name} needs 'type: slot', a slot 'name' and a 'value'.",
                                     code="condition", subject=f"{name}#{index}.{position}"))
            continue
        slot_name, value = condition.get("name"), condition.get("value")
        slot = domain.slots.get(slot_name)
        if not isinstance(slot, dict):
            problems.append(_problem(parsed, (*here, "name"),
                                     f"{name} depends on the slot '{slot_name}', which the domain does not have.",
                                     code="condition-slot", subject=f"{name}:{slot_name}"))
            continue
        allowed = slot.get("values") if slot.get("type") == "categorical" else None
        if allowed and str(value).lower() not in {str(v).lower() for v in allowed}:
            problems.append(_problem(parsed, (*here, "value"),
                                     f"{name} waits for {slot_name} = '{value}', which never happens: "
                                     f"{slot_name} is one of {', '.join(map(str, allowed))}.",
                                     code="condition-value", subject=f"{name}:{slot_name}={value}"))
    return problems


def _forms(domain: Domain) -> list[Problem]:
    parsed, problems = domain.parsed, []
    assert parsed is not None
    for form, spec in domain.forms.items():
        slots = spec.get("required_slots") if isinstance(spec, dict) else None
        if not isinstance(slots, list):
            problems.append(_problem(parsed, ("forms", form), f"The form {form} must list its required_slots.",
                                     code="form", subject=form))
            continue
        for index, slot in enumerate(slots):
            at = ("forms", form, "required_slots", index)
            if slot not in domain.slots:
                problems.append(_problem(parsed, at, f"The form {form} asks for '{slot}', which is not a slot in the domain.",
                                         code="form-slot", subject=f"{form}:{slot}"))
                continue
            questions = (f"utter_ask_{form}_{slot}", f"utter_ask_{slot}")
            actions = (f"action_ask_{form}_{slot}", f"action_ask_{slot}")
            if not any(q in domain.responses for q in questions) and not any(a in domain.actions for a in actions):
                problems.append(_problem(
                    parsed, at,
                    f"The form {form} has no question for '{slot}'. Add a response called utter_ask_{slot} "
                    "with the question the bot should ask.",
                    code="form-question", subject=f"{form}:{slot}",
                ))
    return problems


def _steps(data: Any) -> list[tuple[tuple, dict[str, Any], str]]:
    """Every step of every rule and story: (where, step, the rule or story's name)."""
    found = []
    if not isinstance(data, dict):
        return found
    for section in ("rules", "stories"):
        for index, flow in enumerate(data.get(section) or ()):
            if not isinstance(flow, dict):
                continue
            title = str(flow.get("rule") or flow.get("story") or f"#{index + 1}")
            for part in ("condition", "steps"):
                for position, step in enumerate(flow.get(part) or ()):
                    if isinstance(step, dict):
                        found.append(((section, index, part, position), step, title))
                        for alternative, option in enumerate(step.get("or") or ()):
                            if isinstance(option, dict):
                                found.append(((section, index, part, position, "or", alternative), option, title))
    return found


def _dialogues(parsed: Parsed, domain: Domain) -> list[Problem]:
    problems = []
    for where, step, title in _steps(parsed.data):
        action = step.get("action")
        if isinstance(action, str) and not domain.knows_action(action):
            if action.startswith("utter_"):
                message = (f"'{title}' makes the bot answer with {action}, but there is no response called {action}. "
                           "Create it under Responses, or pick an existing one.")
            else:
                message = f"'{title}' runs {action}, which is not a response, form or action the bot has."
            problems.append(_problem(parsed, (*where, "action"), message, code="unknown-action", subject=action))
        intent = step.get("intent")
        if isinstance(intent, str) and intent not in domain.intents and intent not in DEFAULT_INTENTS:
            problems.append(_problem(parsed, (*where, "intent"),
                                     f"'{title}' waits for the intent '{intent}', which the domain does not list.",
                                     code="unknown-intent", subject=intent))
        loop = step.get("active_loop")
        if isinstance(loop, str) and loop not in domain.forms:
            problems.append(_problem(parsed, (*where, "active_loop"),
                                     f"'{title}' refers to the form '{loop}', which the domain does not have.",
                                     code="unknown-form", subject=loop))
    return problems


def _nlu(parsed: Parsed, domain: Domain) -> list[Problem]:
    problems = []
    data = parsed.data if isinstance(parsed.data, dict) else {}
    for index, item in enumerate(data.get("nlu") or ()):
        if not isinstance(item, dict) or "intent" not in item:
            continue
        intent = str(item["intent"])
        if intent not in domain.intents:
            problems.append(_problem(parsed, ("nlu", index, "intent"),
                                     f"Examples for '{intent}', which the domain does not list under intents.",
                                     code="unknown-intent", subject=intent))
        if not isinstance(item.get("examples"), str) or not item["examples"].strip():
            problems.append(_problem(parsed, ("nlu", index), f"The intent '{intent}' has no examples "
                                     "(write them as a '|' block of '- example' lines).",
                                     code="examples", subject=intent))
    return problems


def _offers(parsed: Parsed) -> list[Problem]:
    data = parsed.data if isinstance(parsed.data, dict) else {}
    offers = data.get("offers")
    if not isinstance(offers, list):
        return [_problem(parsed, ("offers",), "The offers file must have an 'offers:' list.", code="offers")]
    purposes, products, categories = reference_data()
    problems, seen = [], set()
    for index, offer in enumerate(offers):
        at = ("offers", index)
        if not isinstance(offer, dict):
            problems.append(_problem(parsed, at, "Each offer needs an id, a title and a text.", code="offer"))
            continue
        offer_id = str(offer.get("id") or "")
        label = f"The offer {offer_id}" if offer_id else f"Offer {index + 1}"

        def add(keys: tuple, message: str, code: str) -> None:
            problems.append(_problem(parsed, (*at, *keys), f"{label}: {message}", code=code, subject=f"{offer_id}:{code}"))

        for required in ("id", "title", "text"):
            if not isinstance(offer.get(required), str) or not offer[required].strip():
                add((required,), f"'{required}' is missing.", f"offer-{required}")
        if offer_id in seen:
            add(("id",), "another offer already has this id.", "offer-duplicate")
        seen.add(offer_id)
        purpose = offer.get("consent", "offers")
        if purpose not in purposes:
            add(("consent",), f"the consent purpose '{purpose}' is not one customers can agree to "
                f"(known purposes: {', '.join(sorted(purposes))}).", "offer-consent")
        _targeting(offer, add, products, categories)
    return problems


def _targeting(offer: dict[str, Any], add, products: set[str], categories: set[str]) -> None:
    matches = offer.get("matches") or {}
    if not isinstance(matches, dict):
        add(("matches",), "'matches' lists products and categories.", "offer-matches")
        matches = {}
    for product in matches.get("products") or ():
        if str(product) not in products:
            add(("matches", "products"), f"'{product}' is not a product in the catalogue.", "offer-product")
    for category in matches.get("categories") or ():
        if categories and str(category) not in categories:
            add(("matches", "categories"), f"'{category}' is not a catalogue category.", "offer-category")
    eligibility = offer.get("eligibility") or {}
    if not isinstance(eligibility, dict):
        add(("eligibility",), "'eligibility' lists value_tiers, channels or segments.", "offer-eligibility")
        eligibility = {}
    for key, allowed in (("value_tiers", VALUE_TIERS), ("channels", CHANNELS)):
        for value in eligibility.get(key) or ():
            if value not in allowed:
                add(("eligibility", key), f"'{value}' is not one of {', '.join(allowed)}.", f"offer-{key}")
    pause = offer.get("reoffer_after_days", 0)
    if not isinstance(pause, int) or isinstance(pause, bool) or pause < 0:
        add(("reoffer_after_days",), "the re-offer pause must be a whole number of days (0 or more).", "offer-pause")
    dates = {}
    for key in ("valid_from", "valid_to"):
        value = offer.get(key)
        if value is None:
            continue
        try:
            dates[key] = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            add((key,), f"'{value}' is not a date like 2027-12-31.", "offer-date")
    if len(dates) == 2 and dates["valid_from"] > dates["valid_to"]:
        add(("valid_to",), "it ends before it starts.", "offer-dates")
