"""Our own rules for a draft, beyond YAML syntax: what Rasa would accept but customers would
notice, written as a marketer would want to read it.

- A response used in a rule or story must exist (and so must every action, form and intent).
- Responses are well formed: each variation says something; its conditions name real slots
  and allowed values; its `{placeholders}` are slots.
- Every slot a form asks for has a question (utter_ask_<slot> or action_ask_<slot>).
- Offers: see bot.studio.offer_checks.

`check(files)` parses every file (bot.studio.validation) and runs all of these.
"""

from __future__ import annotations

from typing import Any

from bot.studio.offer_checks import check_offers
from bot.studio.project import DOMAIN, OFFERS, Snapshot
from bot.studio.responses import placeholders
from bot.studio.validation import ERROR, WARNING, Parsed, Problem, parse

DEFAULT_ACTIONS = frozenset({
    "action_listen", "action_restart", "action_session_start", "action_default_fallback",
    "action_deactivate_loop", "action_revert_fallback_events", "action_default_ask_affirmation",
    "action_default_ask_rephrase", "action_two_stage_fallback", "action_unlikely_intent",
    "action_back", "action_send_text", "action_extract_slots",
})
DEFAULT_INTENTS = frozenset({"nlu_fallback", "restart", "back", "session_start", "out_of_scope"})
SAYS = ("text", "image", "custom", "buttons", "attachment", "elements")


def _names(entries: Any) -> set[str]:
    """Intents and actions are names, or one-key mappings of a name to its options."""
    return {str(next(iter(e))) if isinstance(e, dict) and e else str(e) for e in entries or ()}


class Domain:
    def __init__(self, parsed: Parsed | None) -> None:
        data = parsed.data if parsed is not None and isinstance(parsed.data, dict) else {}

        def section(key: str) -> dict:
            return data.get(key) if isinstance(data.get(key), dict) else {}

        self.parsed = parsed
        self.responses, self.slots = section("responses"), section("slots")
        self.forms = section("forms")
        self.actions = _names(data.get("actions"))
        self.intents = _names(data.get("intents"))

    def knows_action(self, name: str) -> bool:
        known = (self.responses, self.actions, self.forms, DEFAULT_ACTIONS)
        return any(name in names for names in known)


class Report:
    """Problems found in one file, each placed at the line of the part it is about."""

    def __init__(self, parsed: Parsed) -> None:
        self.parsed = parsed
        self.problems: list[Problem] = []

    def add(self, keys: tuple, message: str, *, code: str, subject: str = "",
            severity: str = ERROR) -> None:
        self.problems.append(Problem(self.parsed.path, self.parsed.line(*keys), message,
                                     severity=severity, code=code, subject=subject))


def run(parsed: dict[str, Parsed], broken: set[str]) -> list[Problem]:
    if DOMAIN in broken:
        return []  # everything below leans on the domain; fix its syntax first
    domain = Domain(parsed.get(DOMAIN))
    problems: list[Problem] = []
    if domain.parsed is not None:
        report = Report(domain.parsed)
        _responses(domain, report)
        _forms(domain, report)
        problems += report.problems
    for path, item in parsed.items():
        report = Report(item)
        if path.startswith(("data/rules/", "data/stories/")):
            _dialogues(item.data, domain, report)
        elif path.startswith("data/nlu/"):
            _nlu(item.data, domain, report)
        elif path == OFFERS:
            check_offers(item.data, report)
        problems += report.problems
    return problems


def _responses(domain: Domain, report: Report) -> None:
    data = report.parsed.data
    if isinstance(data, dict) and data.get("responses") is not None and not domain.responses:
        report.add(("responses",), "'responses' must list response names, each with its "
                   "variations.", code="responses")
        return
    for name, variations in domain.responses.items():
        if not isinstance(variations, list) or not variations:
            report.add(("responses", name), f"The response {name} needs at least one variation "
                       "(a '- text: ...' line).", code="response-empty", subject=name)
            continue
        for index, variation in enumerate(variations):
            at = ("responses", name, index)
            if not isinstance(variation, dict) or not any(variation.get(k) for k in SAYS):
                report.add(at, f"Variation {index + 1} of {name} says nothing: give it a text.",
                           code="variation-empty", subject=f"{name}#{index}")
                continue
            _conditions(domain, report, name, index, variation.get("condition"))
            text = variation.get("text")
            for slot in placeholders(text) if isinstance(text, str) else ():
                if slot not in domain.slots:
                    report.add(
                        (*at, "text"),
                        f"{name} uses {{{slot}}}, which is not a slot, so customers may see "
                        f"'{{{slot}}}' as typed. Known slots include: "
                        f"{', '.join(sorted(domain.slots)[:8])}.",
                        code="placeholder", subject=f"{name}:{slot}", severity=WARNING,
                    )


def _conditions(domain: Domain, report: Report, name: str, index: int, conditions: Any) -> None:
    at = ("responses", name, index, "condition")
    if conditions is None:
        return
    if not isinstance(conditions, list):
        report.add(at, f"The condition of {name} (variation {index + 1}) must be a list of "
                   "slot checks.", code="condition", subject=f"{name}#{index}")
        return
    for position, condition in enumerate(conditions):
        here = (*at, position)
        well_formed = isinstance(condition, dict) and condition.get("type") == "slot"
        if not well_formed or "name" not in condition:
            report.add(here, f"Each condition of {name} needs 'type: slot', a slot 'name' and a "
                       "'value'.", code="condition", subject=f"{name}#{index}.{position}")
            continue
        slot_name, value = condition.get("name"), condition.get("value")
        slot = domain.slots.get(slot_name)
        if not isinstance(slot, dict):
            report.add((*here, "name"), f"{name} depends on the slot '{slot_name}', which the "
                       "domain does not have.", code="condition-slot",
                       subject=f"{name}:{slot_name}")
            continue
        allowed = slot.get("values") if slot.get("type") == "categorical" else None
        if allowed and str(value).lower() not in {str(v).lower() for v in allowed}:
            report.add((*here, "value"),
                       f"{name} waits for {slot_name} = '{value}', which never happens: "
                       f"{slot_name} is one of {', '.join(map(str, allowed))}.",
                       code="condition-value", subject=f"{name}:{slot_name}={value}")


def _forms(domain: Domain, report: Report) -> None:
    for form, spec in domain.forms.items():
        slots = spec.get("required_slots") if isinstance(spec, dict) else None
        if not isinstance(slots, list):
            report.add(("forms", form), f"The form {form} must list its required_slots.",
                       code="form", subject=form)
            continue
        for index, slot in enumerate(slots):
            at = ("forms", form, "required_slots", index)
            if slot not in domain.slots:
                report.add(at, f"The form {form} asks for '{slot}', which is not a slot in the "
                           "domain.", code="form-slot", subject=f"{form}:{slot}")
                continue
            questions = (f"utter_ask_{form}_{slot}", f"utter_ask_{slot}")
            askers = (f"action_ask_{form}_{slot}", f"action_ask_{slot}")
            if not any(q in domain.responses for q in questions) and not any(
                    a in domain.actions for a in askers):
                report.add(at, f"The form {form} has no question for '{slot}'. Add a response "
                           f"called utter_ask_{slot} with the question the bot should ask.",
                           code="form-question", subject=f"{form}:{slot}")


def _steps(data: Any) -> list[tuple[tuple, dict[str, Any], str]]:
    """Every step of every rule and story: (where, step, the rule or story's name)."""
    found: list[tuple[tuple, dict[str, Any], str]] = []
    if not isinstance(data, dict):
        return found
    for section in ("rules", "stories"):
        for index, flow in enumerate(data.get(section) or ()):
            if not isinstance(flow, dict):
                continue
            title = str(flow.get("rule") or flow.get("story") or f"#{index + 1}")
            for part in ("condition", "steps"):
                for position, step in enumerate(flow.get(part) or ()):
                    if not isinstance(step, dict):
                        continue
                    where = (section, index, part, position)
                    found.append((where, step, title))
                    options = enumerate(step.get("or") or ())
                    found += [((*where, "or", i), option, title)
                              for i, option in options if isinstance(option, dict)]
    return found


def _dialogues(data: Any, domain: Domain, report: Report) -> None:
    for where, step, title in _steps(data):
        action, intent, loop = step.get("action"), step.get("intent"), step.get("active_loop")
        if isinstance(action, str) and not domain.knows_action(action):
            if action.startswith("utter_"):
                message = (f"'{title}' makes the bot answer with {action}, but there is no "
                           f"response called {action}. Create it under Responses, or pick an "
                           "existing one.")
            else:
                message = (f"'{title}' runs {action}, which is not a response, form or action the "
                           "bot has.")
            report.add((*where, "action"), message, code="unknown-action", subject=action)
        known_intent = intent in domain.intents or intent in DEFAULT_INTENTS
        if isinstance(intent, str) and not known_intent:
            report.add((*where, "intent"), f"'{title}' waits for the intent '{intent}', which the "
                       "domain does not list.", code="unknown-intent", subject=intent)
        if isinstance(loop, str) and loop not in domain.forms:
            report.add((*where, "active_loop"), f"'{title}' refers to the form '{loop}', which the "
                       "domain does not have.", code="unknown-form", subject=loop)


def _nlu(data: Any, domain: Domain, report: Report) -> None:
    items = data.get("nlu") if isinstance(data, dict) else None
    for index, item in enumerate(items or ()):
        if not isinstance(item, dict) or "intent" not in item:
            continue
        intent = str(item["intent"])
        if intent not in domain.intents:
            report.add(("nlu", index, "intent"), f"Examples for '{intent}', which the domain "
                       "does not list under intents.", code="unknown-intent", subject=intent)
        if not isinstance(item.get("examples"), str) or not item["examples"].strip():
            report.add(("nlu", index), f"The intent '{intent}' has no examples (write them as a "
                       "'|' block of '- example' lines).", code="examples", subject=intent)


def check(files: Snapshot) -> list[Problem]:
    """Every problem in a snapshot, errors first, in file and line order."""
    problems: list[Problem] = []
    parsed: dict[str, Parsed] = {}
    for path in sorted(files):
        result = parse(path, files[path])
        if isinstance(result, Problem):
            problems.append(result)
        else:
            parsed[path] = result
    problems += run(parsed, broken={p.file for p in problems})
    return sorted(problems, key=lambda p: (p.severity != ERROR, p.file, p.line, p.message))
