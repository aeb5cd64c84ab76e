"""Language prefixes of public page addresses."""

from django.conf import settings
from django.urls import LocalePrefixPattern, URLResolver
from django.utils.translation import get_language_from_path


class OptionalLanguagePrefix(LocalePrefixPattern):
    """/it/about/ is the Italian page; /about/ is the English one, and also answers a visitor
    whose cookie or browser asks for another language (a bookmark, a shared link).

    Django's pattern matches only the prefix of the active language, so a negotiated language
    would turn every unprefixed address into a 404, and the language switcher (which resolves
    the page it came from in the language of its own request) could not translate /fr/about/.
    """

    def match(self, path):
        language = get_language_from_path(f"/{path}")
        if language is None:
            return path, (), {}
        prefix = f"{language}/"
        if language == settings.LANGUAGE_CODE or not path.startswith(prefix):
            return None  # English has one address, the unprefixed one
        return path.removeprefix(prefix), (), {}


def language_prefixed(*urls) -> list[URLResolver]:
    """``i18n_patterns`` with English unprefixed and unprefixed paths open to every language."""
    return [URLResolver(OptionalLanguagePrefix(prefix_default_language=False), list(urls))]
