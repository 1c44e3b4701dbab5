from __future__ import annotations

from collections.abc import Sequence

import pytest

from newsrisk.records import Prediction, Sentiment, TopicScore

NEGATIVE = ("down", "drop", "fall", "fell", "sell", "short", "bad", "loss", "lower", "miss",
            "cut", "crash", "plunge", "weak", "layoff", "warn")
POSITIVE = ("up", "buy", "long", "beat", "great", "high", "gain", "strong")


class FakeClassifier:
    """Deterministic keyword sentiment: fast enough for tests, negative-heavy on bad news."""

    name = "fake-keywords"
    version = "1"
    device = "cpu"

    def __init__(self) -> None:
        self.calls = 0

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        self.calls += len(texts)
        out = []
        for text in texts:
            words = set(text.lower().replace("$", " ").split())
            neg = sum(w in words for w in NEGATIVE)
            pos = sum(w in words for w in POSITIVE)
            if neg > pos:
                s = Sentiment("negative", 0.8, 0.15, 0.05)
            elif pos > neg:
                s = Sentiment("positive", 0.05, 0.15, 0.8)
            else:
                s = Sentiment("neutral", 0.1, 0.8, 0.1)
            topic = "Stock Movement" if "stock" in words else "Stock Commentary"
            out.append(Prediction(s, (TopicScore(topic, 0.9),)))
        return out


@pytest.fixture
def fake() -> FakeClassifier:
    return FakeClassifier()
