"""Questions other apps ask about learning opportunities."""

from collections.abc import Iterable

from django.db import models

from descriptors.models import LearningOpportunity
from descriptors.services.stored import CHILDREN

IDS_A_QUERY = 10_000  # a query takes a bounded number of parameters (SQLite 32,766)
PARTS = frozenset(CHILDREN.values())


def opportunities_naming(model: type[models.Model], ids: Iterable[int]) -> set[int]:
    """The ids of the opportunities whose descriptors name one of these rows of ``model`` (a
    vocabulary's concepts), on the record itself or on one of its parts (an outcome's skills,
    an edition's languages): every relation to ``model`` is followed, so a descriptor added
    later is covered without a change here."""
    ids = sorted(ids)
    found: set[int] = set()
    # Hidden ones too: most vocabulary fields have no reverse accessor (related_name "+").
    relations = (
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete
    )
    for relation in relations:
        if relation.related_model is LearningOpportunity:
            column = "pk"
        elif relation.related_model in PARTS:
            column = "opportunity_id"
        else:
            continue
        for start in range(0, len(ids), IDS_A_QUERY):
            rows = relation.related_model.objects.filter(
                **{f"{relation.field.name}__in": ids[start : start + IDS_A_QUERY]}
            )
            found.update(rows.order_by().values_list(column, flat=True).distinct())
    return found
