import pytest
from django.urls import reverse

from tests.builders import make_opportunity

pytestmark = pytest.mark.django_db

LIST = reverse("catalogue:search")


def detail_url(opportunity):
    return reverse("catalogue:opportunity-detail", args=[opportunity.pk])


def test_search_page_query_count_does_not_grow_with_the_page(client, django_assert_max_num_queries):
    for _ in range(3):
        make_opportunity(complete=True)
    client.get(LIST)  # builds the in-memory facet index once
    with django_assert_max_num_queries(20) as few:
        client.get(LIST)
    queries_for_three = len(few.captured_queries)
    for _ in range(15):
        make_opportunity(complete=True)
    client.get(LIST)
    with django_assert_max_num_queries(queries_for_three):
        response = client.get(LIST)
    assert len(response.context["result"].opportunities) == 18


def test_repeated_searches_are_cached_until_the_catalogue_changes(
    client, django_assert_max_num_queries
):
    make_opportunity(complete=True, title="Cached course")
    client.get(LIST, {"q": "cached"})
    with django_assert_max_num_queries(3):  # the catalogue version check only
        assert client.get(LIST, {"q": "cached"}).context["result"].total == 1
    make_opportunity(complete=True, title="Another cached course")
    assert client.get(LIST, {"q": "cached"}).context["result"].total == 2
