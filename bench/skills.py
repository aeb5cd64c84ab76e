"""Skill suggestions: hit@1/5/10 and MRR over all ESCO skills, per language, and the time per
outcome (issue 15 targets: hit@10 >= 0.65 in every language, 300 ms per outcome), for each
method: lexical, the model alone, and the two combined (what OCLO answers). Without the model
package only the lexical method is measured.

The evaluation set (bench/data/skills_eval.jsonl), each statement in English, Italian, French
and Spanish, from two sources:

- ``demo``: 44 outcome statements of the demo catalogue whose ESCO skills the demo's authors
  linked (176 items); every fourth is held out of any tuning ("held-out").
- ``futurelearn``: the titles of 61 real courses of ../shared/data/courses (FutureLearn,
  2022), drawn at random and kept when ESCO has a skill or knowledge concept for what they
  teach, linked by hand from ESCO's labels without looking at any suggestion, and translated
  by hand (244 items); all held out, added after the settings were tuned.

The full ESCO bundle is loaded first when it is beside the project: the French and Spanish
labels it has are ESCO v1.0's; it has no Italian labels, so Italian statements meet English
labels only. The skills are embedded first as ``manage.py embed_skills`` does (timed; with
OCLO_BENCH_KEEPDB=1 a second run finds them embedded).
"""

import json
import statistics
import time
from collections import defaultdict
from pathlib import Path

from django.core.management import call_command

from bench.esco_import import DEFAULT_BUNDLE
from taxonomies import embeddings
from taxonomies.esco import esco_import
from taxonomies.models import EscoSkill
from taxonomies.suggestions import Method, skills_suggest

EVALUATION_SET = Path(__file__).parent / "data" / "skills_eval.jsonl"
DEPTH = 100  # ranks beyond this count as not found (reciprocal rank 0)
LANGUAGES = ["en", "it", "fr", "es"]
SOURCES = ["demo", "futurelearn"]


def _items() -> list[dict]:
    with EVALUATION_SET.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _rank(suggested: list[str], correct: set[str]) -> int | None:
    return next((rank for rank, uri in enumerate(suggested, 1) if uri in correct), None)


def _suggested(method: Method):
    def suggest(text: str, language: str) -> list[str]:
        suggestions = skills_suggest(text, language, limit=DEPTH, method=method)
        return [suggestion.skill.uri for suggestion in suggestions]

    return suggest


def _methods() -> list[Method]:
    if not embeddings.encoder_available():
        print(f"no model ({embeddings.MODEL_PACKAGE} is not installed): lexical only")
        return [Method.LEXICAL]
    started = time.perf_counter()
    update = embeddings.skill_embeddings_update()
    print(
        f"skills embedded ({embeddings.model_name()}): {update.embedded} in "
        f"{time.perf_counter() - started:.0f} s, {update.unchanged} already embedded"
    )
    return [Method.LEXICAL, Method.MODEL, Method.COMBINED]


def run() -> None:
    call_command("load_taxonomies", verbosity=0)
    if (DEFAULT_BUNDLE / "skills_en.csv").is_file():
        esco_import(DEFAULT_BUNDLE)
    items = _items()
    print(
        f"skill suggestions: {len(items)} statements, {len({item['outcome'] for item in items})} "
        f"distinct, over {EscoSkill.objects.skills().count()} ESCO skills"
    )
    for method in _methods():
        suggest = _suggested(method)
        for language in sorted({item["language"] for item in items}):
            suggest("warm-up", language)  # builds the language's index, loads the model
        print(f"{method:<17}{'items':>7}{'hit@1':>8}{'hit@5':>8}{'hit@10':>8}{'MRR':>7}{'ms':>7}")
        groups: dict[str, list[tuple[int | None, float]]] = defaultdict(list)
        for item in items:
            started = time.perf_counter()
            suggested = suggest(item["text"], item["language"])
            elapsed = (time.perf_counter() - started) * 1000
            outcome = (_rank(suggested, set(item["skills"])), elapsed)
            language, source = item["language"], item["source"]
            for group in (language, f"{language} {source}", source, item["split"], "all"):
                groups[group].append(outcome)
        order = [
            *(
                group
                for language in LANGUAGES
                for group in (language, *(f"{language} {source}" for source in SOURCES))
            ),
            *SOURCES,
            "tuning",
            "held-out",
            "all",
        ]
        for group, outcomes in sorted(groups.items(), key=lambda entry: order.index(entry[0])):
            ranks = [rank for rank, _ in outcomes]

            def hit(k, ranks=ranks):
                return sum(1 for rank in ranks if rank and rank <= k) / len(ranks)

            mrr = sum(1 / rank for rank in ranks if rank) / len(ranks)
            milliseconds = statistics.median(elapsed for _, elapsed in outcomes)
            print(
                f"  {group:<15}{len(outcomes):>7}{hit(1):>8.2f}{hit(5):>8.2f}{hit(10):>8.2f}"
                f"{mrr:>7.2f}{milliseconds:>7.0f}"
            )
