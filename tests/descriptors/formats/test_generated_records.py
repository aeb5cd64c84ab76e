"""2,000 generated records, each in every format a partner reads: ELM LOQ XML (the official
schema and both SHACL shape sets) and JSON-LD saying the same, a lossless ELM round trip, the
Open Badges 3.0 schema and Google's rules for schema.org courses. Generated once for the module
(about 7,000 editions): what the demo's 33 records happen not to contain shows up here."""

import time

import pytest
from django.db import transaction
from django.urls import reverse
from lxml import etree

from catalogue.schema_org import course_jsonld
from catalogue.synthetic import catalogue_generate
from descriptors.formats.elm_jsonld import dump_jsonld
from descriptors.formats.elm_xml import dump_loq
from descriptors.formats.ob3 import dump_achievement
from descriptors.models import LearningOpportunity
from tests.catalogue.api.test_ob3 import in_a_credential, ob3_credential_validator
from tests.catalogue.test_schema_org import assert_google_course
from tests.conftest import SHARED
from tests.descriptors.formats.elm_rdf import jsonld_graph, loq_graph, rudof_conforms
from tests.descriptors.formats.test_elm_import import assert_round_trip
from tests.descriptors.formats.test_elm_linked_data import (
    assert_conforms,
    assert_counts,
    comparable,
)
from tests.descriptors.formats.test_elm_xml import assert_valid

pytestmark = [pytest.mark.django_db, pytest.mark.heavy]


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """2,000 synthetic published opportunities with their detail data, in id order."""
    with django_db_blocker.unblock(), transaction.atomic():
        catalogue_generate(2000, progress=lambda message: None)
        records = LearningOpportunity.objects.with_detail_data().filter(
            provider__name__startswith="Synthetic provider"
        )
        yield sorted(records, key=lambda opportunity: opportunity.pk)
        transaction.set_rollback(True)


def test_two_thousand_generated_records_are_valid_in_both_formats(generated, client):
    """The XML passes the schema and both shape sets, and the JSON-LD, read by rdflib, says
    the same (adding only the labels of concepts, which the shapes allow on any concept): one
    SHACL validation of some 200,000 statements instead of two. rudof validates all of them
    (pyshacl takes a minute); pyshacl, the reference, every tenth record."""
    started = time.perf_counter()
    assert len(generated) == 2000
    assert 100 < sum(len(opportunity.grants.all()) for opportunity in generated) < 300
    xml = dump_loq(generated)
    assert_valid(etree.XMLSchema(etree.parse(str(SHARED / "spec/elm/loq/loq.xsd"))), xml)
    from_xml = loq_graph(xml)
    assert rudof_conforms(from_xml) == (True, [])
    assert_conforms(loq_graph(dump_loq(generated[::10])))
    assert_counts(from_xml, generated)
    from_jsonld = jsonld_graph(dump_jsonld(generated), client)
    assert comparable(from_jsonld) == comparable(from_xml)
    print(f"2,000 records: XSD, SHACL, same statements in {time.perf_counter() - started:.1f} s")


def test_two_thousand_generated_records_survive_export_import_export(generated):
    assert_round_trip([opportunity.pk for opportunity in generated])


def test_two_thousand_generated_records_are_ob3_achievements_and_google_courses(generated):
    validator = ob3_credential_validator()
    for opportunity in generated:
        where = opportunity.provider_reference
        achievement = dump_achievement(opportunity)
        errors = sorted(
            error.message for error in validator.iter_errors(in_a_credential(achievement))
        )
        assert errors == [], f"{where}: {errors}"
        url = reverse("catalogue:opportunity-detail", args=[opportunity.pk])
        course = course_jsonld(opportunity, url)
        assert course["name"] == opportunity.title, where
        assert_google_course(course, where)
