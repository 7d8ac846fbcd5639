"""The product catalogue as data: load and check `data/catalogue/products.yml`.

Marketers edit that file. This module turns it into plain records, for the catalogue
extractor to match against, the product answers of actions/catalogue.py and the
conversation benchmark's checks, and reports a broken file with a message that names the
entry at fault instead of a traceback from deep inside the matcher. Plain Python and
PyYAML: both virtual environments import it.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml


class CatalogueError(ValueError):
    """The catalogue file is missing or malformed."""


UNLIMITED = "unlimited"  # the data_gb of a plan without a data cap


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Product:
    """One entry of the catalogue. The optional fields come last; speed_mbps and includes
    before aliases, in the order the benchmark's hand-made products give them."""

    id: str
    name: str
    category: str
    monthly_price: float
    speed_mbps: int | None = None
    includes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    data_gb: float | None = None  # float("inf") for "unlimited"

    def names(self) -> tuple[str, ...]:
        """What customers call it: the display name, the id in words, the aliases."""
        return (self.name, self.id.replace("-", " "), *self.aliases)


@dataclass(frozen=True)
class Catalogue:
    categories: tuple[Category, ...]
    products: tuple[Product, ...]
    ignore_when_followed_by: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data ("unlimited" for unlimited data, as in the file)."""
        data = asdict(self)
        for product in data["products"]:
            if product["data_gb"] == math.inf:
                product["data_gb"] = UNLIMITED
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Catalogue:
        """The catalogue `to_dict` stored. A model trained before speed_mbps, data_gb and
        includes were stored loads with those fields empty."""
        return cls(
            categories=tuple(
                Category(item["id"], item["name"], tuple(item["aliases"]))
                for item in data["categories"]
            ),
            products=tuple(
                Product(
                    id=item["id"], name=item["name"], category=item["category"],
                    monthly_price=float(item["monthly_price"]),
                    speed_mbps=item.get("speed_mbps"),
                    includes=tuple(item.get("includes") or ()),
                    aliases=tuple(item["aliases"]),
                    data_gb=_data_gb(item.get("data_gb"), "stored catalogue"),
                )
                for item in data["products"]
            ),
            ignore_when_followed_by=tuple(data.get("ignore_when_followed_by", ())),
        )


def file_digest(path: Path) -> str:
    """A digest of the catalogue file, so an edit invalidates the trained component."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def load_catalogue(path: Path) -> Catalogue:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogueError(f"cannot read the product catalogue {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise CatalogueError(f"the product catalogue {path} is not valid YAML: {exc}") from None
    return parse_catalogue(raw, source=str(path))


def parse_catalogue(raw: Any, source: str = "catalogue") -> Catalogue:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{source}: expected a mapping with 'categories' and 'products'")
    raw_categories = raw.get("categories")
    if not isinstance(raw_categories, dict) or not raw_categories:
        raise CatalogueError(f"{source}: 'categories' must be a non-empty mapping")
    categories = tuple(
        Category(
            id=_identifier(category_id, f"{source}: category"),
            name=str((body or {}).get("name") or category_id),
            aliases=_phrases((body or {}).get("aliases"), f"{source}: category {category_id}",
                             "aliases"),
        )
        for category_id, body in raw_categories.items()
    )
    known = {category.id for category in categories}
    raw_products = raw.get("products")
    if not isinstance(raw_products, list) or not raw_products:
        raise CatalogueError(f"{source}: 'products' must be a non-empty list")
    products = []
    seen: set[str] = set()
    for index, item in enumerate(raw_products):
        where = f"{source}: products[{index}]"
        if not isinstance(item, dict):
            raise CatalogueError(f"{where} must be a mapping")
        product_id = _identifier(item.get("id"), where)
        where = f"{source}: product {product_id}"
        if product_id in seen:
            raise CatalogueError(f"{where} is listed twice")
        seen.add(product_id)
        category = item.get("category")
        if category not in known:
            raise CatalogueError(f"{where} has category {category!r}, not one of {sorted(known)}")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise CatalogueError(f"{where} needs a display name")
        try:
            price = float(item.get("monthly_price"))
        except (TypeError, ValueError):
            raise CatalogueError(f"{where} needs a numeric monthly_price") from None
        products.append(Product(
            id=product_id, name=name.strip(), category=category, monthly_price=price,
            speed_mbps=_speed(item.get("speed_mbps"), where),
            includes=_phrases(item.get("includes"), where, "includes"),
            aliases=_phrases(item.get("aliases"), where, "aliases"),
            data_gb=_data_gb(item.get("data_gb"), where),
        ))
    ignore = raw.get("ignore_when_followed_by") or []
    if not isinstance(ignore, list):
        raise CatalogueError(f"{source}: 'ignore_when_followed_by' must be a list of words")
    return Catalogue(categories, tuple(products), tuple(str(word).lower() for word in ignore))


def _identifier(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where} needs an id")
    return value.strip()


def _phrases(value: Any, where: str, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, (str, int)) for item in value):
        raise CatalogueError(f"{where}: {field} must be a list of phrases")
    return tuple(str(item).strip() for item in value if str(item).strip())


def _amount(value: Any, where: str, field: str, expected: str = "a number of 0 or more"
            ) -> float:
    """A finite number, 0 or more; YAML may hold it as a string ("100")."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number) or number < 0:
        raise CatalogueError(f"{where}: {field} must be {expected}, not {value!r}")
    return number


def _speed(value: Any, where: str) -> int | None:
    if value is None:
        return None
    number = _amount(value, where, "speed_mbps")
    if not number.is_integer():
        raise CatalogueError(f"{where}: speed_mbps must be a whole number, not {value!r}")
    return int(number)


def _data_gb(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() == UNLIMITED:
        return math.inf
    return _amount(value, where, "data_gb", f"a number of 0 or more or {UNLIMITED!r}")
