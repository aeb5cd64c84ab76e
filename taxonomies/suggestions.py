"""ESCO skill suggestions for a learning outcome written in free text, in any language.

Two rankings, fused: the **lexical** one (each skill's labels, in English and in the outcome's
language when loaded, indexed by word stem; an outcome scores each label by the inverse
frequency of the stems they share, normalised by the label's length, and a skill by its best
label) is precise when the outcome names the skill or a tool; the **model**'s (cosine
similarity of sentence embeddings, ``taxonomies.embeddings``) finds skills across languages and
paraphrase. Reciprocal rank fusion combines them without comparing their scores. Without the
model (or before ``manage.py embed_skills`` has run) the lexical ranking is the answer.

Every suggestion says which words of the outcome led to it: the words it shares with a label,
else the words whose meaning is closest to the skill. Nothing is linked: the provider accepts.
"""

import math
import re
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from taxonomies import embeddings
from taxonomies.models import EscoRelease, EscoSkill, EscoSkillLabel

WORD = re.compile(r"\w+", re.UNICODE)
# Words too common in outcome statements to say anything about a skill, in the interface
# languages (the inverse frequency handles the rest).
_STOPWORDS = """
a an and are as at be by for from in into is it of on or the to with use using able
il lo la i gli le un una di da del della dei delle e ed con per su tra fra che
les une des du et en avec pour sur dans au aux el los las y para por al
der die das ein eine und mit für von zu den dem auf
"""
STOPWORDS = frozenset(_STOPWORDS.split())
STEM_LENGTH = 6  # a crude stem: "programming", "programmi" and "program" meet at "progra"


def _stems(text: str) -> list[tuple[str, str]]:
    """(stem, word as written) for each word of ``text`` that is not a stopword."""
    found = []
    for written in WORD.findall(text):
        plain = "".join(
            char
            for char in unicodedata.normalize("NFKD", written.lower())
            if not unicodedata.combining(char)
        )
        if plain in STOPWORDS or len(plain) < 2:
            continue
        found.append((plain[:STEM_LENGTH], written))
    return found


@dataclass
class _LabelIndex:
    skill_ids: list[int]
    label_stems: list[frozenset[str]]  # per label
    label_skill: list[int]  # label -> position in skill_ids
    postings: dict[str, list[int]]  # stem -> labels
    idf: dict[str, float]


# "marker" -> the ESCO release the indexes were built from; language -> its index.
_indexes: dict = {}
_lock = threading.Lock()


def _release_marker() -> tuple:
    return tuple(
        EscoRelease.objects.order_by("-loaded_at", "-pk").values_list("pk", "loaded_at").first()
        or ()
    )


def _build_index(language: str) -> _LabelIndex:
    skills = EscoSkill.objects.skills().values_list("pk", "preferred_label", "alt_labels")
    skill_ids: list[int] = []
    position: dict[int, int] = {}
    labels: list[tuple[int, str]] = []
    for pk, preferred, alt in skills.iterator():
        position[pk] = len(skill_ids)
        skill_ids.append(pk)
        labels.extend((position[pk], label) for label in [preferred, *alt.splitlines()] if label)
    if language != "en":
        for pk, preferred, alt in EscoSkillLabel.objects.filter(language=language).values_list(
            "skill_id", "preferred_label", "alt_labels"
        ):
            if pk in position:
                labels.extend(
                    (position[pk], label) for label in [preferred, *alt.splitlines()] if label
                )
    label_stems, label_skill = [], []
    postings: dict[str, list[int]] = defaultdict(list)
    skills_with: dict[str, set[int]] = defaultdict(set)
    for skill, label in labels:
        stems = frozenset(stem for stem, _ in _stems(label))
        if not stems:
            continue
        index = len(label_stems)
        label_stems.append(stems)
        label_skill.append(skill)
        for stem in stems:
            postings[stem].append(index)
            skills_with[stem].add(skill)
    total = max(1, len(skill_ids))
    idf = {stem: math.log(1 + total / len(owners)) for stem, owners in skills_with.items()}
    return _LabelIndex(skill_ids, label_stems, label_skill, dict(postings), idf)


def _labelled_languages() -> list[str]:
    """English and every language the loaded ESCO release has labels in."""
    other = EscoSkillLabel.objects.exclude(language="en").order_by().values_list("language")
    return ["en", *sorted(language for (language,) in other.distinct())]


def _index(language: str) -> _LabelIndex:
    marker = _release_marker()
    with _lock:
        if _indexes.get("marker") != marker:
            _indexes.clear()  # a new ESCO release: every language's index is stale
            _indexes["marker"] = marker
            _indexes["labelled"] = _labelled_languages()
        if language not in _indexes["labelled"]:
            language = "en"  # no labels of its own: the English index, not a copy of it
        if language not in _indexes:
            _indexes[language] = _build_index(language)
        return _indexes[language]


def skills_suggestions_warm() -> None:
    """Build the label index of every labelled language and load the model now, a few
    seconds each, which the first suggestion in each language would otherwise wait for (a
    server does it before it forks its workers)."""
    for language in _labelled_languages():
        _index(language)
    embeddings.embeddings_warm()


class Method(StrEnum):
    LEXICAL = "lexical"
    MODEL = "model"
    COMBINED = "combined"


# Tuned on the tuning split of bench/data/skills_eval.jsonl only (``python -m bench skills``).
DEPTH = 100  # candidates each ranking brings to the fusion
FUSION_K = 10  # reciprocal rank fusion: 1 / (k + rank); a larger k flattens the head
MODEL_WEIGHT = 2.0  # the model's vote against the lexical ranking's 1.0
# The words that "led to" a skill the model found: the outcome's word closest to the skill in
# meaning, and up to two more nearly as close.
WORD_SHARE_OF_BEST = 0.8
MODEL_WORDS = 3


@dataclass
class SkillSuggestion:
    skill: EscoSkill
    score: float  # higher is better; comparable within one answer only
    words: list[str] = field(default_factory=list)  # the words of the outcome that led to it


def suggestion_method() -> Method:
    """What ``skills_suggest`` uses by default: the fusion once every skill is embedded (a
    model that knew only part of ESCO would push that part forward)."""
    if (
        embeddings.encoder_available()
        and len(embeddings.skill_matrix()[0]) >= EscoSkill.objects.skills().count()
    ):
        return Method.COMBINED
    return Method.LEXICAL


def _lexical_ranking(
    words: list[tuple[str, str]], language: str
) -> dict[int, tuple[float, list[str]]]:
    """skill id -> (score, words shared with its best label), best first."""
    index = _index(language)
    written: dict[str, list[str]] = defaultdict(list)
    for stem, word in words:
        if word not in written[stem]:
            written[stem].append(word)
    best: dict[int, tuple[float, frozenset[str]]] = {}
    for stem in written:
        for label in index.postings.get(stem, ()):
            stems = index.label_stems[label]
            shared = stems & written.keys()
            score = sum(index.idf[shared_stem] for shared_stem in shared) / math.sqrt(len(stems))
            skill = index.label_skill[label]
            if skill not in best or score > best[skill][0]:
                best[skill] = (score, shared)
    ranked = sorted(best.items(), key=lambda item: -item[1][0])[:DEPTH]
    order = [stem for stem, _ in words]
    return {
        index.skill_ids[skill]: (
            score,
            [word for stem in sorted(shared, key=order.index) for word in written[stem]],
        )
        for skill, (score, shared) in ranked
    }


def _model_ranking(text: str) -> tuple[dict[int, float], np.ndarray, np.ndarray]:
    """skill id -> cosine similarity, best first; and the stored (ids, vectors)."""
    ids, vectors = embeddings.skill_matrix()
    if not len(ids):
        return {}, ids, vectors
    similarity = vectors @ embeddings.embed([text])[0]
    top = np.argpartition(-similarity, min(DEPTH, len(ids) - 1))[:DEPTH]
    top = top[np.argsort(-similarity[top])]
    return {int(ids[row]): float(similarity[row]) for row in top}, ids, vectors


def _closest_words(
    words: list[str], skill_ids: list[int], ids: np.ndarray, vectors: np.ndarray
) -> dict[int, list[str]]:
    """For skills the model found: the outcome's words closest in meaning to each."""
    if not words or not skill_ids:
        return {}
    rows = np.searchsorted(ids, skill_ids)
    similarity = embeddings.embed(words) @ vectors[rows].T  # word x skill
    closest = {}
    for column, skill in enumerate(skill_ids):
        scores = similarity[:, column]
        floor = WORD_SHARE_OF_BEST * float(scores.max())
        chosen = set(np.argsort(-scores)[:MODEL_WORDS]) & set(np.flatnonzero(scores >= floor))
        closest[skill] = [words[position] for position in sorted(chosen)]
    return closest


def skills_suggest(
    text: str, language: str, *, limit: int = 10, method: Method | None = None
) -> list[SkillSuggestion]:
    """ESCO skills (not groups) for a free-text outcome, best first, with the words behind
    each. ``language`` is the outcome's ISO 639-1 code; English labels always count too.
    ``method`` defaults to ``suggestion_method()``."""
    method = method or suggestion_method()
    words = _stems(text)
    if not words:
        return []
    language = language.lower()[:2] or "en"
    lexical = _lexical_ranking(words, language) if method != Method.MODEL else {}
    model, ids, vectors = _model_ranking(text) if method != Method.LEXICAL else ({}, None, None)
    scores: dict[int, float] = defaultdict(float)
    if method == Method.COMBINED:
        for rank, skill in enumerate(lexical, 1):
            scores[skill] += 1 / (FUSION_K + rank)
        for rank, skill in enumerate(model, 1):
            scores[skill] += MODEL_WEIGHT / (FUSION_K + rank)
    else:
        scores.update({skill: score for skill, (score, _) in lexical.items()})
        scores.update(model)
    ranked = sorted(scores, key=lambda skill: -scores[skill])[:limit]
    unexplained = [skill for skill in ranked if skill not in lexical]
    distinct_words = list(dict.fromkeys(written for _, written in words))
    closest = _closest_words(distinct_words, unexplained, ids, vectors) if model else {}
    objects = EscoSkill.objects.prefetch_related("labels").in_bulk(ranked)
    return [
        SkillSuggestion(
            objects[skill],
            round(scores[skill], 4),
            lexical[skill][1] if skill in lexical else closest.get(skill, []),
        )
        for skill in ranked
    ]


def texts_closeness(left: list[str], right: list[str]) -> np.ndarray:
    """How close in meaning each text of ``left`` is to each of ``right``, from 0 to 1: the
    model's cosine similarity (across languages), or without the model the share of word stems
    the two have in common (Dice)."""
    if not left or not right:
        return np.zeros((len(left), len(right)), np.float32)
    if embeddings.encoder_available():
        return np.clip(embeddings.embed(left) @ embeddings.embed(right).T, 0, 1)
    stems = [{stem for stem, _ in _stems(text)} for text in [*left, *right]]
    return np.array(
        [
            [2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0 for b in stems[len(left) :]]
            for a in stems[: len(left)]
        ],
        np.float32,
    )


def skills_closeness(skill_ids: list[int], texts: list[str]) -> np.ndarray | None:
    """How close in meaning each skill is to each text (0-1), from the stored skill embeddings;
    None without the model or where a skill is not embedded yet."""
    ids, vectors = embeddings.skill_matrix()
    rows = np.searchsorted(ids, skill_ids)
    if not embeddings.encoder_available() or not len(ids) or not texts:
        return None
    if np.any(rows >= len(ids)) or np.any(ids[np.minimum(rows, len(ids) - 1)] != skill_ids):
        return None
    return np.clip(vectors[rows] @ embeddings.embed(texts).T, 0, 1)
