"""Reads of the reference vocabularies that pages and the API share."""

from django.core.cache import cache

from taxonomies.models import EscoOccupationLabel, EscoRelease

ESCO_VERSION_CACHE_KEY = "taxonomies:esco-version"
OCCUPATION_LANGUAGES_CACHE_KEY = "taxonomies:occupation-label-languages"
# Every page shows the version: read it once a minute per process, not once per page. An
# import clears it and the languages of occupation names (taxonomies.esco), so the process
# that imported sees the new ones at once.
ESCO_VERSION_CACHE_SECONDS = 60


def esco_version() -> str:
    """The version of the ESCO release loaded last ("unknown" before any import)."""
    version = cache.get(ESCO_VERSION_CACHE_KEY)
    if version is None:
        release = EscoRelease.current()
        version = release.version if release else "unknown"
        cache.set(ESCO_VERSION_CACHE_KEY, version, ESCO_VERSION_CACHE_SECONDS)
    return version


def occupation_labels_loaded(language: str) -> bool:
    """Whether occupations can be found by their names in ``language`` (English always: the
    bundle's own; others when their ``occupations_<lang>.csv`` was imported)."""
    languages = cache.get(OCCUPATION_LANGUAGES_CACHE_KEY)
    if languages is None:
        languages = {"en"} | set(
            EscoOccupationLabel.objects.order_by().values_list("language", flat=True).distinct()
        )
        cache.set(OCCUPATION_LANGUAGES_CACHE_KEY, languages, ESCO_VERSION_CACHE_SECONDS)
    return language in languages
