"""An in-memory stand-in for an OpenSearch client: the part of opensearch-py's ``bulk`` and
``search`` that ``OpenSearchTextEngine`` uses, with OpenSearch's meaning of each query clause.

Anything else in a request is refused, as OpenSearch refuses an unknown clause, so a change in
what the adapter sends fails here instead of in production."""

import re

FUZZINESS_AUTO = ((2, 0), (5, 1))  # up to 2 letters: exact; 3-5: one edit; longer: two


def _edits(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (a swap of neighbours is one edit), as OpenSearch counts."""
    previous_row = None
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        previous_row, before, row = row, previous_row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(
                previous_row[j] + 1,
                row[j - 1] + 1,
                previous_row[j - 1] + (a[i - 1] != b[j - 1]),
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[len(b)]


def _allowed_edits(word: str) -> int:
    for length, edits in FUZZINESS_AUTO:
        if len(word) <= length:
            return edits
    return 2


class FakeOpenSearch:
    def __init__(self):
        self.indices: dict[str, dict[str, dict[str, str]]] = {}

    def bulk(self, *, body: list[dict], refresh: bool = False) -> dict:
        operations = iter(body)
        for action in operations:
            ((kind, meta),) = action.items()
            documents = self.indices.setdefault(meta["_index"], {})
            if kind == "index":
                documents[str(meta["_id"])] = next(operations)
            elif kind == "delete":
                documents.pop(str(meta["_id"]), None)
            else:
                raise ValueError(f"unsupported bulk action {kind}")
        return {"errors": False}

    def search(self, *, index: str, body: dict) -> dict:
        unknown = set(body) - {"query", "size", "_source", "sort", "search_after"}
        if unknown:
            raise ValueError(f"unsupported search keys {unknown}")
        if body.get("sort") != [{"_score": "desc"}, {"_id": "asc"}]:
            raise ValueError("search_after needs a total order: _score then _id")
        hits = []
        for pk, document in self.indices.get(index, {}).items():
            score = self._score(body["query"], document)
            if score is not None:
                hits.append({"_id": pk, "_score": score, "sort": [score, pk]})
        hits.sort(key=lambda hit: (-hit["_score"], hit["_id"]))
        if "search_after" in body:
            after = tuple(body["search_after"])
            hits = [hit for hit in hits if (-hit["_score"], hit["_id"]) > (-after[0], after[1])]
        return {"hits": {"hits": hits[: body.get("size", 10)]}}

    def _score(self, query: dict, document: dict) -> float | None:
        """The query's score for the document, or None when it does not match."""
        ((kind, clause),) = query.items()
        if kind == "bool":
            return self._bool(clause, document)
        if kind == "multi_match":
            return self._multi_match(clause, document)
        raise ValueError(f"unsupported query {kind}")

    def _bool(self, clause: dict, document: dict) -> float | None:
        unknown = set(clause) - {"must", "should", "must_not", "minimum_should_match"}
        if unknown:
            raise ValueError(f"unsupported bool keys {unknown}")
        total = 0.0
        for sub in clause.get("must", []):
            score = self._score(sub, document)
            if score is None:
                return None
            total += score
        if any(self._score(sub, document) is not None for sub in clause.get("must_not", [])):
            return None
        should = [self._score(sub, document) for sub in clause.get("should", [])]
        matched = [score for score in should if score is not None]
        # OpenSearch: with no must clause, at least one should clause has to match.
        needed = clause.get("minimum_should_match", 0 if "must" in clause else 1)
        if should and len(matched) < min(needed, len(should)):
            return None
        return total + sum(matched)

    def _multi_match(self, clause: dict, document: dict) -> float | None:
        unknown = set(clause) - {"query", "fields", "type", "fuzziness", "boost"}
        if unknown:
            raise ValueError(f"unsupported multi_match keys {unknown}")
        words = clause["query"].split()
        best = None
        for spec in clause["fields"]:
            name, _, boost = spec.partition("^")
            text = document.get(name, "")
            if clause.get("type") == "phrase":
                found = len(re.findall(rf"(?<!\S){re.escape(' '.join(words))}(?!\S)", text))
            else:
                tokens = text.split()
                fuzzy = clause.get("fuzziness") == "AUTO"
                found = sum(
                    1
                    for word in words
                    for token in tokens
                    if token == word or (fuzzy and _edits(token, word) <= _allowed_edits(word))
                )
            if found:
                score = found * float(boost or 1)
                best = score if best is None else max(best, score)
        return None if best is None else best * clause.get("boost", 1.0)
