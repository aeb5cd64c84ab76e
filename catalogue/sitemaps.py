"""sitemap.xml for search engines: the public pages, every published opportunity and every
provider that publishes one, each at its address in every interface language with the others
as hreflang alternates (split in files by Django's sitemap index)."""

from collections.abc import Sequence
from functools import cached_property

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.urls import reverse

from descriptors.models import LearningOpportunity, Organisation


class LanguagePairs(Sequence):
    """(item, language) for every item of a queryset and every interface language, read one
    slice of the queryset at a time. Django's i18n sitemap builds every pair in memory first
    (700,000 pairs of model instances at 100,000 records, for each file asked for)."""

    def __init__(self, items, languages: list[str]):
        self.items = items
        self.languages = languages

    @cached_property
    def item_count(self) -> int:
        return self.items.count() if isinstance(self.items, QuerySet) else len(self.items)

    def __len__(self) -> int:
        return self.item_count * len(self.languages)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _ = index.indices(len(self))
        per_item = len(self.languages)
        items = self.items[start // per_item : -(-stop // per_item)]
        pairs = [(item, language) for item in items for language in self.languages]
        offset = start % per_item
        return pairs[offset : offset + stop - start]


class InEveryLanguage(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    # Each address carries one alternate per language: 5,000 addresses make a file of 4 MB
    # (about 3 s to render; Django's 50,000 would be 40 MB).
    limit = 5000

    @property
    def paginator(self):
        languages = [code for code, _ in settings.LANGUAGES]
        return Paginator(LanguagePairs(self.items(), languages), self.limit)


class PagesSitemap(InEveryLanguage):
    def items(self):
        return [
            "catalogue:search",
            "catalogue:about",
            "catalogue:browse-fields",
            "catalogue:browse-levels",
            "catalogue:browse-providers",
            "catalogue:browse-skills",
        ]

    def location(self, item):
        return reverse(item)


class OpportunitySitemap(InEveryLanguage):
    def items(self):
        return LearningOpportunity.objects.published().only("pk", "modified").order_by("pk")

    def lastmod(self, opportunity):
        return opportunity.modified

    def location(self, opportunity):
        return reverse("catalogue:opportunity-detail", args=[opportunity.pk])


class ProviderSitemap(InEveryLanguage):
    def items(self):
        published = LearningOpportunity.objects.published()
        return (
            Organisation.objects.filter(pk__in=published.values("provider"))
            .only("pk")
            .order_by("pk")
        )

    def location(self, organisation):
        return reverse("catalogue:provider", args=[organisation.pk])


SITEMAPS = {
    "pages": PagesSitemap,
    "opportunities": OpportunitySitemap,
    "providers": ProviderSitemap,
}
