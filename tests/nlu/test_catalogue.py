"""The catalogue extractor: products and categories from the marketer-edited data file."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.settings import REPO_ROOT
from nlu.catalogue import Catalogue, CatalogueError, load_catalogue, parse_catalogue
from nlu.catalogue_extractor import CatalogueEntityExtractor

CATALOGUE = REPO_ROOT / "data" / "catalogue" / "products.yml"

SMALL_CATALOGUE = """
categories:
  broadband: {name: Broadband, aliases: [broadband, internet]}
  device: {name: Devices, aliases: [router]}
ignore_when_followed_by: [number]
products:
  - {id: fibre-500, name: Fibre 500, category: broadband, monthly_price: 35,
     aliases: [500 meg, superfast fibre]}
  - {id: mesh-wifi, name: Mesh Wi-Fi Kit, category: device, monthly_price: 5,
     aliases: [mesh kit, the mesh kit]}
"""


def new_storage(directory: Path) -> LocalModelStorage:
    directory.mkdir(parents=True)
    return LocalModelStorage(directory)


def trained_extractor(tmp_path: Path, catalogue: Path) -> CatalogueEntityExtractor:
    storage = new_storage(tmp_path / "storage")
    extractor = CatalogueEntityExtractor.create(
        {"catalogue": str(catalogue)}, storage, Resource("catalogue"), None
    )
    extractor.train(TrainingData())
    return extractor


def found(extractor: CatalogueEntityExtractor, text: str) -> list[tuple[str, str, str]]:
    return [(e["entity"], text[e["start"]:e["end"]], e["value"]) for e in extractor.extract(text)]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> CatalogueEntityExtractor:
    return trained_extractor(tmp_path_factory.mktemp("shipped"), CATALOGUE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I need a faster plan for working from home, under 40 a month",
         [("category", "faster plan", "broadband"),
          ("product", "working from home", "home-worker-bundle")]),
        ("can I get Fibre 500?", [("product", "Fibre 500", "fibre-500")]),
        ("upgrade me to 900 MEG broadband", [("product", "900 MEG broadband", "fibre-900")]),
        ("do you do the mesh kit", [("product", "the mesh kit", "mesh-wifi")]),
        ("a sim only deal", [("category", "sim only deal", "mobile")]),
        ("SIM only 20GB please", [("product", "SIM only 20GB", "sim-20gb")]),
        ("my internet keeps dropping", [("category", "internet", "broadband")]),
        ("update my mobile number", []),
        ("continue on another device", []),
    ],
)
def test_shipped_catalogue_finds_products_and_categories(shipped, text, expected):
    assert found(shipped, text) == expected


def test_entities_carry_offsets_value_and_extractor(shipped):
    [entity] = shipped.extract("is the iPhone 16 any good")
    assert entity == {
        "entity": "product", "start": 7, "end": 16, "value": "iphone-16",
        "confidence_entity": 1.0, "extractor": "CatalogueEntityExtractor",
        "additional_info": {"name": "Apple iPhone 16", "category": "device",
                            "monthly_price": 39.0},
    }


def test_spans_taken_by_other_extractors_are_left_alone(shipped):
    existing = [{"entity": "email", "start": 0, "end": 12, "value": "tv@home.com"}]
    assert shipped.extract("tv@home.com and tv", existing) == [
        {"entity": "category", "start": 16, "end": 18, "value": "tv",
         "confidence_entity": 1.0, "extractor": "CatalogueEntityExtractor"}]


def test_a_catalogue_edit_is_picked_up_at_the_next_training(tmp_path):
    catalogue = tmp_path / "products.yml"
    catalogue.write_text(SMALL_CATALOGUE)
    config = {"catalogue": str(catalogue)}
    before = CatalogueEntityExtractor.fingerprint_addon(config)
    first = trained_extractor(tmp_path / "first", catalogue)
    assert found(first, "do you sell wifi boosters") == []

    catalogue.write_text(SMALL_CATALOGUE.replace("[mesh kit, the mesh kit]",
                                                 "[mesh kit, the mesh kit, wifi boosters]"))

    assert CatalogueEntityExtractor.fingerprint_addon(config) != before
    second = trained_extractor(tmp_path / "second", catalogue)
    assert found(second, "do you sell wifi boosters") == [
        ("product", "wifi boosters", "mesh-wifi")]


def test_a_trained_extractor_loads_without_the_data_file(tmp_path):
    catalogue = tmp_path / "products.yml"
    catalogue.write_text(SMALL_CATALOGUE)
    storage = new_storage(tmp_path / "storage")
    resource = Resource("catalogue")
    CatalogueEntityExtractor.create({"catalogue": str(catalogue)}, storage, resource,
                                    None).train(TrainingData())
    catalogue.unlink()

    loaded = CatalogueEntityExtractor.load({"catalogue": str(catalogue)}, storage, resource, None)

    [message] = loaded.process([Message(data={"text": "is 500 meg enough?"})])
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [
        ("product", "fibre-500")]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("products: []", "categories"),
        ("categories: {tv: {}}\nproducts:\n  - {id: x, name: X, category: radio, "
         "monthly_price: 1}", "category 'radio'"),
        ("categories: {tv: {}}\nproducts:\n  - {name: X, category: tv, monthly_price: 1}",
         "needs an id"),
        ("categories: {tv: {}}\nproducts:\n  - {id: x, name: X, category: tv, "
         "monthly_price: cheap}", "monthly_price"),
        ("categories: [unclosed", "not valid YAML"),
        ("categories: {tv: {}}\nproducts:\n  - {id: x, name: X, category: tv, "
         "monthly_price: 1, speed_mbps: fast}", "product x: speed_mbps"),
        ("categories: {tv: {}}\nproducts:\n  - {id: x, name: X, category: tv, "
         "monthly_price: 1, speed_mbps: 99.5}", "product x: speed_mbps must be a whole"),
        ("categories: {tv: {}}\nproducts:\n  - {id: x, name: X, category: tv, "
         "monthly_price: 1, data_gb: lots}", "product x: data_gb .*'unlimited'"),
        ("categories: {tv: {}}\nproducts:\n  - {id: x, name: X, category: tv, "
         "monthly_price: 1, data_gb: -5}", "product x: data_gb"),
        ("categories: {tv: {}}\nproducts:\n  - {id: x, name: X, category: tv, "
         "monthly_price: 1, includes: a router}", "product x: includes must be a list"),
    ],
)
def test_a_broken_catalogue_is_reported_clearly(tmp_path, text, error):
    path = tmp_path / "products.yml"
    path.write_text(text)
    with pytest.raises(CatalogueError, match=error):
        load_catalogue(path)


def test_a_missing_catalogue_is_reported_clearly(tmp_path):
    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue(tmp_path / "nope.yml")
    assert CatalogueEntityExtractor.fingerprint_addon(
        {"catalogue": str(tmp_path / "nope.yml")}) == "missing"


def test_product_answers_get_speed_data_and_inclusions_from_the_shipped_file():
    products = {product.id: product for product in load_catalogue(CATALOGUE).products}
    assert products["fibre-900"].speed_mbps == 900
    assert products["fibre-900"].data_gb is None
    assert products["sim-20gb"].data_gb == 20.0
    assert products["sim-unlimited"].data_gb == math.inf
    assert products["sim-unlimited"].speed_mbps is None
    assert "EU roaming" in products["sim-unlimited"].includes
    assert products["tv-addon"].names()[:2] == ("TV Add-on", "tv addon")


def test_the_stored_catalogue_round_trips_as_plain_json():
    catalogue = load_catalogue(CATALOGUE)
    stored = json.dumps(catalogue.to_dict(), allow_nan=False)  # no Infinity for unlimited
    assert Catalogue.from_dict(json.loads(stored)) == catalogue


def test_a_catalogue_stored_before_the_optional_fields_still_loads(tmp_path):
    old_model = {
        "categories": [{"id": "tv", "name": "TV", "aliases": ["telly"]}],
        "products": [{"id": "tv-basic", "name": "TV Basic", "category": "tv",
                      "monthly_price": 10.0, "aliases": ["basic tv"]}],
        "ignore_when_followed_by": [],
    }
    [product] = Catalogue.from_dict(old_model).products
    assert (product.speed_mbps, product.data_gb, product.includes) == (None, None, ())
    storage = new_storage(tmp_path / "storage")
    resource = Resource("catalogue")
    with storage.write_to(resource) as directory:
        (directory / "catalogue.json").write_text(json.dumps(old_model), encoding="utf-8")
    loaded = CatalogueEntityExtractor.load({}, storage, resource, None)
    assert found(loaded, "is basic tv any good") == [("product", "basic tv", "tv-basic")]


def test_optional_fields_may_be_left_out_or_given_as_text():
    catalogue = parse_catalogue({
        "categories": {"broadband": {}},
        "products": [{"id": "fibre-x", "name": "Fibre X", "category": "broadband",
                      "monthly_price": 30, "speed_mbps": "300", "data_gb": "Unlimited"},
                     {"id": "fibre-y", "name": "Fibre Y", "category": "broadband",
                      "monthly_price": 20}],
    })
    x, y = catalogue.products
    assert (x.speed_mbps, x.data_gb) == (300, math.inf)
    assert (y.speed_mbps, y.data_gb, y.includes) == (None, None, ())
