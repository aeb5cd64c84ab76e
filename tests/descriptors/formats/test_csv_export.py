import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from descriptors.formats.csv_export import COLUMNS, dump_csv
from descriptors.models import LearningOpportunity
from tests.builders import make_opportunity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_catalogue")]

# The documented, frozen column order: columns may be appended, never moved or renamed.
FROZEN = [
    "id",
    "provider_reference",
    "title",
    "provider",
    "provider_country",
    "type",
    "eqf_level",
    "isced_f",
    "ects_credits",
    "workload_hours",
    "languages",
    "modes",
    "free",
    "fee_amount",
    "currency",
    "any_start_date",
    "start_date",
    "end_date",
    "homepage",
    "modified",
]


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_column_order_is_frozen():
    assert [name for name, _ in COLUMNS][: len(FROZEN)] == FROZEN


def test_search_result_as_csv_matches_the_search(client):
    response = client.get("/api/v1/learning-opportunities.csv", {"q": "fotografia", "page": "2"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    exported = rows(response.content.decode())
    assert len(exported) == 3  # the whole result, whatever the page
    first = next(row for row in exported if row["provider_reference"] == "LEICA-SP-1")
    assert first["ects_credits"] == "2" and first["fee_amount"] == "290.00"
    assert first["isced_f"] == "0211" and first["languages"] == "ITA"


def test_formula_looking_cells_are_neutralised():
    opportunity = make_opportunity(title='=HYPERLINK("http://evil.example","click")')
    text = dump_csv(LearningOpportunity.objects.with_card_data().filter(pk=opportunity.pk))
    assert rows(text)[0]["title"] == '\'=HYPERLINK("http://evil.example","click")'


def test_search_page_offers_the_csv_of_its_result(client):
    page = client.get("/", {"q": "data", "page": "1"})
    csv_url = reverse("api:opportunity-list-format", kwargs={"format": "csv"})
    assert f'href="{csv_url}?q=data"' in page.text
    assert len(rows(client.get(f"{csv_url}?q=data").content.decode())) == (
        page.context["result"].total
    )


def test_csv_matches_the_golden_file():
    import os
    from pathlib import Path

    golden = Path(__file__).parent / "golden" / "csv_leica_path.csv"
    # A row gives the next edition's dates: the day decides which edition that is.
    with time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=UTC)):
        text = dump_csv(
            LearningOpportunity.objects.with_card_data()
            .filter(provider__name="Leica Camera Italia")
            .order_by("provider_reference")
        )
    # Database ids and modification times differ from run to run.
    stable = (
        "\n".join(
            ",".join(["ID", *line.split(",")[1:-1], "MODIFIED"]) if index else line
            for index, line in enumerate(text.splitlines())
        )
        + "\n"
    )
    if os.environ.get("OCLO_UPDATE_GOLDEN"):  # after an intended change of the format
        golden.write_text(stable, encoding="utf-8")
    assert stable == golden.read_text(encoding="utf-8")
