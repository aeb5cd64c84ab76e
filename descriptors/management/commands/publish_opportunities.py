from django.core.management.base import BaseCommand, CommandError

from descriptors.completeness import opportunity_completeness
from descriptors.management.arguments import organisation_named
from descriptors.models import LearningOpportunity
from descriptors.services import opportunities_publish


class Command(BaseCommand):
    help = (
        "Publish draft learning opportunities: a provider's (--provider), those a source first "
        "wrote (--source, as their history names it: 'spreadsheet import', an API token's "
        "name, ...), or every draft (--all-drafts). Each record is validated on its own; what "
        "a record still lacks of Annex I and the ELM LOQ profile is listed as a warning."
    )

    def add_arguments(self, parser):
        parser.add_argument("--provider", help="The organisation's exact name.")
        parser.add_argument(
            "--source",
            help="Drafts whose first history entry gives this reason (case-insensitive part).",
        )
        parser.add_argument("--all-drafts", action="store_true", help="Every draft.")
        parser.add_argument(
            "--complete-only",
            action="store_true",
            help="Leave drafts that lack mandatory elements as they are.",
        )
        parser.add_argument("--dry-run", action="store_true", help="List, publish nothing.")

    def handle(self, provider, source, all_drafts, complete_only, dry_run, **options):
        if not (provider or source or all_drafts):
            raise CommandError("Say which drafts: --provider, --source or --all-drafts.")
        drafts = LearningOpportunity.objects.filter(status=LearningOpportunity.Status.DRAFT)
        if provider:
            drafts = drafts.filter(provider=organisation_named(provider))
        if source:
            created_by_source = LearningOpportunity.history.filter(
                history_type="+", history_change_reason__icontains=source
            ).values("id")
            drafts = drafts.filter(pk__in=created_by_source)
        chosen, skipped = [], 0
        for opportunity in drafts.select_related("provider").order_by("provider__name", "pk"):
            missing = opportunity_completeness(opportunity).missing
            if missing:
                self._list_missing(opportunity, missing)
            if missing and complete_only:
                skipped += 1
                continue
            chosen.append(opportunity)
        if dry_run:
            self.stdout.write(
                f"Dry run: {len(chosen)} drafts would be published"
                f"{f', {skipped} left as drafts' if skipped else ''}."
            )
            return
        report = opportunities_publish(opportunities=chosen)
        for opportunity, problems in report.refused:
            reasons = " ".join(problems)
            self.stderr.write(f"not published: #{opportunity.pk} {opportunity}: {reasons}")
        self.stdout.write(
            f"{len(report.published)} published, {len(report.refused)} refused"
            f"{f', {skipped} left as drafts (incomplete)' if skipped else ''}."
        )

    def _list_missing(self, opportunity, missing) -> None:
        self.stdout.write(
            self.style.WARNING(
                f"#{opportunity.pk} {opportunity} ({opportunity.provider}) lacks: "
                + "; ".join(f"{item.label} [{item.source}]" for item in missing)
            )
        )
