"""Reads of the reference vocabularies that pages and the API share."""

from django.core.cache import cache

from taxonomies.models import EscoRelease

ESCO_VERSION_CACHE_KEY = "taxonomies:esco-version"
# Every page shows the version: read it once a minute per process, not once per page. An
# import clears it (taxonomies.esco), so the process that imported sees the new one at once.
ESCO_VERSION_CACHE_SECONDS = 60


def esco_version() -> str:
    """The version of the ESCO release loaded last ("unknown" before any import)."""
    version = cache.get(ESCO_VERSION_CACHE_KEY)
    if version is None:
        release = EscoRelease.current()
        version = release.version if release else "unknown"
        cache.set(ESCO_VERSION_CACHE_KEY, version, ESCO_VERSION_CACHE_SECONDS)
    return version
