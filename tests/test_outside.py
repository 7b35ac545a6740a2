"""The question classifier for what the library is not for: the bundled model, read by path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.outside import ANSWERABLE, OutsideModelError, load_outside_model
from index.glossary import load_glossary


def test_the_bundled_classifier_belongs_to_the_bundled_model() -> None:
    model = load_outside_model()
    assert model.model == "all-MiniLM-L6-v2"
    assert ANSWERABLE in model.classes and len(model.classes) >= 8
    assert model.coef.shape == (len(model.classes), 384)
    assert 0.5 < model.threshold < 1.0


def test_it_names_the_kind_of_question_the_library_is_not_for(real_embedder) -> None:
    model = load_outside_model()
    glossary = load_glossary()

    def reason(question: str) -> str | None:
        return model.reason(real_embedder.embed([glossary.expand(question)])[0])

    # Phrasings no marker or pattern lists.
    assert reason("my nan keeps falling at home, how do we get carers in for her") is not None
    assert reason("whats the score in the cricket") is not None
    assert reason("How quickly should a child who enters care have a health assessment?") is None
    assert reason("What should the DSL do when a pupil discloses abuse?") is None


def test_a_threshold_of_one_refuses_nothing(real_embedder) -> None:
    vector = real_embedder.embed(["what will the weather be like tomorrow"])[0]
    assert load_outside_model().reason(vector) is not None
    assert load_outside_model(threshold=1.0).reason(vector) is None


def test_it_is_used_only_with_the_model_it_was_fitted_with() -> None:
    from types import SimpleNamespace

    from bot.answering import _outside_model
    from index.settings import Settings

    def library(name: str, **settings: object) -> SimpleNamespace:
        embedder = SimpleNamespace(name=name)
        return SimpleNamespace(embedder=embedder, settings=Settings(**settings))  # type: ignore[arg-type]

    assert _outside_model(library("all-MiniLM-L6-v2")) is not None  # type: ignore[arg-type]
    assert _outside_model(library("another-model")) is None  # type: ignore[arg-type]
    assert _outside_model(library("all-MiniLM-L6-v2", outside_threshold=1.0)) is None  # type: ignore[arg-type]


def test_a_bad_classifier_file_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "outside.json"
    broken.write_text(json.dumps({"classes": ["adult"], "coef": [[0.0]], "intercept": [0.0]}))
    with pytest.raises(OutsideModelError, match=r"outside\.json"):
        load_outside_model(broken)
    with pytest.raises(OutsideModelError, match="missing"):
        load_outside_model(tmp_path / "missing.json")
