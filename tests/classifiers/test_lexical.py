from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from newsrisk.backtest.cache import newsrisk_model_identity
from newsrisk.classifiers import load_classifier
from newsrisk.classifiers.lexical import (
    LEXICAL_JSON,
    LEXICAL_WEIGHTS,
    char_ngrams,
    load_lexical,
    word_ngrams,
)
from newsrisk.classifiers.lexical_train import (
    LexicalConfig,
    choose_weight,
    ece,
    fit_lexical,
    fit_temperature,
)

NEG = ["shares plunge on losses", "stock plunges after losses widen", "losses hit the shares",
       "bank warns of losses", "plunge in profit", "shares plunge as losses mount"]
POS = ["shares soar on record profit", "stock soars after profit beat", "record profit lifts shares",
       "bank posts record profit", "profit soars", "shares soar as profit climbs"]


def test_ngrams() -> None:
    assert word_ngrams("fed cuts rates") == ["fed", "cuts", "rates", "fed cuts", "cuts rates"]
    grams = char_ngrams("ab cde")
    assert " a" in grams and "ab " in grams and " ab " in grams  # short word counted once
    assert grams.count(" ab ") == 1
    assert " cde " in grams and "cde " in grams and " cd" in grams
    assert char_ngrams("") == [] and word_ngrams("a") == []


@pytest.fixture(scope="module")
def toy_model():  # noqa: ANN201
    texts = NEG + POS
    labels = [0] * len(NEG) + [2] * len(POS)
    return fit_lexical({"sentiment": (texts, labels, ["negative", "neutral", "positive"])},
                       LexicalConfig(min_df=1))


def test_fit_predicts_unseen_phrasings_and_keeps_absent_classes_impossible(toy_model) -> None:  # noqa: ANN001
    lp = toy_model.log_probs(["Losses: shares plunge", "Profit soars to a record"])["sentiment"]
    assert lp.argmax(1).tolist() == [0, 2]
    assert np.exp(lp).sum(1) == pytest.approx([1.0, 1.0])
    assert np.exp(lp[:, 1]).max() < 1e-6  # "neutral" never seen in training


def test_features_are_unit_rows_and_unknown_text_is_empty(toy_model) -> None:  # noqa: ANN001
    x = toy_model.features(["shares plunge", "§§§ ¤¤¤", ""])
    norms = np.sqrt(np.asarray(x.multiply(x).sum(1))).ravel()
    # word block and char block are each unit length
    assert norms[0] == pytest.approx(np.sqrt(2.0)) and norms[1] == 0 and norms[2] == 0


def test_save_load_roundtrip_and_shape_check(toy_model, tmp_path: Path) -> None:  # noqa: ANN001
    toy_model.heads["sentiment"].weight = 0.35
    toy_model.save(tmp_path)
    loaded = load_lexical(tmp_path)
    texts = ["shares plunge", "profit soars", "nothing to see"]
    a, b = toy_model.log_probs(texts)["sentiment"], loaded.log_probs(texts)["sentiment"]
    assert np.abs(a - b).max() < 1e-2  # coefficients are stored in fp16
    assert loaded.heads["sentiment"].weight == 0.35
    toy_model.heads["sentiment"].weights = {"fp32": 0.2, "int8": 0.1}
    toy_model.save(tmp_path)
    assert load_lexical(tmp_path).heads["sentiment"].weight == 0.2
    assert load_lexical(tmp_path, "int8").heads["sentiment"].weight == 0.1
    meta = json.loads((tmp_path / LEXICAL_JSON).read_text())
    meta["word_vocab"] = meta["word_vocab"][:-1]
    (tmp_path / LEXICAL_JSON).write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="expected"):
        load_lexical(tmp_path)
    assert (tmp_path / LEXICAL_WEIGHTS).is_file()


def test_blend_weight_zero_is_the_model_and_weight_moves_towards_lexical(toy_model) -> None:  # noqa: ANN001
    probs = np.array([[0.2, 0.5, 0.3]], np.float32)
    log_lex = np.log(np.array([[0.9, 0.05, 0.05]]))
    toy_model.heads["sentiment"].weight = 0.0
    assert toy_model.blend("sentiment", probs, log_lex) == pytest.approx(probs, abs=1e-6)
    toy_model.heads["sentiment"].weight = 1.0
    out = toy_model.blend("sentiment", probs, log_lex)
    assert out.sum() == pytest.approx(1.0) and out.argmax() == 0


def test_choose_weight_uses_an_informative_expert_and_ignores_noise() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 600)
    weak = np.full((600, 3), 0.3)
    weak[np.arange(600), y] = 0.4  # the model is right but barely
    weak[:300] = weak[:300][:, [1, 2, 0]]  # ... and wrong on half the rows
    weak /= weak.sum(1, keepdims=True)
    informative = np.log(np.where(np.eye(3)[y] > 0, 0.8, 0.1))
    good = choose_weight(weak, informative, y)
    assert good["weight"] > 0 and good["blend_accuracy"] > good["model_accuracy"]
    assert good["cross_fitted_accuracy"] > good["model_accuracy"]
    noise = np.log(rng.dirichlet(np.ones(3) * 0.3, 600).clip(1e-9))
    strong = np.where(np.eye(3)[y] > 0, 0.9, 0.05)
    assert choose_weight(strong, noise, y)["weight"] == 0.0


def test_shipped_model_carries_its_lexical_expert() -> None:
    clf = load_classifier(device="cpu")
    bare = load_classifier(device="cpu", lexical=False)
    assert clf.lexical is not None and bare.lexical is None
    assert bare.version.endswith("+encoder-only") and not clf.version.endswith("+encoder-only")
    # the backtest's prediction cache names the same variant without loading the model
    assert newsrisk_model_identity(None, lexical=True) == (clf.name, clf.version)
    assert newsrisk_model_identity(None, lexical=False) == (bare.name, bare.version)
    texts = ["$AAPL shares plunge after the recall", "Fed holds rates steady", "ECB hikes"]
    blended, encoder = clf.probs(texts), clf.model_probs(texts)
    for b, e in zip(blended, encoder, strict=True):
        assert b.shape == e.shape and b.sum(1) == pytest.approx(np.ones(len(texts)), abs=1e-4)
        assert not np.allclose(b, e, atol=1e-4)  # the expert moves the probabilities


def test_temperature_recovers_overconfidence_and_keeps_the_winner(toy_model) -> None:  # noqa: ANN001
    rng = np.random.default_rng(1)
    logits = rng.normal(0, 3, (4000, 3))
    p = np.exp(logits / 2.0)
    p /= p.sum(1, keepdims=True)
    y = np.array([rng.choice(3, p=row) for row in p])  # the truth is softmax(logits / 2)
    t = fit_temperature(logits, y)
    assert 1.7 < t < 2.3
    assert ece(logits / t, y) < ece(logits, y)
    probs = np.array([[0.2, 0.5, 0.3]], np.float32)
    log_lex = np.log(np.array([[0.9, 0.05, 0.05]]))
    head = toy_model.heads["sentiment"]
    head.weight, head.temperature = 1.0, 1.0
    sharp = toy_model.blend("sentiment", probs, log_lex)
    head.temperature = 2.0
    soft = toy_model.blend("sentiment", probs, log_lex)
    head.temperature = 1.0
    assert sharp.argmax() == soft.argmax() and soft.max() < sharp.max()


def _reference_tfidf(grams: list[list[str]], vocab: dict[str, int], idf: np.ndarray) -> np.ndarray:
    """TF-IDF written out row by row (sublinear tf, idf, unit rows): what the vectorised,
    word-cached features must equal."""
    out = np.zeros((len(grams), len(idf)))
    for i, row in enumerate(grams):
        counts: dict[int, int] = {}
        for g in row:
            if (j := vocab.get(g)) is not None:
                counts[j] = counts.get(j, 0) + 1
        for j, c in counts.items():
            out[i, j] = (1.0 + np.log(c)) * idf[j]
        norm = np.sqrt((out[i] ** 2).sum())
        out[i] /= norm or 1.0
    return out


def test_fast_features_equal_the_row_by_row_definition(toy_model) -> None:  # noqa: ANN001
    from newsrisk.classifiers.lexical import normalise

    texts = ["Shares plunge plunge on losses", "profit soars", "", "§§§", "shares shares shares",
             "plunge", "Losses: shares plunge"] * 3  # repeats: the word cache is hit
    model = toy_model
    norm = [normalise(t) for t in texts]
    expected = np.hstack([
        _reference_tfidf([word_ngrams(t) for t in norm], model.word_vocab, model.idf_word),
        _reference_tfidf([char_ngrams(t) for t in norm], model.char_vocab, model.idf_char),
    ])
    for _ in range(2):  # a cold, then a warm word cache
        got = model.features(texts).toarray()
        assert got.shape == expected.shape
        assert np.abs(got - expected).max() < 1e-12
    assert expected[0].any() and not expected[2].any()


def test_the_word_cache_is_bounded(toy_model, monkeypatch) -> None:  # noqa: ANN001
    import newsrisk.classifiers.lexical as lexical

    monkeypatch.setattr(lexical, "CHAR_CACHE_WORDS", 5)
    toy_model._char_cache.clear()
    before = toy_model.features(["shares plunge on losses"]).toarray()
    toy_model.features([f"word{i} shares plunge" for i in range(50)])
    assert len(toy_model._char_cache) <= 5
    assert np.abs(toy_model.features(["shares plunge on losses"]).toarray() - before).max() == 0.0
