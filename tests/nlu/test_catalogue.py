"""The catalogue extractor: products and categories from the marketer-edited data file."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.settings import REPO_ROOT
from nlu.catalogue import CatalogueError, load_catalogue
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
        ("a sim only deal", [("category", "sim only", "mobile")]),
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
