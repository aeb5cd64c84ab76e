"""sitemap.xml for search engines: the public pages, every published opportunity and every
provider that publishes one (split in files of 50,000 URLs by Django's sitemap index)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from descriptors.models import LearningOpportunity, Organisation


class PagesSitemap(Sitemap):
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


class OpportunitySitemap(Sitemap):
    def items(self):
        return LearningOpportunity.objects.published().only("pk", "modified").order_by("pk")

    def lastmod(self, opportunity):
        return opportunity.modified

    def location(self, opportunity):
        return reverse("catalogue:opportunity-detail", args=[opportunity.pk])


class ProviderSitemap(Sitemap):
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
