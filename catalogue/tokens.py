"""Issuing, revoking and checking organisation API tokens."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from catalogue.models import ApiToken


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, token: ApiToken) -> str:
    """Save a new token (organisation and name set) and return its secret, which is not
    stored and cannot be shown again."""
    key = secrets.token_urlsafe(32)
    token.prefix, token.digest = key[:8], _digest(key)
    token.save()
    return key


def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def api_token_check(key: str) -> ApiToken | None:
    token = (
        ApiToken.objects.active().select_related("organisation").filter(digest=_digest(key)).first()
    )
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token
