from __future__ import annotations

import gzip
import json
from itertools import islice

import pytest

from newsrisk.config import Settings
from newsrisk.core.pipeline import Pipeline
from newsrisk.ingest.sources import bundled_sample


@pytest.fixture(scope="module")
def sample():
    with gzip.open(bundled_sample(), "rt") as fh:
        return [json.loads(line) for line in islice(fh, 300)]


def make(classifier, resolver, **kw) -> Pipeline:
    return Pipeline(Settings(**kw), classifier=classifier, resolver=resolver, explain=False)


def test_every_record_is_accounted_for(classifier, resolver, sample):
    bad = [b"{oops", {"id": "x"}, {**sample[0], "text": "", "title": ""}, sample[1]]
    p = make(classifier, resolver)
    results = p.run(sample + bad, flush=True)
    s = p.summary
    assert s.articles_in == len(sample) + len(bad)
    assert s.articles_scored + s.deadlettered + s.duplicates == s.articles_in
    assert s.deadlettered == 3 and s.duplicate_reasons["id"] >= 1
    scored = [a for r in results for a in r.scored]
    for a in scored:
        assert abs(sum(a.sentiment.probs.values()) - 1) < 1e-3
        assert a.sentiment.label == max(a.sentiment.probs, key=a.sentiment.probs.get)
        assert -1 <= a.sentiment.score <= 1 and a.topics
    # Entities resolve from cashtags in the tweets.
    assert sum(1 for a in scored if a.entities) > len(scored) / 2
    windows = [w.window for r in results for w in r.windows]
    topic_counts = sum(w.count for w in windows if w.key_kind == "topic" and w.window == "1h")
    assert topic_counts == s.articles_scored  # each article counted once in its topic's windows


def test_same_input_same_alerts_and_windows(classifier, resolver, sample):
    a = make(classifier, resolver).run(sample, flush=True)
    b = make(classifier, resolver, max_batch=17).run(sample, flush=True)  # other batching

    def digest(results):
        return [(w.window.uid, w.window.count, w.window.negative, round(w.detection.score, 9))
                for r in results for w in r.windows]

    assert digest(a) == digest(b)
    assert [x.id for r in a for x in r.alerts] == [x.id for r in b for x in r.alerts]
