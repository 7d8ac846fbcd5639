"""The product catalogue as data: load and check `data/catalogue/products.yml`.

Marketers edit that file. This module turns it into plain records the catalogue
extractor can match against, and reports a broken file with a message that names the
entry at fault instead of a traceback from deep inside the matcher.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml


class CatalogueError(ValueError):
    """The catalogue file is missing or malformed."""


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    category: str
    monthly_price: float
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    categories: tuple[Category, ...]
    products: tuple[Product, ...]
    ignore_when_followed_by: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Catalogue:
        return cls(
            categories=tuple(
                Category(item["id"], item["name"], tuple(item["aliases"]))
                for item in data["categories"]
            ),
            products=tuple(
                Product(
                    item["id"], item["name"], item["category"],
                    float(item["monthly_price"]), tuple(item["aliases"]),
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
            aliases=_aliases((body or {}).get("aliases"), f"{source}: category {category_id}"),
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
        aliases = _aliases(item.get("aliases"), where)
        products.append(Product(product_id, name.strip(), category, price, aliases))
    ignore = raw.get("ignore_when_followed_by") or []
    if not isinstance(ignore, list):
        raise CatalogueError(f"{source}: 'ignore_when_followed_by' must be a list of words")
    return Catalogue(categories, tuple(products), tuple(str(word).lower() for word in ignore))


def _identifier(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where} needs an id")
    return value.strip()


def _aliases(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(alias, (str, int)) for alias in value):
        raise CatalogueError(f"{where}: aliases must be a list of phrases")
    return tuple(str(alias).strip() for alias in value if str(alias).strip())
