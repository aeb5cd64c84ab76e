"""Load the curated vocabularies shipped in ``fixtures/taxonomies`` (idempotent upserts)."""

import json
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.db import models, transaction

from taxonomies.esco import esco_import
from taxonomies.models import Concept, EqfLevel, IscedField, NqfFramework, NqfLevel, Scheme
from taxonomies.signals import concepts_changed

EQF_URI = "http://data.europa.eu/snb/eqf/{level}"


def _upsert(model: type[models.Model], lookup: dict, values: dict, counts: Counter) -> models.Model:
    """Create or update one row, counting what happened; unchanged rows are not written."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        counts["created"] += 1
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.save(update_fields=changed)
        counts["updated"] += 1
    else:
        counts["unchanged"] += 1
    return instance


def _read_json(directory: Path, name: str):
    return json.loads((directory / name).read_text(encoding="utf-8"))


def load_vocabularies(directory: Path, counts: Counter) -> None:
    known = {choice.value for choice in Scheme}
    for vocabulary in _read_json(directory, "vocabularies.json"):
        scheme = vocabulary["scheme"]
        if scheme not in known:
            raise ValueError(f"vocabularies.json names an unknown scheme {scheme!r}")
        for order, concept in enumerate(vocabulary["concepts"]):
            _upsert(
                Concept,
                {"scheme": scheme, "code": concept["code"]},
                {
                    "uri": vocabulary["uri_prefix"] + concept["code"],
                    "label": concept["label"],
                    "labels": concept.get("labels", {}),
                    "short_code": concept.get("short_code", ""),
                    "sort_order": order,
                },
                counts,
            )


def load_nuts(directory: Path, counts: Counter) -> None:
    """The NUTS regions of the ELM code list (built by scripts/build_nuts_fixture.py): some
    two thousand rows, so read and written in bulk rather than one upsert each."""
    document = _read_json(directory, "nuts.json")
    existing = {concept.code: concept for concept in Concept.objects.filter(scheme=Scheme.NUTS)}
    created, changed = [], []
    for order, (code, label) in enumerate(document["regions"].items()):
        values = {"uri": document["uri_prefix"] + code, "label": label, "sort_order": order}
        concept = existing.get(code)
        if concept is None:
            created.append(Concept(scheme=Scheme.NUTS, code=code, **values))
        elif any(getattr(concept, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(concept, name, value)
            changed.append(concept)
    Concept.objects.bulk_create(created, batch_size=500)
    Concept.objects.bulk_update(changed, ["uri", "label", "sort_order"], batch_size=500)
    if changed:
        concepts_changed.send(sender=Concept, ids=[concept.pk for concept in changed])
    counts["created"] += len(created)
    counts["updated"] += len(changed)
    counts["unchanged"] += len(existing) - len(changed)


def load_eqf(directory: Path, counts: Counter) -> None:
    for level in _read_json(directory, "eqf.json"):
        number = level.pop("level")
        _upsert(EqfLevel, {"level": number}, {"uri": EQF_URI.format(level=number), **level}, counts)


def load_isced(directory: Path, counts: Counter) -> None:
    # Parents come before their children in the file (broad, narrow, detailed).
    for field in _read_json(directory, "isced_f.json"):
        _upsert(
            IscedField,
            {"code": field["code"]},
            {
                "level": field["level"],
                "parent_id": field["parent"],
                "name": field["name"],
                "names": field.get("names", {}),
            },
            counts,
        )


def load_nqf(directory: Path, counts: Counter) -> None:
    for framework in _read_json(directory, "nqf.json"):
        country = Concept.objects.get(scheme=Scheme.COUNTRY, code=framework["country"])
        saved = _upsert(
            NqfFramework,
            {"code": framework["code"]},
            {
                "uri": framework["uri"],
                "name": framework["name"],
                "country": country,
                "has_sublevels": framework["has_sublevels"],
            },
            counts,
        )
        for order, level in enumerate(framework["levels"]):
            _upsert(
                NqfLevel,
                {"code": level["code"]},
                {
                    "framework": saved,
                    "uri": level["uri"],
                    "label": level["label"],
                    "eqf_level_id": level["eqf_level"],
                    "sort_order": order,
                },
                counts,
            )


@transaction.atomic
def taxonomies_load(directory: str | Path | None = None) -> dict[str, Counter]:
    """Load every shipped vocabulary and the curated ESCO subset; returns counts per taxonomy."""
    directory = Path(directory or Path(settings.BASE_DIR) / settings.OCLO_TAXONOMY_FIXTURES)
    report: dict[str, Counter] = {}
    for name, loader in (
        ("vocabularies", load_vocabularies),
        ("nuts", load_nuts),
        ("eqf", load_eqf),
        ("isced-f", load_isced),
        ("nqf", load_nqf),
    ):
        report[name] = Counter()
        loader(directory, report[name])
    esco = esco_import(directory / "esco")
    report["esco"] = Counter(
        created=esco.skills.created + esco.groups.created + esco.relations.created,
        updated=esco.skills.updated + esco.groups.updated,
        unchanged=esco.skills.unchanged + esco.groups.unchanged + esco.relations.unchanged,
    )
    return report
