"""Why an article scored negative: occlusion of words and short spans, one batched forward."""

from __future__ import annotations

import re
from typing import Any

from newsrisk.classifiers.inference import Classifier

_WORD = re.compile(r"\S+")
_STRIP = ".,;:!?\"'()[]{}"


def explain_negative(
    classifier: Classifier, text: str, top_k: int = 5, max_words: int = 64, span: int = 2
) -> list[dict[str, Any]]:
    """The words/phrases whose removal lowers P(negative) most: ``[{"phrase", "weight"}]``.

    ``weight`` is P(negative | text) - P(negative | text without the phrase); only positive
    weights are returned, best first, overlapping spans de-duplicated.  Spans of 1..``span`` words
    among the first ``max_words`` words are tried in one ``predict`` call.
    """
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)][:max_words]
    if not words:
        return []
    spans = [(i, j) for n in range(1, span + 1) for i in range(len(words) - n + 1)
             for j in [i + n]]
    variants = [text] + [text[: words[i][0]] + text[words[j - 1][1] :] for i, j in spans]
    preds = classifier.predict(variants)
    base = preds[0].sentiment.negative
    scored = sorted(
        ((base - p.sentiment.negative, i, j) for p, (i, j) in zip(preds[1:], spans, strict=True)),
        reverse=True,
    )
    out: list[dict[str, Any]] = []
    used: set[int] = set()
    for weight, i, j in scored:
        if weight <= 0 or len(out) >= top_k:
            break
        if used & set(range(i, j)):
            continue
        phrase = text[words[i][0] : words[j - 1][1]].strip(_STRIP)
        if phrase:
            used |= set(range(i, j))
            out.append({"phrase": phrase, "weight": round(float(weight), 4)})
    return out
