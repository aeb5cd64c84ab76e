"""A provider filling in the admin form reads a label and a help text on every field, in their
language: each field the descriptors models declare names itself and says what to enter."""

import pytest
from django.apps import apps
from django.utils.functional import Promise
from simple_history.models import HistoricalChanges

# The history's bookkeeping (when, who, what kind of change) is django-simple-history's and no
# form shows it; the fields it copies from our models are checked on those models.
DECLARED_MODELS = [
    model
    for model in apps.get_app_config("descriptors").get_models()
    if not issubclass(model, HistoricalChanges)
]
DECLARED_FIELDS = [
    pytest.param(field, id=f"{model.__name__}.{field.name}")
    for model in DECLARED_MODELS
    for field in [*model._meta.local_fields, *model._meta.local_many_to_many]
    if not field.auto_created
]


@pytest.mark.parametrize("field", DECLARED_FIELDS)
def test_every_field_has_a_translatable_label_and_help_text(field):
    verbose_name = field.deconstruct()[3].get("verbose_name")
    assert isinstance(verbose_name, Promise), "verbose_name missing or not in gettext_lazy"
    assert isinstance(field.help_text, Promise), "help_text missing or not in gettext_lazy"
    assert str(field.help_text).strip()
