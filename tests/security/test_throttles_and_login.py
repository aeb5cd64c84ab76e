"""Brute force and floods: the admin sign-in locks after repeated failures (per account and
per address), and the anonymous API budget is counted per client address in the shared cache,
whatever X-Forwarded-For a client writes."""

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from django.urls import reverse
from rest_framework.views import APIView

from catalogue.api.throttles import AnonymousRateThrottle

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
LOCKED = "Too many failed sign-ins (5) for this account or from this address"
PASSWORD = "the-right-long-password"


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(
        "editor", password=PASSWORD, is_staff=True, is_superuser=True
    )


def sign_in(client, username, password, address="203.0.113.7", **headers):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        headers=headers,
    )


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(client, staff):
    for _ in range(4):
        response = sign_in(client, "editor", "guess")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.text
    assert sign_in(client, "editor", "guess").status_code == 429
    # The right password no longer helps, from this address or any other.
    for address in ("203.0.113.7", "198.51.100.20"):
        locked = sign_in(client, "editor", PASSWORD, address=address)
        assert locked.status_code == 429
        assert LOCKED in locked.text
    assert "_auth_user_id" not in client.session


def test_one_address_trying_many_accounts_is_locked(client, staff):
    for number in range(5):
        sign_in(client, f"someone{number}", "guess")
    assert sign_in(client, "editor", PASSWORD).status_code == 429
    # Another address signs in as usual.
    assert sign_in(client, "editor", PASSWORD, address="198.51.100.20").status_code == 302


def test_a_new_forwarded_address_each_time_does_not_escape_the_lock(client, staff):
    for number in range(5):
        sign_in(client, "nobody", "guess", x_forwarded_for=f"10.0.0.{number}")
    response = sign_in(client, "editor", PASSWORD, x_forwarded_for="10.9.9.9")
    assert response.status_code == 429


def test_a_success_before_the_limit_starts_the_count_again(client, staff):
    for _ in range(4):
        sign_in(client, "editor", "guess")
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "editor", "guess")
    assert sign_in(client, "editor", PASSWORD).status_code == 302


@pytest.fixture
def three_a_minute(monkeypatch):
    cache.clear()
    monkeypatch.setattr(AnonymousRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    yield
    cache.clear()


def statuses(client, count, **headers):
    return [
        client.get(reverse("api:eqf-levels"), headers=headers).status_code for _ in range(count)
    ]


def test_a_new_x_forwarded_for_each_time_does_not_reset_the_api_budget(client, three_a_minute):
    answers = [
        client.get(
            reverse("api:eqf-levels"), headers={"x-forwarded-for": f"192.0.2.{number}"}
        ).status_code
        for number in range(6)
    ]
    assert answers == [200, 200, 200, 429, 429, 429]


@override_settings(OCLO_NUM_PROXIES=1, REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": 1})
def test_behind_a_configured_proxy_each_client_has_its_own_budget(client, three_a_minute):
    # The proxy appends the address it saw; what the client wrote before it does not count.
    first = statuses(client, 4, x_forwarded_for="6.6.6.6, 192.0.2.1")
    second = statuses(client, 3, x_forwarded_for="7.7.7.7, 192.0.2.2")
    assert (first, second) == ([200, 200, 200, 429], [200, 200, 200])


def test_a_throttled_answer_says_when_to_come_back(client, three_a_minute):
    statuses(client, 3)
    response = client.get(reverse("api:opportunity-list"), {"q": "data"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"].startswith("Request was throttled.")


def test_the_budget_does_not_start_again_at_the_turn_of_the_minute(client, three_a_minute):
    """The requests of the last minute count, not those since the clock's minute began; and
    Retry-After is when the next one is answered."""
    with time_machine.travel(datetime(2026, 3, 10, 12, 0, 50, tzinfo=UTC), tick=False) as clock:
        assert statuses(client, 3) == [200, 200, 200]
        clock.move_to(datetime(2026, 3, 10, 12, 1, 5, tzinfo=UTC))
        refused = client.get(reverse("api:eqf-levels"))
        assert refused.status_code == 429
        wait = int(refused["Retry-After"])
        assert 0 < wait < 60
        clock.shift(wait)
        assert statuses(client, 1) == [200]


def test_requests_arriving_together_get_exactly_the_budget(three_a_minute):
    request = RequestFactory().get(reverse("api:eqf-levels"), REMOTE_ADDR="192.0.2.44")
    request.user = None
    together = threading.Barrier(12)

    def knock(_) -> bool:
        together.wait()
        return AnonymousRateThrottle().allow_request(request, APIView())

    at_half_past = datetime(2026, 3, 10, 12, 0, 30, tzinfo=UTC)
    with time_machine.travel(at_half_past, tick=False), ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(knock, range(12)))
    assert answers.count(True) == 3


COUNT_IN_ANOTHER_PROCESS = """
import django
django.setup()
from django.test import RequestFactory
from catalogue.api.throttles import AnonymousRateThrottle
from rest_framework.views import APIView
AnonymousRateThrottle.THROTTLE_RATES = {"anon": "3/minute"}
request = RequestFactory().get("/api/v1/eqf-levels/", REMOTE_ADDR="127.0.0.1")
request.user = None
print([AnonymousRateThrottle().allow_request(request, APIView()) for _ in range(2)])
"""


@pytest.mark.skipif(
    not os.environ.get("CACHE_URL"), reason="CACHE_URL is not set: each process has its own cache"
)
def test_the_budget_is_shared_between_processes(client, three_a_minute):
    assert statuses(client, 2) == [200, 200]
    other = subprocess.run(
        [sys.executable, "-c", COUNT_IN_ANOTHER_PROCESS],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "oclo.settings",
            "DATABASE_URL": "sqlite:///:memory:",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    # The other process sees the two requests made here: one more, then no more.
    assert other.stdout.strip() == "[True, False]"
    assert statuses(client, 1) == [429]
