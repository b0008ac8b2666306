"""The local text model: shared TF-IDF features (word and character n-grams) and one calibrated
linear head per label field. Pure scikit-learn and numpy: no Django, so it trains and tests fast.

Calibration is temperature scaling fitted on out-of-fold decision scores, then a top-label
isotonic map; a ticket in a language the training data did not cover is capped at what guessing
the most common label would score, so it goes to Claude or to triage instead of being confidently
wrong (scaling each seen language to its own out-of-fold accuracy was tried and made the
multilingual set's calibration worse; docs/ROUTING.md). The same out-of-fold scores give the
cross-validated metrics stored with each version."""

import dataclasses
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.sparse import csr_matrix
from scipy.sparse import hstack as sparse_hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.isotonic import IsotonicRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from . import metrics

FIELDS = ("queue", "category", "priority", "subcategory")
MIN_PER_CLASS = 1
CV_FOLDS = 3
LARGE_HISTORY = 20_000  # from here 2 folds are enough to calibrate
ISOTONIC_MIN_ROWS = 1000  # fewer out-of-fold rows: temperature scaling alone
LANGUAGE_MIN_ROWS = 30  # out-of-fold rows a language needs for its own measured accuracy
WORKERS = min(4, os.cpu_count() or 1)


@dataclass
class Head:
    field: str
    classes: np.ndarray
    coef: np.ndarray  # (n_classes, n_features), float32
    intercept: np.ndarray
    temperature: float
    cv_metrics: dict = dataclasses.field(default_factory=dict)
    # Top-label recalibration: isotonic map from the chosen label's probability to how often
    # the chosen label was right (out of fold). Empty: temperature scaling only.
    iso_x: np.ndarray = dataclasses.field(default_factory=lambda: np.empty(0))
    iso_y: np.ndarray = dataclasses.field(default_factory=lambda: np.empty(0))
    # Per language seen in training: {"n", "accuracy"} (out of fold); a language not in it is
    # capped at `unseen_cap`. Empty (or a model trained before these existed): no change.
    languages: dict = dataclasses.field(default_factory=dict)
    unseen_cap: float = 1.0

    def scores(self, x) -> np.ndarray:
        return np.asarray(x @ self.coef.T) + self.intercept

    def proba(self, x) -> np.ndarray:
        return softmax(self.scores(x) / self.temperature)

    def confidence(self, top: np.ndarray, languages: list[str] | None = None) -> np.ndarray:
        """Calibrated probability that the chosen label (whose softmax probability is `top`)
        is right, for texts in `languages` (one per row; "" or None: not known)."""
        out = np.interp(top, self.iso_x, self.iso_y) if len(self.iso_x) else top
        measured = getattr(self, "languages", None)  # absent in models trained before
        if not measured or not languages:
            return out
        out = np.array(out, dtype=np.float64, copy=True)
        for i, language in enumerate(languages):
            if language and language not in measured:
                out[i] = min(out[i], self.unseen_cap)
        return out

    def top(self, x, languages: list[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Index of the chosen class and its calibrated confidence, per row."""
        p = self.proba(x)
        best = p.argmax(axis=1)
        return best, self.confidence(p[np.arange(len(best)), best], languages)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def build_features(*, chars: bool = True) -> FeatureUnion:
    parts = [
        (
            "word",
            TfidfVectorizer(
                ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_df=0.9, dtype=np.float32
            ),
        )
    ]
    if chars:
        parts.append(
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    min_df=2,
                    max_features=200_000,
                    dtype=np.float32,
                ),
            )
        )
    return FeatureUnion(parts)


def _svc(c: float) -> LinearSVC:
    # tol 1e-3 (default 1e-4): the same predictions on the benchmark sets, for less CPU
    return LinearSVC(C=c, class_weight="balanced", tol=1e-3)


def _fit_linear(x, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    clf = _svc(c).fit(x, y)
    coef = clf.coef_.astype(np.float32)
    intercept = clf.intercept_.astype(np.float32)
    if len(clf.classes_) == 2:  # binary: one score for classes_[1]; make it two columns
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        intercept = np.array([0.0, intercept[0]], dtype=np.float32)
    return clf.classes_, coef, intercept


def _splits(y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    n_splits = CV_FOLDS if len(y) < LARGE_HISTORY else 2  # halves fitting time on big histories
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "least populated class has only 1 member"
        splits = list(folds.split(np.zeros(len(y)), y))
    return [(train, test) for train, test in splits if len(np.unique(y[train])) >= 2]


def _oof_scores(x, y: np.ndarray, classes: np.ndarray, fits: list) -> np.ndarray:
    """Out-of-fold decision scores; classes missing from a fold's training part score lowest."""
    scores = np.zeros((len(y), len(classes)), dtype=np.float64)
    index = {c: i for i, c in enumerate(classes)}
    for test, (fold_classes, coef, intercept) in fits:
        part = np.asarray(x[test] @ coef.T) + intercept
        filled = np.full((len(test), len(classes)), part.min() - 1.0)
        for j, c in enumerate(fold_classes):
            filled[:, index[c]] = part[:, j]
        scores[test] = filled
    return scores


def _fit_temperature(scores: np.ndarray, y_idx: np.ndarray) -> float:
    def nll(log_t: float) -> float:
        p = softmax(scores / np.exp(log_t))
        return -np.log(np.clip(p[np.arange(len(y_idx)), y_idx], 1e-12, None)).mean()

    return float(np.exp(minimize_scalar(nll, bounds=(-5, 3), method="bounded").x))


def fit_head(
    x,
    y: np.ndarray,
    *,
    field_name: str,
    c: float = 0.5,
    workers: int = WORKERS,
    languages: np.ndarray | None = None,
):
    """One calibrated linear head: the final fit and the cross-validation fits run side by side
    (liblinear releases the GIL, so threads use every core)."""
    values = np.unique(y)
    if len(values) < 2:
        return None
    splits = _splits(y)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        final = pool.submit(_fit_linear, x, y, c)
        folds = [(test, pool.submit(_fit_linear, x[train], y[train], c)) for train, test in splits]
        fits = [(test, future.result()) for test, future in folds]
        classes, coef, intercept = final.result()
    oof = _oof_scores(x, y, values, fits)
    y_idx = np.searchsorted(values, y)
    temperature = _fit_temperature(oof, y_idx)
    p = softmax(oof / temperature)
    cv = metrics.field_report(
        y_true=[str(v) for v in y],
        y_pred=[str(v) for v in values[p.argmax(axis=1)]],
        confidence=[float(c) for c in p.max(axis=1)],
    )
    cv.pop("per_class", None)
    head = Head(field_name, classes, coef, intercept, temperature, cv_metrics=cv)
    if len(y) >= ISOTONIC_MIN_ROWS:
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        iso.fit(p.max(axis=1), (p.argmax(axis=1) == y_idx).astype(float))
        head.iso_x, head.iso_y = iso.X_thresholds_, iso.y_thresholds_
    if languages is not None:
        _measure_languages(head, p, y_idx, languages)
    return head


def _measure_languages(head: Head, p: np.ndarray, y_idx: np.ndarray, languages: np.ndarray) -> None:
    """The languages the head has seen enough of, with their out-of-fold accuracy."""
    correct = p.argmax(axis=1) == y_idx
    for language in np.unique(languages):
        rows = languages == language
        n = int(rows.sum())
        if not language or n < LANGUAGE_MIN_ROWS:
            continue
        head.languages[str(language)] = {"n": n, "accuracy": round(float(correct[rows].mean()), 4)}
    # an unseen language: what always choosing the most common label scores
    head.unseen_cap = float(np.bincount(y_idx).max() / len(y_idx))


@dataclass
class TextModel:
    features: FeatureUnion
    heads: dict[str, Head]
    word_terms: np.ndarray  # feature index → word n-gram (the first block of features)
    sub_by_queue: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    exemplars: dict = dataclasses.field(
        default_factory=dict
    )  # a few resolved tickets for "similar tickets"
    params: dict = dataclasses.field(default_factory=dict)

    @property
    def fields(self) -> list[str]:
        return list(self.heads)

    def transform(self, texts: list[str]) -> csr_matrix:
        # FeatureUnion.transform goes through joblib even for one text; stacking directly is
        # the same matrix without that overhead (it matters at one ticket per call).
        parts = [vec.transform(texts) for _, vec in self.features.transformer_list]
        return sparse_hstack(parts, format="csr")

    def predict_one(self, text: str, *, queue: str = "", language: str = "", top: int = 3) -> dict:
        """Labels, calibrated confidences, top probabilities and explaining words for one text
        (`language`: its detected language, for the per-language calibration)."""
        x = self.transform([text])
        out: dict = {"labels": {}, "confidences": {}, "probabilities": {}, "top_words": []}
        for name, head in self.heads.items():
            p = head.proba(x)[0]
            if name == "subcategory":
                if self.sub_by_queue:  # only the sub-categories seen in this queue
                    allowed = self.sub_by_queue.get(queue or out["labels"].get("queue", ""), [])
                    mask = np.isin(head.classes, allowed)
                    if not mask.any():
                        continue
                    p = np.where(mask, p, 0.0)
                    p = p / p.sum()
            best = int(p.argmax())
            confidence = float(head.confidence(p[best : best + 1], [language])[0])
            # the other labels share what the chosen one does not get, in their proportions
            rest = (1.0 - confidence) / (1.0 - float(p[best])) if p[best] < 1.0 else 0.0
            out["labels"][name] = str(head.classes[best])
            out["confidences"][name] = confidence
            order = np.argsort(-p)[:top]
            out["probabilities"][name] = {
                str(head.classes[i]): round(
                    float(confidence if i == best else float(p[i]) * rest), 4
                )
                for i in order
            }
        explain = "queue" if "queue" in self.heads else next(iter(self.heads), None)
        if explain:
            out["top_words"] = self.top_words(x, explain, out["labels"][explain])
        return out

    def top_words(self, x, field_name: str, label: str, k: int = 5) -> list[str]:
        head = self.heads[field_name]
        row = x[0].tocsr()
        idx = row.indices[row.indices < len(self.word_terms)]
        if not len(idx):
            return []
        cls = int(np.searchsorted(head.classes, label))
        contrib = np.asarray(row[0, idx].toarray()).ravel() * head.coef[cls, idx]
        order = np.argsort(-contrib)[:k]
        return [str(self.word_terms[idx[i]]) for i in order if contrib[i] > 0]


def train_text_model(
    texts: list[str],
    labels: dict[str, list[str]],
    *,
    chars: bool = True,
    c: float = 0.5,
    progress=None,
    exemplar_meta: list[dict] | None = None,
    max_exemplars: int = 3000,
    languages: list[str] | None = None,
) -> TextModel:
    """Fit features once, then one head per field that has at least two distinct labels.

    `labels[field][i]` is "" where row i has no label for that field; `languages[i]` is row i's
    language (for the per-language calibration)."""
    features = build_features(chars=chars)
    x = features.fit_transform(texts).tocsr()
    for _, vec in features.transformer_list:
        vec.stop_words_ = None  # pruned terms: only needed for introspection, large on disk
    if progress is not None:
        progress("features")
    heads: dict[str, Head] = {}
    for name in [f for f in FIELDS if f in labels]:
        y = np.asarray(labels[name], dtype=object)
        rows = np.flatnonzero(y != "")
        langs = np.asarray(languages, dtype=object)[rows] if languages is not None else None
        head = (
            fit_head(x[rows], y[rows].astype(str), field_name=name, c=c, languages=langs)
            if len(rows)
            else None
        )
        if head is not None:
            heads[name] = head
        if progress is not None:
            progress(name)
    sub_by_queue: dict[str, list[str]] = {}
    if "subcategory" in heads and "queue" in labels:
        for q, s in zip(labels["queue"], labels["subcategory"], strict=True):
            if q and s:
                sub_by_queue.setdefault(q, [])
                if s not in sub_by_queue[q]:
                    sub_by_queue[q].append(s)
    word_vec = features.transformer_list[0][1]
    word_terms = word_vec.get_feature_names_out()
    model = TextModel(
        features,
        heads,
        word_terms,
        sub_by_queue,
        params={"chars": chars, "c": c, "rows": len(texts)},
    )
    if exemplar_meta:
        keep = np.arange(len(texts))[-max_exemplars:]  # the most recent rows
        model.exemplars = {
            "matrix": x[keep][:, : len(word_terms)].tocsr(),
            "meta": [exemplar_meta[i] for i in keep],
        }
    return model


def similar(model: TextModel, text: str, k: int = 3) -> list[dict]:
    """The k stored examples closest to `text` by word TF-IDF cosine."""
    ex = model.exemplars
    if not ex or not ex.get("meta"):
        return []
    q = model.transform([text])[:, : len(model.word_terms)]
    sims = np.asarray((ex["matrix"] @ q.T).toarray()).ravel()
    order = np.argsort(-sims)[:k]
    return [{**ex["meta"][i], "similarity": round(float(sims[i]), 3)} for i in order if sims[i] > 0]
