"""ELM LOQ import: lossless round trips, the identity rule, official code lists, and a report
that names everything it could not keep."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings

from catalogue.models import CatalogueChange
from descriptors.elm_import import elm_import
from descriptors.formats.elm_xml import dump_loq
from descriptors.models import Edition, Grant, LearningOpportunity, Organisation
from descriptors.services import opportunities_stored
from taxonomies.models import Concept, IscedField, Scheme
from tests.builders import concept, make_edition, make_opportunity, make_organisation
from tests.descriptors.formats.test_elm_xml import assert_valid

pytestmark = pytest.mark.django_db

LOQ_NS = "http://data.europa.eu/snb/model/ap/loq-constraints/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
EUR = "http://publications.europa.eu/resource/authority/currency/EUR"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
NUTS = "http://data.europa.eu/nuts/code/"


def snapshot(ids) -> dict:
    """Every stored value of these records, children with their ids, and ``modified``."""
    stored = opportunities_stored(ids)
    modified = dict(LearningOpportunity.objects.filter(pk__in=ids).values_list("pk", "modified"))
    return {
        pk: (record.values, dict(record.relations), record.children, modified[pk])
        for pk, record in stored.items()
    }


def export(ids) -> bytes:
    return dump_loq(
        LearningOpportunity.objects.with_detail_data().filter(pk__in=ids).order_by("pk")
    )


def assert_round_trip(ids) -> None:
    before = snapshot(ids)
    changes = CatalogueChange.objects.count()
    first = export(ids)
    report = elm_import(first)
    assert report.rejected == []
    assert (report.created, report.updated) == ([], [])
    assert sorted(report.unchanged) == sorted(ids)
    assert report.dropped == {}
    assert snapshot(ids) == before  # field by field, children keep their ids, same `modified`
    assert CatalogueChange.objects.count() == changes  # nothing changed, nothing logged
    assert export(ids) == first


@pytest.mark.usefixtures("demo_catalogue")
def test_every_demo_record_survives_export_import_export():
    ids = list(LearningOpportunity.objects.values_list("pk", flat=True))
    assert len(ids) == 33
    assert_round_trip(ids)


@pytest.mark.usefixtures("demo_catalogue")
def test_an_import_that_changes_one_descriptor_updates_only_that_record():
    record = LearningOpportunity.objects.get(provider_reference="DHBW-DMH-2026")
    ids = list(LearningOpportunity.objects.values_list("pk", flat=True))
    before = snapshot(ids)
    document = export(ids).replace(
        b"Digitales Marketing im Handel</title>", b"Digitales Marketing im Einzelhandel</title>"
    )
    report = elm_import(document)
    assert report.updated == [record.pk] and len(report.unchanged) == 32
    after = snapshot(ids)
    assert after[record.pk][0]["title"] == "Digitales Marketing im Einzelhandel"
    # Outcomes, assessments and the rest keep their rows: nothing is renumbered.
    assert after[record.pk][2] == before[record.pk][2]
    assert {pk: value for pk, value in after.items() if pk != record.pk} == {
        pk: value for pk, value in before.items() if pk != record.pk
    }
    assert (
        list(
            CatalogueChange.objects.filter(opportunity_id=record.pk).values_list("kind", flat=True)
        )[-1]
        == "updated"
    )


@pytest.mark.usefixtures("demo_catalogue")
def test_another_installations_export_updates_by_provider_and_identifier_not_by_id():
    """The same catalogue exported by another installation (another base URL): its ids mean
    nothing here, so records are found by their provider (by name) and identifier."""
    ids = list(LearningOpportunity.objects.values_list("pk", flat=True))
    before = snapshot(ids)
    with override_settings(OCLO_BASE_URL="https://oclo.other.example"):
        document = export(ids)
    report = elm_import(document)
    assert report.rejected == [] and report.created == []
    assert sorted(report.unchanged + report.updated) == sorted(ids)
    after = snapshot(ids)
    assert {pk: values[0]["title"] for pk, values in after.items()} == {
        pk: values[0]["title"] for pk, values in before.items()
    }


def test_an_organisations_legal_identifier_travels_and_is_never_erased_nor_replaced():
    """Written as ELM's legalIdentifier (LOQ ``registration``), read back into an organisation
    an import creates, filled in where ours has none, and never erased nor replaced: a document
    names organisations the importing one may not edit."""
    provider = make_organisation("Registered provider", legal_identifier="IT01234567890")
    course = make_opportunity(provider, complete=True, title="Registered course")
    with override_settings(OCLO_BASE_URL="https://oclo.other.example"):
        document = export([course.pk])
    registration = re.compile(rb"<registration>.*?</registration>", re.DOTALL)
    assert registration.findall(document) == [
        b"<registration>\n        <skos:notation>IT01234567890</skos:notation>\n        "
        b'<spatial uri="http://publications.europa.eu/resource/authority/country/ITA"/>\n      '
        b"</registration>"
    ]
    provider.name = "Registered provider, renamed here"
    provider.save()

    report = elm_import(document, create_organisations=True)
    assert report.rejected == [] and report.organisations_created == ["Registered provider"]
    created = Organisation.objects.get(name="Registered provider")
    assert created.legal_identifier == "IT01234567890"

    created.legal_identifier = ""
    created.save()
    elm_import(document)
    created.refresh_from_db()
    assert created.legal_identifier == "IT01234567890"  # filled in

    elm_import(registration.sub(b"", document))
    elm_import(document.replace(b"IT01234567890", b"IT99999999999"))
    created.refresh_from_db()
    assert created.legal_identifier == "IT01234567890"  # neither erased nor replaced


def test_ids_that_collide_with_local_keys_never_touch_local_records():
    """Another system's ids that look like ours (our former ``urn:oclo`` scheme, or another
    installation's URLs) name records of its own: matched by (provider, identifier), they
    arrive as new drafts and the local records with those numbers stay as they were."""
    mine = make_organisation("Local provider")
    local = [make_opportunity(mine, title=f"Local course {n}") for n in range(2)]
    before = snapshot([record.pk for record in local])
    foreign = make_organisation("Foreign provider", country="DEU")
    document = foreign_document(
        [
            record(f"urn:oclo:opportunity:{local[0].pk}", title="Intruder one"),
            record(
                f"https://oclo.other.example/elm/opportunity/{local[1].pk}", title="Intruder two"
            ),
        ],
        provider_name="Foreign provider",
    )
    report = elm_import(document)
    assert report.rejected == [] and len(report.created) == 2
    assert snapshot([record.pk for record in local]) == before
    created = LearningOpportunity.objects.filter(pk__in=report.created)
    assert {o.title for o in created} == {"Intruder one", "Intruder two"}
    assert {o.provider for o in created} == {foreign}
    assert {o.status for o in created} == {"draft"}  # foreign records arrive as drafts
    # A micro-credential is its specification, an edition its learning opportunity: each
    # known by the provider's identifier, else its id in the document.
    assert set(created.values_list("provider_reference", flat=True)) == {
        "https://lms.example/spec/0",
        "https://lms.example/spec/1",
    }
    assert set(
        Edition.objects.filter(opportunity__in=created).values_list("reference", flat=True)
    ) == {
        f"urn:oclo:opportunity:{local[0].pk}",
        f"https://oclo.other.example/elm/opportunity/{local[1].pk}",
    }
    again = elm_import(document)  # the same document again: the same records
    assert sorted(again.unchanged) == sorted(report.created)


def test_a_provider_import_refuses_another_organisations_own_records():
    owner = make_organisation("Owner")
    other = make_organisation("Other")
    record_ = make_opportunity(owner, complete=True, title="Owned")
    document = export([record_.pk]).replace(b"Owned</title>", b"Hijacked</title>")
    report = elm_import(document, provider=other)
    assert [r.reason for r in report.rejected] == [
        "this opportunity belongs to another organisation"
    ]
    record_.refresh_from_db()
    assert record_.title == "Owned"


def test_what_the_catalogue_cannot_keep_is_counted_and_prices_are_all_kept(capsys, tmp_path):
    make_organisation("Foreign provider", country="DEU")
    document = foreign_document(
        [
            record(
                "https://lms.example/course/1",
                title="Sketching",
                volume="PT1H30M",
                prices=[("0.00", "Audit track"), ("49.00", "Verified certificate")],
                specification_extra="<maximumDuration>P1Y</maximumDuration>",
                extra='<publisher idref="https://lms.example/org/2"/>',  # not its provider
            ),
            record("https://lms.example/course/2", title="Drawing", volume="PT1H30M"),
        ],
        provider_name="Foreign provider",
    )
    path = tmp_path / "courses.xml"
    path.write_bytes(document)
    call_command("import_elm", str(path))
    output = capsys.readouterr().out
    assert output.startswith("2 created, 0 updated, 0 unchanged, 0 rejected")
    assert "dropped: volumeOfLearning not in whole hours (e.g. PT1H30M) x 2" in output
    assert "dropped: learningAchievementSpecification/maximumDuration x 1" in output
    assert "dropped: learningOpportunity/publisher x 1" in output
    sketching = LearningOpportunity.objects.get(title="Sketching")
    edition = sketching.editions.get()
    assert (edition.is_free, edition.fee_amount, edition.currency.code) == (False, 49, "EUR")
    assert edition.fee_note == "Audit track free; Verified certificate 49.00 EUR"
    assert sketching.workload_hours is None


def test_official_codes_are_accepted_with_their_label_and_unknown_ones_reject_the_record():
    make_organisation("Foreign provider", country="DEU")
    assert not Concept.objects.filter(scheme=Scheme.LANGUAGE, code="JPN").exists()
    document = foreign_document(
        [
            record(
                "https://lms.example/a", title="Japanese for travel", language="JPN", isced="9999"
            ),
            record("https://lms.example/b", title="Made up", language="XYZ"),
        ],
        provider_name="Foreign provider",
    )
    last = CatalogueChange.objects.order_by("-sequence").values_list("sequence", flat=True)
    last = last.first() or 0
    report = elm_import(document)
    assert [(r.record, r.reason) for r in report.rejected] == [
        ("https://lms.example/b", f"defaultLanguage: '{LANGUAGE}XYZ' is not a known value.")
    ]
    japanese = Concept.objects.get(scheme=Scheme.LANGUAGE, code="JPN")
    assert (japanese.label, japanese.short_code) == ("Japanese", "ja")
    assert IscedField.objects.get(code="9999").name == "Field unknown"
    assert IscedField.objects.get(code="9999").parent.parent.code == "99"
    assert not Concept.objects.filter(code="XYZ").exists()
    imported = LearningOpportunity.objects.get(pk__in=report.created)
    assert imported.default_language == japanese
    # The rejected record left nothing behind: one entry, the imported record's.
    assert list(
        CatalogueChange.objects.filter(sequence__gt=last).values_list("opportunity_id", flat=True)
    ) == [imported.pk]
    assert "language JPN (Japanese)" in report.vocabulary_added


def test_references_may_point_forwards_and_missing_ones_reject_the_record():
    make_organisation("Foreign provider", country="DEU")
    document = foreign_document(
        [record("https://lms.example/x", title="Broken", outcome_ref="https://lms.example/none")],
        provider_name="Foreign provider",
    )
    report = elm_import(document)
    assert [r.reason for r in report.rejected] == [
        "learningOutcome points to https://lms.example/none, which the document does not contain"
    ]
    assert not Organisation.objects.filter(name="x").exists()


# --- A small foreign document ---------------------------------------------------------------


def record(
    record_id: str,
    *,
    title: str,
    language: str = "ENG",
    isced: str = "0613",
    volume: str = "PT25H",
    prices=(),
    extra: str = "",
    specification_extra: str = "",
    outcome_ref: str | None = None,
) -> dict:
    return {
        "id": record_id,
        "title": title,
        "language": language,
        "isced": isced,
        "volume": volume,
        "prices": prices,
        "extra": extra,
        "specification_extra": specification_extra,
        "outcome_ref": outcome_ref,
    }


def foreign_document(records: list[dict], *, provider_name: str) -> bytes:
    """A LOQ document from another system: organisation last, references pointing forwards."""
    opportunities, specifications, outcomes = [], [], []
    for n, item in enumerate(records):
        prices = "".join(
            f'<priceDetail><amount><unit uri="{EUR}"/><value>{value}</value></amount>'
            f'<skos:prefLabel language="en">{label}</skos:prefLabel></priceDetail>'
            for value, label in item["prices"]
        )
        outcome = item["outcome_ref"] or f"https://lms.example/outcome/{n}"
        opportunities.append(
            f"""<learningOpportunity id="{item["id"]}">
      <title language="en">{item["title"]}</title>
      <homepage><contentUrl>https://lms.example/{n}</contentUrl></homepage>
      {prices}
      <providedBy idref="https://lms.example/org/1"/>
      <learningAchievementSpecification idref="https://lms.example/spec/{n}"/>
      <defaultLanguage uri="{LANGUAGE}{item["language"]}"/>
      {item["extra"]}
    </learningOpportunity>"""
        )
        specifications.append(
            f"""<learningAchievementSpecification id="https://lms.example/spec/{n}">
      <title language="en">{item["title"]}</title>
      <ISCEDFCode uri="http://data.europa.eu/snb/isced-f/{item["isced"]}"/>
      <volumeOfLearning>{item["volume"]}</volumeOfLearning>
      {item["specification_extra"]}
      <learningOutcome idref="{outcome}"/>
    </learningAchievementSpecification>"""
        )
        outcomes.append(
            f"""<learningOutcome id="https://lms.example/outcome/{n}">
      <title language="en">Draw what you see.</title>
    </learningOutcome>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Courses xmlns="{LOQ_NS}" xmlns:skos="http://www.w3.org/2004/02/skos/core#" xsdVersion="3.1.0">
  <learningOpportunityReferences>{"".join(opportunities)}</learningOpportunityReferences>
  <learningAchievementSpecificationReferences>{"".join(specifications)}
  </learningAchievementSpecificationReferences>
  <learningOutcomeReferences>{"".join(outcomes)}</learningOutcomeReferences>
  <agentReferences>
    <organisation id="https://lms.example/org/1">
      <legalName language="en">{provider_name}</legalName>
    </organisation>
  </agentReferences>
</Courses>""".encode()


def test_a_micro_credential_with_several_editions_survives_export_import_export():
    """Each published edition travels as a learning opportunity of the one specification, with
    what only it has (code, dates, price, places, own place, modes and languages); the
    unpublished one stays as it was; ids and ``modified`` are kept."""
    provider = make_organisation("Editions provider")
    course = make_opportunity(provider, complete=True, title="Data literacy")
    english, italian = concept(Scheme.LANGUAGE, "ENG"), concept(Scheme.LANGUAGE, "ITA")
    euro = concept(Scheme.CURRENCY, "EUR")
    spring = make_edition(
        course,
        reference="2027-spring",
        start_date=date(2027, 3, 1),
        end_date=date(2027, 4, 12),
        duration="P6W",
        fee_amount=Decimal("300.00"),
        currency=euro,
        fee_note="Early bird",
        places=25,
        homepage="https://example.org/course/spring",
    )
    autumn = make_edition(
        course,
        reference="2027-autumn",
        start_date=date(2027, 10, 4),
        is_free=True,
        location="Padova",
        status=Edition.Status.PLANNED,
        modes=[concept(Scheme.MODE, "9191af2ed9")],
        languages=[english, italian],
    )
    draft = make_edition(course, reference="2028", is_published=False, places=10)
    assert_round_trip([course.pk])
    document = export([course.pk])
    assert document.count(b"<learningOpportunity id=") == 2  # the published editions
    assert document.count(b"<learningAchievementSpecification id=") == 1
    assert set(course.editions.values_list("pk", flat=True)) == {spring.pk, autumn.pk, draft.pk}


def course_with_grants() -> LearningOpportunity:
    """A micro-credential with two published editions and two grants, one with all a grant
    says, one with its title only."""
    course = make_opportunity(
        make_organisation(),
        complete=True,
        title="Solar panel installation",
        editions=[{"reference": "2027-spring"}, {"reference": "2027-autumn"}],
    )
    Grant.objects.create(
        opportunity=course,
        title="Regional training voucher",
        description="For residents of the region; it covers the whole fee.",
        homepage="https://example.org/voucher",
    )
    Grant.objects.create(opportunity=course, title="Erasmus+ scholarship")
    return course


def grants_in(offering) -> list[tuple]:
    """Each grant element of a learning opportunity: its title, title language, description
    and web page."""
    return [
        (
            grant.findtext(f"{{{LOQ_NS}}}title"),
            grant.find(f"{{{LOQ_NS}}}title").get("language"),
            grant.findtext(f"{{{LOQ_NS}}}description"),
            grant.findtext(f"{{{LOQ_NS}}}supplementaryDocument/{{{LOQ_NS}}}contentUrl"),
        )
        for grant in offering.iterfind(f"{{{LOQ_NS}}}grant")
    ]


def test_grants_travel_in_every_edition_and_come_back_once(loq_schema):
    """LOQ gives a grant no id to refer to it by: each learning opportunity of the
    micro-credential carries them all, and the import keeps each once."""
    course = course_with_grants()
    document = export([course.pk])
    tree = assert_valid(loq_schema, document)
    offerings = tree.findall(f"{{{LOQ_NS}}}learningOpportunityReferences/*")
    assert [grants_in(offering) for offering in offerings] == 2 * [
        [
            (
                "Regional training voucher",
                "en",
                "For residents of the region; it covers the whole fee.",
                "https://example.org/voucher",
            ),
            ("Erasmus+ scholarship", "en", None, None),
        ]
    ]
    assert_round_trip([course.pk])

    grants = list(course.grants.values("title", "description", "homepage"))
    assert len(grants) == 2
    course.grants.all().delete()
    report = elm_import(document)
    assert (report.rejected, report.updated, report.dropped) == ([], [course.pk], {})
    assert list(course.grants.values("title", "description", "homepage")) == grants


def test_another_systems_grants_are_kept_once_and_one_the_model_refuses_rejects_its_record():
    """A grant repeated in two runs is one grant; a second web page and a title in another
    language are counted as dropped; a web page that is no web address rejects the record."""
    make_organisation("Foreign provider", country="DEU")
    voucher = (
        '<grant><title language="en">Voucher</title><supplementaryDocument>'
        "<contentUrl>https://lms.example/voucher</contentUrl></supplementaryDocument></grant>"
    )
    bursary = (
        '<grant><title language="de">Stipendium</title><title language="en">Bursary</title>'
        '<description language="en">For two learners a year.</description>'
        "<supplementaryDocument><contentUrl>https://lms.example/bursary/rules</contentUrl>"
        "</supplementaryDocument><contentUrl>https://lms.example/bursary</contentUrl></grant>"
    )
    broken = (
        '<grant><title language="en">Loan</title><contentUrl>lms.example/loan</contentUrl></grant>'
    )
    runs = [
        record("https://lms.example/run/a", title="Sketching", extra=voucher),
        record("https://lms.example/run/b", title="Sketching", extra=voucher + bursary),
        record("https://lms.example/run/c", title="Drawing", extra=broken),
    ]
    document = foreign_document(runs, provider_name="Foreign provider").replace(
        b'idref="https://lms.example/spec/1"', b'idref="https://lms.example/spec/0"'
    )
    report = elm_import(document)
    assert [rejection.reason for rejection in report.rejected] == [
        "Grant 'Loan': homepage: Enter a valid URL."
    ]
    assert report.dropped == {
        "learningOpportunity/grant/title in another language": 1,
        "learningOpportunity/grant/web page after the first": 1,
    }
    course = LearningOpportunity.objects.get(pk=report.created[0])
    assert list(course.grants.values_list("title", "description", "homepage")) == [
        ("Voucher", "", "https://lms.example/voucher"),
        ("Bursary", "For two learners a year.", "https://lms.example/bursary/rules"),
    ]
    assert elm_import(document).unchanged == [course.pk]


def test_a_region_travels_in_the_location_and_comes_back(loq_schema):
    """The NUTS region is the spatial code of the place where the course is given, beside the
    country's address."""
    course = make_opportunity(
        make_organisation(), complete=True, location="Venezia", region=concept(Scheme.NUTS, "ITH35")
    )
    course.countries.set([concept(Scheme.COUNTRY, "ITA")])
    tree = assert_valid(loq_schema, export([course.pk]))
    place = tree.find(f"{{{LOQ_NS}}}locationReferences/{{{LOQ_NS}}}location")
    assert [code.get("uri") for code in place.iterfind(f"{{{LOQ_NS}}}spatialCode")] == [
        "http://data.europa.eu/nuts/code/ITH35"
    ]
    assert_round_trip([course.pk])


def course_located(*, spatial_codes: list[str], countries: list[str]) -> bytes:
    """Another system's course given at one place, with these spatial codes and an address
    per country."""
    codes = "".join(f'<spatialCode uri="{NUTS}{code}"/>' for code in spatial_codes)
    addresses = "".join(
        f'<address id="https://lms.example/address/{code}"><countryCode uri="{COUNTRY}{code}"/>'
        "</address>"
        for code in countries
    )
    place = (
        '<locationReferences><location id="https://lms.example/place">'
        f"{codes}{addresses}</location></locationReferences></Courses>"
    )
    course = record(
        "https://lms.example/course/venice",
        title="Urban regeneration",
        extra='<location idref="https://lms.example/place"/>',
    )
    document = foreign_document([course], provider_name="Foreign provider")
    return document.replace(b"</Courses>", place.encode())


@pytest.mark.parametrize(
    ("spatial_codes", "countries", "kept", "dropped"),
    [
        (["ITH35"], [], ("ITH35", ["ITA"]), {}),  # the region alone: its country comes with it
        (["EL30"], ["GRC"], ("EL30", ["GRC"]), {}),  # NUTS says EL where ISO 3166 says GR
        (
            ["ITH35", "ITC4C"],
            ["ITA"],
            ("ITH35", ["ITA"]),
            {"location spatialCode region after the first": 1},
        ),
    ],
)
def test_another_systems_region_is_kept_with_its_country(spatial_codes, countries, kept, dropped):
    make_organisation("Foreign provider", country="DEU")
    report = elm_import(course_located(spatial_codes=spatial_codes, countries=countries))
    assert (report.rejected, report.dropped) == ([], dropped)
    course = LearningOpportunity.objects.get(pk=report.created[0])
    assert (course.region.code, sorted(course.countries.values_list("code", flat=True))) == kept


def test_a_region_outside_the_official_list_rejects_its_record():
    make_organisation("Foreign provider", country="DEU")
    report = elm_import(course_located(spatial_codes=["ITH99"], countries=["ITA"]))
    assert [rejection.reason for rejection in report.rejected] == [
        f"location spatialCode: '{NUTS}ITH99' is not a known value."
    ]
    assert not LearningOpportunity.objects.filter(title="Urban regeneration").exists()


def test_opportunities_sharing_a_specification_become_one_micro_credential_with_editions():
    """Another system's document: two learning opportunities (runs of a course) of one
    specification are one micro-credential with two editions, each known by its identifier,
    so that the document again changes nothing and a changed date changes that edition."""
    make_organisation("Foreign provider", country="DEU")
    runs = [
        record(
            "https://lms.example/run/a",
            title="Sketching",
            prices=[("120.00", "Fee")],
            extra="<temporal><startDate>2027-02-01T00:00:00</startDate></temporal>",
        ),
        record(
            "https://lms.example/run/b",
            title="Sketching",
            extra="<temporal><startDate>2027-09-01T00:00:00</startDate></temporal>",
        ),
    ]
    document = foreign_document(runs, provider_name="Foreign provider").replace(
        b'idref="https://lms.example/spec/1"', b'idref="https://lms.example/spec/0"'
    )
    report = elm_import(document)
    assert (report.rejected, len(report.created)) == ([], 1)
    course = LearningOpportunity.objects.get(pk=report.created[0])
    assert course.provider_reference == "https://lms.example/spec/0"
    editions = list(course.editions.order_by("start_date"))
    assert [(e.reference, e.start_date, e.fee_amount) for e in editions] == [
        ("https://lms.example/run/a", date(2027, 2, 1), Decimal("120.00")),
        ("https://lms.example/run/b", date(2027, 9, 1), None),
    ]
    assert elm_import(document).unchanged == [course.pk]
    moved = document.replace(b"2027-09-01T00:00:00", b"2027-10-01T00:00:00")
    assert elm_import(moved).updated == [course.pk]
    assert [(e.pk, e.start_date) for e in course.editions.order_by("start_date")] == [
        (editions[0].pk, date(2027, 2, 1)),
        (editions[1].pk, date(2027, 10, 1)),
    ]
