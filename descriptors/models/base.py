"""What every model of the app shares: the vocabulary a concept field draws from, who made a
change (for the history), the visitor's language."""

from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.utils.translation import get_language
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from taxonomies.models import Scheme


def in_scheme(scheme: Scheme) -> dict:
    """``limit_choices_to`` for a concept field: the concepts of one vocabulary."""
    return {"scheme": scheme}


def history_user(request=None, **kwargs):
    """Who made a change, for the history: a person, or nobody for a system writing through
    the API (see ``_history_names_the_system``)."""
    user = getattr(request, "user", None)
    return user if isinstance(user, get_user_model()) else None


def history_system_writer() -> str:
    """The system writing in this request (an API token and its organisation), if it is one:
    no user to link, so history entries name it as their change reason instead."""
    request = getattr(HistoricalRecords.context, "request", None)
    writer = getattr(request, "user", None)
    if writer is not None and writer.is_authenticated and not isinstance(writer, get_user_model()):
        return str(writer)[:100]
    return ""


@receiver(pre_create_historical_record)
def _history_names_the_system(sender, history_instance, **kwargs):
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = history_system_writer()


def visitor_language() -> str:
    return (get_language() or "en").split("-")[0]
