"""Financial sentiment + topic classifiers: the shipped two-headed model or any HF model."""

from newsrisk.classifiers.explain import explain_negative
from newsrisk.classifiers.inference import Classifier
from newsrisk.classifiers.loading import SHIPPED_MODEL_DIR, load_classifier

__all__ = ["SHIPPED_MODEL_DIR", "Classifier", "explain_negative", "load_classifier"]
