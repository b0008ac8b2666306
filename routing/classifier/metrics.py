"""Evaluation figures for one label field: accuracy, macro-F1, per-class precision/recall/F1,
the most frequent confusions and the expected calibration error (ECE)."""

from collections import Counter

import numpy as np
from sklearn.metrics import precision_recall_fscore_support

ECE_BINS = 15


def expected_calibration_error(correct: list[bool], confidence: list[float], bins: int = ECE_BINS):
    """Mean gap between confidence and accuracy over equal-width confidence bins, weighted by
    how many predictions fall in each bin."""
    if not correct:
        return 0.0
    hit = np.asarray(correct, dtype=float)
    conf = np.asarray(confidence, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.mean() * abs(hit[mask].mean() - conf[mask].mean())
    return float(total)


def field_report(
    *, y_true: list[str], y_pred: list[str], confidence: list[float], top_confusions: int = 10
) -> dict:
    if not y_true:
        return {
            "rows": 0,
            "accuracy": 0.0,
            "macro_f1": 0.0,
            "ece": 0.0,
            "per_class": {},
            "confusions": [],
        }
    labels = sorted(set(y_true) | set(y_pred))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    per_class = {
        label: {
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f), 4),
            "support": int(s),
        }
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    # Macro-F1 as scikit-learn defines it: over every label seen in the truth or the predictions.
    macro = float(np.mean(f1))
    correct = [t == p for t, p in zip(y_true, y_pred, strict=True)]
    pairs = Counter((t, p) for t, p in zip(y_true, y_pred, strict=True) if t != p)
    return {
        "rows": len(y_true),
        "accuracy": round(float(np.mean(correct)), 4),
        "macro_f1": round(macro, 4),
        "ece": round(expected_calibration_error(correct, confidence), 4),
        "per_class": per_class,
        "confusions": [
            {"true": t, "predicted": p, "count": n}
            for (t, p), n in pairs.most_common(top_confusions)
        ],
    }
