"""Descriptor values in the words a learner reads: durations, prices, EQF levels, the next
start and what to do next. Plain functions of a value (and today), so the cards, the detail
page and any later page say the same thing.
"""

import re
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import formats, translation
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from descriptors.models import Edition, LearningOpportunity

DURATION_PARTS = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:\d+S)?)?$"
)


def duration_in_words(iso: str) -> str:
    """ "P4M" -> "4 months", "P1Y6M" -> "1 year 6 months"; anything unparsable as given."""
    match = DURATION_PARTS.match(iso or "")
    if not match:
        return iso or ""
    words = {
        "years": lambda n: ngettext("%(n)d year", "%(n)d years", n),
        "months": lambda n: ngettext("%(n)d month", "%(n)d months", n),
        "weeks": lambda n: ngettext("%(n)d week", "%(n)d weeks", n),
        "days": lambda n: ngettext("%(n)d day", "%(n)d days", n),
        "hours": lambda n: ngettext("%(n)d hour", "%(n)d hours", n),
        "minutes": lambda n: ngettext("%(n)d minute", "%(n)d minutes", n),
    }
    parts = [
        words[unit](int(value)) % {"n": int(value)}
        for unit, value in match.groupdict().items()
        if value and int(value)
    ]
    return " ".join(parts) or iso


# Symbols learners recognise; other currencies are written with their ISO code.
CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥"}
# Languages whose convention puts the symbol before the amount ("€800"); the others of the
# interface write "800 €".
SYMBOL_FIRST = {"en", "nl"}


def money(amount: Decimal, currency: str, language: str | None = None) -> str:
    """A price in the visitor's language: "€800" / "€1,250.50" in English, "800 €" /
    "1.250,50 €" in Italian. Whole amounts lose their ",00"."""
    active = get_language() or "en"
    language = (language or active).split("-")[0]
    places = 0 if amount == amount.to_integral_value() else 2
    # Only switch languages when asked for another one: cards call this for every price.
    with translation.override(language) if language != active else nullcontext():
        number = formats.number_format(amount, places, use_l10n=True, force_grouping=True)
    symbol = CURRENCY_SYMBOLS.get(currency)
    if symbol is None:
        return f"{currency} {number}" if language in SYMBOL_FIRST else f"{number} {currency}"
    if language == "nl":
        return f"{symbol} {number}"
    return f"{symbol}{number}" if language in SYMBOL_FIRST else f"{number}\u00a0{symbol}"


# What each EQF level is comparable to, for a learner who does not know the framework.
EQF_HINTS = {
    1: gettext_lazy("basic general knowledge, as at the end of primary school"),
    2: gettext_lazy("like the end of lower secondary school"),
    3: gettext_lazy("like a basic vocational certificate"),
    4: gettext_lazy("like an upper secondary school diploma"),
    5: gettext_lazy("like a short-cycle higher education course"),
    6: gettext_lazy("like a bachelor's degree"),
    7: gettext_lazy("like a master's degree"),
    8: gettext_lazy("like a doctorate"),
}


def eqf_hint(level: int) -> str:
    return str(EQF_HINTS.get(level, ""))


def price_label(edition: Edition | None) -> str:
    """What an edition costs, or that the provider did not say."""
    if edition is None:
        return _("Fee not stated")
    if edition.is_free:
        return _("Free")
    if edition.fee_amount is not None and edition.currency_id:
        return money(edition.fee_amount, edition.currency.code)
    return _("Fee not stated")


@dataclass(frozen=True)
class StartInfo:
    """When a learner can start: ``kind`` is ``any``, ``upcoming``, ``running``, ``past`` or
    ``unknown``; ``on`` the start date where there is one."""

    kind: str
    on: date | None = None

    @property
    def label(self) -> str:
        if self.kind == "any":
            return _("Start any time")
        if self.kind == "unknown":
            return _("Start date not stated")
        if self.kind == "past":
            return _("Last started %(date)s; no new start announced") % {
                "date": formats.date_format(self.on, "DATE_FORMAT")
            }
        when = formats.date_format(self.on, "DATE_FORMAT")
        if self.kind == "upcoming":
            return _("Starts %(date)s") % {"date": when}
        return _("Started %(date)s") % {"date": when}


def next_start(opportunity: LearningOpportunity, today: date) -> StartInfo:
    """When a learner can start: its next edition's start, else when its last one started."""
    edition = opportunity.headline_edition
    if edition is None:
        return StartInfo("unknown")
    if edition.any_start_date and not edition.is_past:
        return StartInfo("any")
    start = edition.start_date
    if edition.is_past:
        return StartInfo("past", start) if start else StartInfo("unknown")
    if start is None:
        return StartInfo("unknown")
    return StartInfo("upcoming" if start >= today else "running", start)


@dataclass(frozen=True)
class CallToAction:
    label: str
    url: str


APPLY_BY = pgettext_lazy("button", "Apply by %(date)s")
GO_TO_COURSE = pgettext_lazy("button", "Go to the course")


def call_to_action(opportunity: LearningOpportunity, today: date) -> CallToAction | None:
    """The main button: "Apply by <deadline>" while applications are open, else "Go to the
    course"; none without a web page to send the learner to."""
    edition = opportunity.next_edition
    homepage = edition.effective_homepage if edition else opportunity.homepage
    if not homepage:
        return None
    deadline = edition.application_deadline if edition else None
    if deadline and deadline >= today:
        when = formats.date_format(deadline, "DATE_FORMAT")
        return CallToAction(str(APPLY_BY) % {"date": when}, homepage)
    return CallToAction(str(GO_TO_COURSE), homepage)


def application_status(edition: Edition | None, today: date) -> str:
    """An edition's application deadline in words ("" when none is stated)."""
    deadline = edition.application_deadline if edition else None
    if not deadline:
        return ""
    when = formats.date_format(deadline, "DATE_FORMAT")
    if deadline < today:
        return _("Applications closed on %(date)s") % {"date": when}
    return _("Applications open until %(date)s") % {"date": when}
