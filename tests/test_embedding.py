"""The bundled model on ONNX Runtime: exported here, fp32 equal to torch, int8 close enough."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.embedding import ModelError, load_embedder, resolve_model
from index.embedding.model import SAME_MODEL_COSINE
from index.embedding.onnx_backend import OnnxEmbedder
from index.embedding.onnx_export import export_folder
from index.embedding.torch_backend import SentenceEmbedder
from index.library import Library
from index.settings import Settings
from tests.support.doubles import HashEmbedder
from tests.support.library import add, make_document

MODEL = "bundled:all-MiniLM-L6-v2"
TEXTS = (
    "Reflective supervision helps social workers make safe decisions with families.",
    "Kinship carers need support with money, training and respite, e.g. from the council.",
    "A referral at the front door is screened within one working day (s. 47 enquiries).",
    "Short.",
)


@pytest.fixture(autouse=True)
def exported(model_cache: Path, real_embedder: SentenceEmbedder) -> None:
    """The session's export (torch is already loaded by the real embedder)."""
    OnnxEmbedder(MODEL, cache=model_cache).embed(["export once"])


def test_fp32_matches_torch_and_int8_stays_close(
    real_embedder: SentenceEmbedder, model_cache: Path
) -> None:
    reference = real_embedder.embed(list(TEXTS))
    fp32 = OnnxEmbedder(MODEL, cache=model_cache, quantised=False).embed(list(TEXTS))
    int8 = OnnxEmbedder(MODEL, cache=model_cache).embed(list(TEXTS))
    assert fp32.shape == int8.shape == (len(TEXTS), 384)
    assert np.all(np.sum(fp32 * reference, axis=1) > 0.9999)
    assert np.all(np.sum(int8 * reference, axis=1) > SAME_MODEL_COSINE)
    assert np.allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)


def test_same_tokens_and_limits_as_torch(
    real_embedder: SentenceEmbedder, model_cache: Path
) -> None:
    onnx = OnnxEmbedder(MODEL, cache=model_cache)
    assert onnx.name == real_embedder.name and onnx.max_tokens == real_embedder.max_tokens
    long = " ".join(TEXTS * 20)
    for text in (*TEXTS, long):
        assert onnx.count_tokens(text) == real_embedder.count_tokens(text)
    # Longer than the model reads: cut at its 256 word pieces, as sentence-transformers does.
    assert np.dot(onnx.embed([long])[0], real_embedder.embed([long])[0]) > SAME_MODEL_COSINE


def test_export_is_made_locally_once_under_the_cache(model_cache: Path) -> None:
    folder = export_folder(Path(resolve_model(MODEL)), model_cache)
    assert (folder / "model.onnx").exists() and (folder / "model_int8.onnx").exists()
    modified = (folder / "model_int8.onnx").stat().st_mtime_ns
    OnnxEmbedder(MODEL, cache=model_cache, threads=1).embed(["again"])
    assert (folder / "model_int8.onnx").stat().st_mtime_ns == modified


def test_model_by_path_and_never_by_hub_name(model_cache: Path) -> None:
    by_path = OnnxEmbedder(str(resolve_model(MODEL)), cache=model_cache)
    assert by_path.embed(["kinship care"]).shape == (1, 384)
    with pytest.raises(ModelError, match="local model folder"):
        OnnxEmbedder("sentence-transformers/all-MiniLM-L6-v2", cache=model_cache).embed(["x"])


def test_settings_choose_the_backend_and_the_cache(tmp_path: Path) -> None:
    default = Settings(home=tmp_path)
    embedder = load_embedder(default)
    assert isinstance(embedder, OnnxEmbedder) and embedder.backend == "onnx-int8"
    assert embedder.cache == tmp_path / "models"
    assert isinstance(load_embedder(Settings(embedding_backend="torch")), SentenceEmbedder)
    with pytest.raises(ValueError):
        Settings.from_environ({"EVIDENCE_EMBEDDING_BACKEND": "tensorrt"})


def test_a_library_accepts_any_backend_of_its_model_and_refuses_another(
    tmp_path: Path, real_embedder: SentenceEmbedder, model_cache: Path
) -> None:
    settings = Settings(home=tmp_path / "library")
    add(Library(settings, real_embedder), make_document("supervision"))
    int8 = Library(settings, OnnxEmbedder(MODEL, cache=model_cache))
    assert int8.search("reflective supervision")  # torch-built, queried on int8
    add(int8, make_document("retention"))  # and extended with int8 vectors
    other = Library(settings, HashEmbedder(dimension=384, name="all-MiniLM-L6-v2"))
    with pytest.raises(ModelError, match="built with the model"):
        other.search("reflective supervision")
