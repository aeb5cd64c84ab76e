"""Language prefixes of public page addresses."""

from django.urls import LocalePrefixPattern, URLResolver
from django.utils.translation import get_language_from_path


class OptionalLanguagePrefix(LocalePrefixPattern):
    """/it/about/ is the Italian page; /about/ is the English one, and also answers a visitor
    whose cookie or browser asks for another language (a bookmark, a shared link).

    Django's pattern only matches an unprefixed path while English is active, so a negotiated
    language would turn every unprefixed address into a 404.
    """

    def match(self, path):
        prefix = self.language_prefix
        if prefix and path.startswith(prefix):
            return path.removeprefix(prefix), (), {}
        if not get_language_from_path(f"/{path}"):
            return path, (), {}
        return None


def language_prefixed(*urls) -> list[URLResolver]:
    """``i18n_patterns`` with English unprefixed and unprefixed paths open to every language."""
    return [URLResolver(OptionalLanguagePrefix(prefix_default_language=False), list(urls))]
