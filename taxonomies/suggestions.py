"""ESCO skill suggestions for a learning outcome written in free text: the lexical method.

Each skill's labels (preferred and alternative, in English and in the outcome's language when
loaded) are indexed by word stem; an outcome scores each label by the inverse frequency of the
stems they share, normalised by the label's length, and a skill by its best label. Every
suggestion says which words of the outcome led to it. Nothing is linked: the provider accepts.
"""

import math
import re
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

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
class SkillSuggestion:
    skill: EscoSkill
    score: float
    words: list[str]  # the words of the outcome that led to it


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


def _index(language: str) -> _LabelIndex:
    marker = _release_marker()
    with _lock:
        if _indexes.get("marker") != marker:
            _indexes.clear()  # a new ESCO release: every language's index is stale
            _indexes["marker"] = marker
        if language not in _indexes:
            _indexes[language] = _build_index(language)
        return _indexes[language]


def skills_suggest(text: str, language: str, *, limit: int = 10) -> list[SkillSuggestion]:
    """ESCO skills (not groups) for a free-text outcome, best first, with the words behind
    each. ``language`` is the outcome's ISO 639-1 code; English labels always count too."""
    words = _stems(text)
    if not words:
        return []
    index = _index(language.lower()[:2] or "en")
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
    ranked = sorted(best.items(), key=lambda item: -item[1][0])[:limit]
    objects = EscoSkill.objects.prefetch_related("labels").in_bulk(
        [index.skill_ids[skill] for skill, _ in ranked]
    )
    order = [stem for stem, _ in words]
    return [
        SkillSuggestion(
            objects[index.skill_ids[skill]],
            round(score, 3),
            [word for stem in sorted(shared, key=order.index) for word in written[stem]],
        )
        for skill, (score, shared) in ranked
    ]
