"""Finds products and product categories from the catalogue in customer messages.

A spaCy PhraseMatcher over the lower-cased tokens of every product name, product alias
and category word in `data/catalogue/products.yml`. Entities:

- `product`: value is the product id ("fibre-500"); additional_info holds the display
  name, category and monthly price.
- `category`: value is the category id ("broadband").

The matcher is built from the file when the component trains, and the catalogue is
stored in the model, so a running engine never reads the data file. The file's digest is
part of the component's fingerprint: `rasa train` retrains this component whenever a
marketer edits the catalogue, even if nothing else changed.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from nlu.catalogue import Catalogue, file_digest, load_catalogue
from nlu.finders import shared_nlp
from nlu.text import MAX_MATCHES, Found, clip, without_overlaps

logger = logging.getLogger(__name__)

CATALOGUE_FILE = "catalogue.json"


def catalogue_path(config: dict[str, Any]) -> Path:
    """The configured catalogue file; a relative path is taken from the working directory."""
    return Path(config["catalogue"]).expanduser()


class CatalogueMatcher:
    """The PhraseMatcher and the lookup from match to entity, built from one catalogue."""

    def __init__(self, catalogue: Catalogue, nlp: Language) -> None:
        self.nlp = nlp
        self.ignore_next = frozenset(catalogue.ignore_when_followed_by)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.labels: dict[int, tuple[str, str, dict[str, Any]]] = {}
        for category in catalogue.categories:
            self._add(f"category:{category.id}", ("category", category.id, {}),
                      (category.name, *category.aliases))
        for product in catalogue.products:
            info = {
                "name": product.name,
                "category": product.category,
                "monthly_price": product.monthly_price,
            }
            self._add(f"product:{product.id}", ("product", product.id, info),
                      (product.name, *product.aliases))

    def _add(self, key: str, label: tuple[str, str, dict[str, Any]], phrases: tuple[str, ...]):
        docs = [self.nlp.make_doc(phrase) for phrase in dict.fromkeys(phrases) if phrase.strip()]
        self.matcher.add(key, docs)
        self.labels[self.nlp.vocab.strings[key]] = label

    def find(self, doc: Doc) -> list[Found]:
        found = []
        for match_id, start, end in self.matcher(doc)[:MAX_MATCHES]:
            if end < len(doc) and doc[end].lower_ in self.ignore_next:
                continue
            entity, value, info = self.labels[match_id]
            span = doc[start:end]
            found.append(Found(entity, span.start_char, span.end_char, value, info or None))
        # A product beats the category word inside it ("fibre 500" over "fibre") by length.
        return without_overlaps(found)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class CatalogueEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Extracts `product` and `category` entities with a PhraseMatcher over the catalogue."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"catalogue": "data/catalogue/products.yml"}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        merged = {**cls.get_default_config(), **config}
        return file_digest(catalogue_path(merged))

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        catalogue: Catalogue | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._matcher = CatalogueMatcher(catalogue, shared_nlp()) if catalogue else None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CatalogueEntityExtractor:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Read the catalogue file, build the matcher and store the catalogue in the model."""
        path = catalogue_path(self._config)
        catalogue = load_catalogue(path)
        self._matcher = CatalogueMatcher(catalogue, shared_nlp())
        with self._model_storage.write_to(self._resource) as directory:
            (directory / CATALOGUE_FILE).write_text(
                json.dumps(catalogue.to_dict(), ensure_ascii=False), encoding="utf-8"
            )
        logger.info(
            "Catalogue matcher built from %s: %d products, %d categories",
            path, len(catalogue.products), len(catalogue.categories),
        )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CatalogueEntityExtractor:
        try:
            with model_storage.read_from(resource) as directory:
                data = json.loads((directory / CATALOGUE_FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError):
            logger.warning("No trained catalogue in the model; no products will be found.")
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, Catalogue.from_dict(data))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = self.extract(message.get(TEXT), message.get(ENTITIES) or [])
            if entities:
                message.set(
                    ENTITIES, (message.get(ENTITIES) or []) + entities, add_to_output=True
                )
        return messages

    def extract(self, text: Any, existing: list[dict[str, Any]] = ()) -> list[dict[str, Any]]:
        """Rasa entity dicts for `text`, leaving spans other extractors already took alone."""
        text = clip(text)
        if self._matcher is None or not text.strip():
            return []
        taken = [
            (entity["start"], entity["end"]) for entity in existing
            if isinstance(entity.get("start"), int) and isinstance(entity.get("end"), int)
        ]
        found = without_overlaps(self._matcher.find(self._matcher.nlp.make_doc(text)), taken)
        return self.add_extractor_name([item.as_rasa(text) for item in found])
