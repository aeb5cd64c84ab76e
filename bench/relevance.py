"""Known-item search quality (issue 13): does the record someone has in mind come up first?

The catalogue is the demo plus the real FutureLearn catalogue (``../shared/data/courses``,
converted by ``descriptors.formats.futurelearn`` and published). Each query names the one
record it must find, in eight kinds people type: the exact title; 3-4 of its rarest words;
all its words reordered; the rare words with one typo in the rarest (swapped, dropped,
neighbouring or doubled letter); the title with a spaced hyphen; the rare words with one in
another word form; an Italian or Spanish query for a record in that language; 4-6 consecutive
words of an outcome. Queries go through the API as a partner's would, every one computed (no
result cache). Prints success@1, success@5 and MRR@10 per kind and overall, and latency.

OCLO_BENCH_VERBOSE=1 also lists the misses (the query, the record, what came first).
"""

import os
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.test import Client

from catalogue.search.facet_index import facet_index
from catalogue.search.indexing import opportunities_bulk_changed, search_index_rebuild
from catalogue.search.words import words
from descriptors.formats.futurelearn import futurelearn_convert
from descriptors.imports import opportunities_import
from descriptors.models import LearningOpportunity, Organisation
from taxonomies.models import Concept, Scheme

FUTURELEARN = settings.BASE_DIR.parent / "shared" / "data" / "courses" / "futurelearn-courses.csv"
API = "/api/v1/learning-opportunities/"
# Words too common in titles to tell one course from another in any of our languages.
STOPWORDS = set(
    " ".join(
        [
            "a an and the of for in on to with from by at as or your you how what why is are be",
            "di e del della delle dei degli per con il la le lo gli un una in da nel nella",
            "de y el los las para en con del al une des du et la le les pour dans der die das",
            "und fur im mit van het een en voor",
        ]
    ).split()
)
# Neighbouring keys on a QWERTY keyboard, for the "hit the key next to it" typo.
QWERTY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


@dataclass(frozen=True)
class KnownItem:
    kind: str
    query: str
    record: int
    title: str


def _published_futurelearn() -> None:
    if LearningOpportunity.objects.filter(provider_reference__startswith="FL-").exists():
        return
    provider, _ = Organisation.objects.get_or_create(
        name="FutureLearn",
        defaults={
            "country": Concept.objects.get(scheme=Scheme.COUNTRY, code="GBR"),
            "provider_type": Concept.objects.get(scheme=Scheme.PROVIDER_TYPE, code="company"),
        },
    )
    conversion = futurelearn_convert(FUTURELEARN.read_bytes())
    opportunities_import(conversion.rows, provider=provider)
    drafts = LearningOpportunity.objects.filter(provider=provider)
    ids = list(drafts.values_list("pk", flat=True))
    # The converter makes drafts for a provider to complete; a search benchmark needs them
    # public, as they are on FutureLearn.
    drafts.update(status=LearningOpportunity.Status.PUBLISHED)
    opportunities_bulk_changed(ids, "updated")


def _neighbour(letter: str, rng: random.Random) -> str:
    for row in QWERTY_ROWS:
        position = row.find(letter)
        if position >= 0:
            near = [row[i] for i in (position - 1, position + 1) if 0 <= i < len(row)]
            return rng.choice(near)
    return letter


def misspelt(word: str, rng: random.Random) -> str:
    """One typo inside the word (never its first letter): swap, drop, neighbour or double."""
    position = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "neighbour", "double"))
    if kind == "swap":
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    if kind == "drop":
        return word[:position] + word[position + 1 :]
    if kind == "neighbour":
        return word[:position] + _neighbour(word[position], rng) + word[position + 1 :]
    return word[: position + 1] + word[position:]


ENGLISH_FORMS = [
    ("ability", "able"),
    ("able", "ability"),
    ("ies", "y"),
    ("y", "ies"),
    ("ment", "ments"),
    ("tion", "tions"),
    ("ics", "ic"),
    ("es", "e"),
    ("e", "es"),
    ("ers", "er"),
    ("er", "ers"),
    ("ist", "ists"),
]
FORMS = {
    "en": ENGLISH_FORMS,
    "it": [("ione", "ioni"), ("ioni", "ione"), ("o", "i"), ("i", "o"), ("a", "e"), ("e", "i")],
    "es": [("ion", "iones"), ("es", ""), ("s", ""), ("a", "as"), ("o", "os"), ("e", "es")],
}


def other_form(word: str, language: str) -> str | None:
    """The same word in another form (plural for singular, -ability for -able ...)."""
    for ending, replacement in FORMS[language]:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)] + replacement
    return None


class QuerySet:
    """Known-item queries drawn reproducibly from the catalogue."""

    def __init__(self, seed: int = 13):
        self.rng = random.Random(seed)
        self.records = list(
            LearningOpportunity.objects.published()
            .order_by("pk")
            .values_list("pk", "title", "default_language__code")
        )
        self.frequency = Counter(word for _, title, _ in self.records for word in set(words(title)))
        signatures = Counter(frozenset(words(title)) for _, title, _ in self.records)
        # A title whose words another title shares exactly cannot name one record.
        self.distinct = [
            record for record in self.records if signatures[frozenset(words(record[1]))] == 1
        ]

    def rare_words(self, title: str, count: int) -> list[str]:
        candidates = [w for w in dict.fromkeys(words(title)) if w not in STOPWORDS and len(w) > 2]
        rarest = sorted(candidates, key=lambda w: (self.frequency[w], -len(w)))[:count]
        return [w for w in words(title) if w in rarest and not rarest.remove(w)]

    def sample(self, records, count: int):
        return self.rng.sample(records, min(count, len(records)))

    def build(self) -> list[KnownItem]:
        items: list[KnownItem] = []
        english = [r for r in self.distinct if r[2] in ("ENG", None)]
        for pk, title, _ in self.sample(self.distinct, 60):
            items.append(KnownItem("exact title", title, pk, title))
        for pk, title, _ in self.sample(english, 60):
            rare = self.rare_words(title, self.rng.choice((3, 4)))
            if len(rare) >= 3:
                items.append(KnownItem("rare words", " ".join(rare), pk, title))
        for pk, title, _ in self.sample(self.distinct, 40):
            shuffled = title.split()
            if len(shuffled) >= 3:
                while shuffled == title.split():
                    self.rng.shuffle(shuffled)
                items.append(KnownItem("reordered", " ".join(shuffled), pk, title))
        for pk, title, _ in self.sample(english, 60):
            rare = self.rare_words(title, 3)
            longest = [w for w in rare if len(w) >= 5 and w.isalpha()]
            if longest:
                target = min(longest, key=lambda w: self.frequency[w])
                query = " ".join(misspelt(w, self.rng) if w == target else w for w in rare)
                items.append(KnownItem("one typo", query, pk, title))
        spaced = [r for r in self.distinct if ": " in r[1] or " - " in r[1]]
        for pk, title, _ in self.sample(spaced, 40):
            query = title.replace(": ", " - ", 1)
            items.append(KnownItem("spaced hyphen", query, pk, title))
        for pk, title, _ in self.sample(english, 200):
            rare = self.rare_words(title, 3)
            forms = [(w, other_form(w, "en")) for w in rare]
            changed = next(((w, form) for w, form in forms if form), None)
            if changed and len(rare) >= 2:
                query = " ".join(changed[1] if w == changed[0] else w for w in rare)
                items.append(KnownItem("word form", query, pk, title))
            if sum(item.kind == "word form" for item in items) >= 40:
                break
        items += self._romance_items()
        items += self._outcome_items()
        return items

    def _romance_items(self) -> list[KnownItem]:
        items = []
        records = (
            LearningOpportunity.objects.published()
            .filter(default_language__code__in=["ITA", "SPA"])
            .select_related("default_language")
        )
        translated = LearningOpportunity.objects.published().filter(
            translations__language__code__in=["ITA", "SPA"]
        )
        titles = [(o.pk, o.title, o.default_language.code) for o in records] + [
            (o.pk, t.title, t.language.code)
            for o in translated.prefetch_related("translations__language")
            for t in o.translations.all()
            if t.language.code in ("ITA", "SPA")
        ]
        for pk, title, code in titles:
            items.append(KnownItem("italian or spanish", title.lower(), pk, title))
            rare = self.rare_words(title, 2)
            items.append(KnownItem("italian or spanish", " ".join(rare), pk, title))
            rare = self.rare_words(title, 3)
            language = "it" if code == "ITA" else "es"
            changed = next(((w, f) for w in rare if (f := other_form(w, language))), None)
            if changed:
                query = " ".join(changed[1] if w == changed[0] else w for w in rare)
                items.append(KnownItem("italian or spanish", query, pk, title))
        return items

    def _outcome_items(self) -> list[KnownItem]:
        items = []
        rows = LearningOpportunity.objects.published().values_list("pk", "title", "outcomes__title")
        for pk, title, outcome in rows:
            parts = (outcome or "").split()
            if len(parts) < 5:
                continue
            length = self.rng.randint(4, min(6, len(parts)))
            start = self.rng.randrange(0, len(parts) - length + 1)
            query = re.sub(r"[.;:,]+$", "", " ".join(parts[start : start + length]))
            items.append(KnownItem("outcome words", query, pk, title))
        return items


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run() -> None:
    call_command("load_taxonomies", verbosity=0)
    if not LearningOpportunity.objects.exists():
        call_command("load_demo", "--no-users", verbosity=0)
    _published_futurelearn()
    search_index_rebuild()  # a kept database may hold documents indexed by older code
    facet_index.reset()
    settings.OCLO_SEARCH_CACHE = False
    items = QuerySet().build()
    client = Client()
    client.get(API, {"q": "warm up"})
    ranks: dict[str, list[int | None]] = defaultdict(list)
    timings: list[float] = []
    misses = []
    for item in items:
        started = time.perf_counter()
        response = client.get(API, {"q": item.query, "page_size": 10})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
        found = [result["id"] for result in response.json()["results"]]
        rank = found.index(item.record) + 1 if item.record in found else None
        ranks[item.kind].append(rank)
        if rank is None or rank > 5:
            first = response.json()["results"][:1]
            misses.append((item, rank, first[0]["title"] if first else "(nothing)"))
    total = LearningOpportunity.objects.published().count()
    print(f"known-item relevance: {len(items)} queries over {total} published records")
    print(f"{'kind':<20}{'queries':>8}{'s@1':>7}{'s@5':>7}{'MRR@10':>8}")
    everything = [rank for kind_ranks in ranks.values() for rank in kind_ranks]
    for kind, kind_ranks in [*ranks.items(), ("overall", everything)]:
        print(
            f"{kind:<20}{len(kind_ranks):>8}"
            f"{sum(1 for r in kind_ranks if r == 1) / len(kind_ranks):>7.2f}"
            f"{sum(1 for r in kind_ranks if r and r <= 5) / len(kind_ranks):>7.2f}"
            f"{sum(1 / r for r in kind_ranks if r) / len(kind_ranks):>8.3f}"
        )
    print(
        f"latency (API, computed): p50 {statistics.median(timings):.1f} ms, "
        f"p95 {_percentile(timings, 0.95):.1f} ms"
    )
    if os.environ.get("OCLO_BENCH_VERBOSE") == "1":
        for item, rank, first in misses:
            print(f"  {item.kind}: {item.query!r} -> {item.title!r} at {rank}; first {first!r}")
    sys.stdout.flush()
