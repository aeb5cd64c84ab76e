import gzip
import json

from django.core.management.base import BaseCommand

from catalogue.api.serializers import OpportunityDetailSerializer
from descriptors.models import LearningOpportunity

BATCH = 500


class Command(BaseCommand):
    help = (
        "Write every published learning opportunity as gzipped JSON lines, one opportunity per "
        "line with the API detail's fields in their documented order (nightly-style dump)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True, help="e.g. catalogue.jsonl.gz")
        parser.add_argument(
            "--base-url",
            default="https://oclo.example.org",
            help="Site address used in each record's url field.",
        )

    def handle(self, output, base_url, **options):
        ids = list(
            LearningOpportunity.objects.published().order_by("pk").values_list("pk", flat=True)
        )
        with gzip.open(output, "wt", encoding="utf-8") as handle:
            for start in range(0, len(ids), BATCH):
                batch = (
                    LearningOpportunity.objects.with_detail_data()
                    .filter(pk__in=ids[start : start + BATCH])
                    .order_by("pk")
                )
                for opportunity in batch:
                    data = OpportunityDetailSerializer(
                        opportunity, context={"base_url": base_url.rstrip("/")}
                    ).data
                    handle.write(json.dumps(data, ensure_ascii=False) + "\n")
        self.stdout.write(f"{len(ids)} opportunities written to {output}")
