"""Is a product question answered right? Checked against data/catalogue/products.yml as it is now.

Marketers edit the catalogue without retraining, so the expected value is never written in
the customers' files: `{product: fibre-500, field: monthly_price}` means "the price the
catalogue holds today". Checks are on the replies of one turn (all bubbles joined):

- monthly_price: the product's price appears as a number ("35", "35.00", "£35"; 0 also as "free");
- cheapest_in / fastest_in (with `category`): the cheapest (fastest) product's name appears;
- includes: more than half of what the product includes appears;
- compare (with `products: [a, b]`): both names and both prices appear;
- available: `answer: yes` names the product; `answer: no` says no (not the fallback) and
  names a product or category we do sell.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import REPO_ROOT
from nlu.catalogue import Product
from nlu.catalogue import load_catalogue as parse_file

from benchmarks.conversations.questions import normalise

CATALOGUE_PATH = REPO_ROOT / "data" / "catalogue" / "products.yml"
FIELDS = ("monthly_price", "cheapest_in", "fastest_in", "includes", "compare", "available")
_NEGATIVE = re.compile(r"\b(no|not|don't|do not|doesn't|don't have|unfortunately|isn't|aren't)\b")


def load_catalogue(path: Path = CATALOGUE_PATH) -> dict[str, Product]:
    """Product id -> product, as nlu/catalogue.py reads and checks the file."""
    return {product.id: product for product in parse_file(path).products}


def price_pattern(amount: float) -> re.Pattern[str]:
    whole = int(amount)
    if amount == whole:
        number = rf"{whole}(?:[.,]00?)?"
    else:
        number = re.escape(f"{amount:.2f}").replace(r"\.", "[.,]")
        if number.endswith("0"):
            number += "?"
    return re.compile(rf"(?<![\d.,]){number}(?![\d]|[.,]\d)")


def states_price(text: str, amount: float) -> bool:
    if amount == 0 and re.search(r"\b(free|no monthly (cost|charge|fee)|included)\b", text):
        return True
    return bool(price_pattern(amount).search(text))


def names(text: str, product: Product) -> bool:
    flexible = r"[\s-]*".join(re.escape(part) for part in re.split(r"[\s-]+", normalise(product.name)))
    return bool(re.search(rf"\b{flexible}\b", text)) or product.id in text


def _extreme(catalogue: dict[str, Product], category: str, key, *, highest: bool) -> list[Product]:
    candidates = [p for p in catalogue.values() if p.category == category and key(p) is not None]
    if not candidates:
        return []
    best = (max if highest else min)(key(p) for p in candidates)
    return [p for p in candidates if key(p) == best]


def answered(spec: dict, text: str, catalogue: dict[str, Product],
             fallbacks: tuple[str, ...] = ()) -> bool:
    """True when one turn's replies (`text`, all bubbles) answer the product question `spec`."""
    text = normalise(text)
    field = spec.get("field")
    product = catalogue.get(spec.get("product", ""))
    if field == "monthly_price" and product:
        return states_price(text, product.monthly_price)
    if field == "cheapest_in":
        cheapest = _extreme(catalogue, spec["category"], lambda p: p.monthly_price, highest=False)
        return any(names(text, p) for p in cheapest)
    if field == "fastest_in":
        fastest = _extreme(catalogue, spec["category"], lambda p: p.speed_mbps, highest=True)
        return any(names(text, p) for p in fastest)
    if field == "includes" and product:
        found = sum(1 for item in product.includes if normalise(item) in text)
        return found * 2 > len(product.includes)
    if field == "compare":
        pair = [catalogue.get(pid) for pid in spec.get("products", [])]
        if len(pair) != 2 or None in pair:
            return False
        return all(names(text, p) and states_price(text, p.monthly_price) for p in pair)
    if field == "available":
        if str(spec.get("answer", "yes")).lower() in ("yes", "true"):
            return product is not None and names(text, product)
        # A real "no" says what we do sell instead; "we don't hold any details" is no answer.
        is_fallback = any(normalise(f) in text for f in fallbacks)
        offers = any(names(text, p) or re.search(rf"\b{re.escape(p.category)}s?\b", text)
                     for p in catalogue.values())
        return bool(_NEGATIVE.search(text)) and offers and not is_fallback
    raise ValueError(f"unknown product_answer {spec!r}")


def describe(spec: dict, catalogue: dict[str, Product]) -> str:
    """The value the answer had to state, for the failure list."""
    field = spec.get("field")
    product = catalogue.get(spec.get("product", ""))
    if field == "monthly_price" and product:
        return f"{product.name} costs {product.monthly_price:g} a month"
    if field in ("cheapest_in", "fastest_in"):
        key = (lambda p: p.monthly_price) if field == "cheapest_in" else (lambda p: p.speed_mbps)
        best = _extreme(catalogue, spec.get("category", ""), key, highest=field == "fastest_in")
        return f"{field.split('_')[0]} {spec.get('category')}: " + " or ".join(p.name for p in best)
    if field == "includes" and product:
        return f"{product.name} includes " + ", ".join(product.includes)
    if field == "compare":
        return "compare " + " and ".join(spec.get("products", []))
    return f"{field} {spec.get('product', '')} {spec.get('answer', '')}".strip()
