"""Descriptor values in a learner's words: dates, durations, prices, EQF hints."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.formats import date_format

from catalogue.learner import duration_in_words, eqf_hint, money


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "9 Feb 2026"),
        ("it", "9 feb 2026"),
        ("fr", "9 fév. 2026"),
        ("es", "9 feb 2026"),
        ("de", "9. Feb. 2026"),
        ("nl", "9 feb 2026"),
        ("lt", "2026 m. vasario 9 d."),
    ],
)
def test_dates_put_the_day_first_and_the_month_in_words(language, expected):
    with translation.override(language):
        assert date_format(date(2026, 2, 9), "DATE_FORMAT") == expected
        assert date_format(date(2026, 2, 9), "SHORT_DATE_FORMAT") == expected


@pytest.mark.parametrize(
    ("iso", "expected"),
    [
        ("P4M", "4 months"),
        ("P6W", "6 weeks"),
        ("P1Y6M", "1 year 6 months"),
        ("P1D", "1 day"),
        ("PT30H", "30 hours"),
        ("P0M2W", "2 weeks"),
        ("not a duration", "not a duration"),
    ],
)
def test_durations_read_in_words(iso, expected):
    with translation.override("en"):
        assert duration_in_words(iso) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        ("800.00", "EUR", "en", "€800"),
        ("1250.50", "EUR", "en", "€1,250.50"),
        ("800.00", "EUR", "it", "800\u00a0€"),
        ("1250.50", "EUR", "it", "1.250,50\u00a0€"),
        ("30", "CHF", "en", "CHF 30"),
        ("30", "CHF", "it", "30 CHF"),
        ("99", "GBP", "en", "£99"),
        ("1250.50", "EUR", "fr", "1\u00a0250,50\u00a0€"),
        ("1250.50", "EUR", "de", "1.250,50\u00a0€"),
        ("1250.50", "EUR", "nl", "€ 1.250,50"),
        ("800", "EUR", "lt", "800\u00a0€"),
    ],
)
def test_money_follows_the_language(amount, currency, language, expected):
    assert money(Decimal(amount), currency, language) == expected


def test_each_eqf_level_has_a_plain_hint():
    with translation.override("en"):
        assert eqf_hint(6) == "like a bachelor's degree"
        assert eqf_hint(8) == "like a doctorate"
        assert all(eqf_hint(level) for level in range(1, 9))
        assert eqf_hint(9) == ""
