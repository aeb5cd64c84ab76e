import sys

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from catalogue.filters import OpportunitySearchFilterSet
from catalogue.search.results import opportunity_search
from descriptors.formats.elm_xml import dump_loq
from descriptors.models import LearningOpportunity


class Command(BaseCommand):
    help = (
        "Write the published catalogue (or a search result) as one ELM LOQ XML 'Courses' "
        "document, valid against the official loq.xsd."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")
        parser.add_argument(
            "--query",
            default="",
            help="Search parameters as on the search page, e.g. 'q=data&eqf=6'.",
        )

    def handle(self, output, query, **options):
        if query:
            filterset = OpportunitySearchFilterSet(QueryDict(query))
            if not filterset.is_valid():
                raise CommandError(f"Invalid search parameters: {filterset.errors.as_json()}")
            result = opportunity_search(filterset.params(), page_size=10**9, with_facets=False)
            opportunities = LearningOpportunity.objects.filter(pk__in=result.ids)
        else:
            opportunities = LearningOpportunity.objects.published()
        document = dump_loq(opportunities.with_detail_data().order_by("pk"))
        if output:
            with open(output, "wb") as handle:
                handle.write(document)
        else:
            sys.stdout.buffer.write(document)
