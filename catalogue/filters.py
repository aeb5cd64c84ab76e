"""The query parameters of searches and lists, each declared once, here.

``OpportunitySearchFilterSet`` is the search's, for the search page and the API: it declares and
validates every URL parameter, and the OpenAPI schema documents them from it; ``SearchParams`` is
its cleaned result, which ``search.results.opportunity_search`` evaluates. The other FilterSets are
the API's lists of vocabularies.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import django_filters
from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from catalogue.search.facets import FACETS, RANGE_FACETS
from descriptors.models import LearningOpportunity
from taxonomies.models import Concept, Scheme

MAX_VALUES_PER_FACET = 50
KNOWN_VALUES_KEPT = 20_000  # per facet: every ESCO skill, with room


class ValuesField(forms.Field):
    """Any number of repeated values (``?eqf=6&eqf=7``), as a de-duplicated list; with
    ``known`` (a facet's labels: value keys to labels), each value must be one of its
    vocabulary's, so that a typo is an error rather than an empty answer."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *args, known: Callable[[list[str]], dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.known = known
        # Values found known before: the field lives as long as the process (forms share it),
        # and a look-up per value was a third of a filtered API answer's time. Only known
        # values are kept, so that one added to the vocabulary since is not refused.
        self.seen: set[str] = set()

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        if self.known is None:
            return
        unseen = [item for item in value if item not in self.seen]
        if not unseen:
            return
        known = self.known(unseen)
        if unknown := [item for item in unseen if item not in known]:
            raise forms.ValidationError(
                _("Unknown value: %(values)s."),
                params={"values": ", ".join(repr(item) for item in unknown[:5])},
            )
        if len(self.seen) > KNOWN_VALUES_KEPT:
            self.seen.clear()
        self.seen.update(unseen)

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        cleaned = list(dict.fromkeys(item.strip() for item in value if item and item.strip()))
        if len(cleaned) > MAX_VALUES_PER_FACET:
            raise forms.ValidationError(
                _("Choose at most %(limit)s values."), params={"limit": MAX_VALUES_PER_FACET}
            )
        if any(len(item) > 200 for item in cleaned):
            raise forms.ValidationError(_("A value is too long."))
        return cleaned


class ValuesFilter(django_filters.Filter):
    field_class = ValuesField


SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("newest", _("Newest")),
    ("start", _("Start date")),
    ("ects", _("ECTS credits")),
    ("workload", _("Workload")),
    ("title", _("Title")),
]
PRICE_CHOICES = [
    ("free", _("Free")),
    ("paid", _("Paid")),
    ("grant", _("Grant or subsidy available")),
]
APPLICATION_CHOICES = [
    ("open", _("Open now")),
    ("closing", _("Closing within 30 days")),
]
WHEN_CHOICES = [
    ("current", _("Upcoming or running")),
    ("past", _("Past editions only")),
]
START_CHOICES = [
    ("30", _("Within 30 days")),
    ("90", _("Within 90 days")),
    ("any", _("Any start date (self-paced)")),
]


def _facet_filters() -> dict[str, django_filters.Filter]:
    filters = {
        facet.key: ValuesFilter(
            label=facet.label, method="evaluated_in_selector", known=facet.labels
        )
        for facet in FACETS
    }
    for facet in RANGE_FACETS:
        filters[facet.key] = django_filters.MultipleChoiceFilter(
            label=facet.label,
            choices=[(bucket.key, bucket.label) for bucket in facet.buckets],
            method="evaluated_in_selector",
        )
    return filters


class _SharedFields(dict):
    """Form fields that form instances share instead of deep-copying: these forms are never
    rendered or changed, only asked to clean the parameters, which leaves fields untouched."""

    def __deepcopy__(self, memo):
        return dict(self)


@functools.cache
def _form_class(filterset_class) -> type[forms.Form]:
    """The form class django-filter builds for each instance, built once."""
    form_class = django_filters.FilterSet.get_form_class(filterset_class())
    form_class.base_fields = _SharedFields(form_class.base_fields)
    return form_class


class OpportunitySearchFilterSet(django_filters.FilterSet):
    """Search parameters. Facet parameters repeat for several values (OR within a facet, AND
    between facets); text uses web-search syntax: words, "a phrase", -excluded, OR."""

    q = django_filters.CharFilter(
        label=_("Search"),
        max_length=200,
        method="evaluated_in_selector",
        help_text=_('Words, "an exact phrase", -excluded words, this OR that.'),
    )
    verbatim = django_filters.BooleanFilter(
        label=_("Search the words as typed"),
        method="evaluated_in_selector",
        help_text=_("true: misspelt words are not corrected."),
    )
    price = django_filters.ChoiceFilter(
        label=_("Fees"), choices=PRICE_CHOICES, method="evaluated_in_selector"
    )
    max_fee = django_filters.NumberFilter(
        label=_("Maximum fee"), min_value=0, method="evaluated_in_selector"
    )
    start = django_filters.ChoiceFilter(
        label=_("Start"), choices=START_CHOICES, method="evaluated_in_selector"
    )
    application = django_filters.ChoiceFilter(
        label=_("Applications"),
        choices=APPLICATION_CHOICES,
        method="evaluated_in_selector",
        help_text=_("By the application deadline: open today, or closing within 30 days."),
    )
    when = django_filters.ChoiceFilter(
        label=_("Editions"),
        choices=WHEN_CHOICES,
        method="evaluated_in_selector",
        help_text=_(
            "With an edition to come or running (or no dates yet), or with only past editions."
        ),
    )
    start_from = django_filters.DateFilter(
        label=_("Starts on or after"), method="evaluated_in_selector"
    )
    start_to = django_filters.DateFilter(
        label=_("Starts on or before"), method="evaluated_in_selector"
    )
    modified_since = django_filters.IsoDateTimeFilter(
        label=_("Modified since"),
        method="evaluated_in_selector",
        help_text=_("Only opportunities changed at or after this ISO 8601 date-time."),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORT_CHOICES, method="evaluated_in_selector", empty_label=None
    )

    class Meta:
        model = LearningOpportunity
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # Unlike a plain FilterSet, this one only parses and validates (the selector evaluates
        # the parameters), so its instances share the filters and one form class instead of
        # deep-copying them: that copying was most of an API list request's time.
        self.is_bound = data is not None
        self.data = data or MultiValueDict()
        self.queryset = LearningOpportunity.objects.none() if queryset is None else queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = self.base_filters

    def get_form_class(self):
        return _form_class(type(self))

    @classmethod
    def get_filters(cls):
        # Facets can be registered by other apps after this class is created.
        filters = super().get_filters()
        filters.update(_facet_filters())
        return filters

    def evaluated_in_selector(self, queryset, name, value):
        # The in-memory facet index evaluates these (see search.results.opportunity_search).
        return queryset

    def filters_nothing(self) -> bool:
        """The request names none of the parameters (each is one query parameter by its name:
        no field has a widget of several inputs)."""
        return self.data.keys().isdisjoint(self.form.fields)

    def is_valid(self) -> bool:
        # Most requests filter nothing: cleaning every field for nothing was a seventh of a
        # cached API list answer. The form still validates itself if anything asks for errors.
        if self.is_bound and self.filters_nothing():
            return True
        return super().is_valid()

    def refused(self) -> list[tuple[str, list[str]]]:
        """Each parameter that could not be used, by the name a page gives it, with why; call
        ``is_valid()`` first."""
        fields = self.form.fields
        return [
            (fields[name].label if name in fields else name, messages)
            for name, messages in self.form.errors.items()
        ]

    def cleaned(self) -> dict:
        """The validated values by parameter; call ``is_valid()`` first. Empty when it found
        no parameter to clean."""
        return getattr(self.form, "cleaned_data", {})

    def params(self) -> "SearchParams":
        """The validated parameters; call ``is_valid()`` first."""
        data = self.cleaned()
        return SearchParams(
            text=(data.get("q") or "").strip(),
            verbatim=bool(data.get("verbatim")),
            facets={facet.key: set(data.get(facet.key) or []) for facet in FACETS},
            ranges={facet.key: set(data.get(facet.key) or []) for facet in RANGE_FACETS},
            price=data.get("price") or "",
            max_fee=data.get("max_fee"),
            start=data.get("start") or "",
            application=data.get("application") or "",
            when=data.get("when") or "",
            start_from=data.get("start_from"),
            start_to=data.get("start_to"),
            sort=data.get("sort") or "",
            modified_since=data.get("modified_since"),
        )


@dataclass
class SearchParams:
    text: str = ""
    verbatim: bool = False
    facets: dict[str, set[str]] = field(default_factory=dict)
    ranges: dict[str, set[str]] = field(default_factory=dict)
    price: str = ""
    max_fee: Decimal | None = None
    start: str = ""
    application: str = ""
    when: str = ""
    start_from: date | None = None
    start_to: date | None = None
    sort: str = ""
    modified_since: datetime | None = None

    def cache_key(self) -> tuple:
        """A hashable form of the parameters (sets become sorted tuples)."""
        return (
            self.text,
            self.verbatim,
            tuple((key, tuple(sorted(values))) for key, values in sorted(self.facets.items())),
            tuple((key, tuple(sorted(values))) for key, values in sorted(self.ranges.items())),
            self.price,
            self.max_fee,
            self.start,
            self.application,
            self.when,
            self.start_from,
            self.start_to,
            self.sort,
            self.modified_since,
        )

    @property
    def effective_sort(self) -> str:
        if self.sort and (self.sort != "relevance" or self.text):
            return self.sort
        return "relevance" if self.text else "title"


class LabelSearchFilterSet(django_filters.FilterSet):
    """Type-ahead over a vocabulary's labels (ESCO skills, occupations), best matches first."""

    q = django_filters.CharFilter(
        label=_("Label search"),
        method="label_search",
        help_text=_('The start of a label in any loaded language, e.g. "progr".'),
    )

    def label_search(self, queryset, name, value):
        return queryset.search(value[:100])


class ConceptFilterSet(django_filters.FilterSet):
    scheme = django_filters.ChoiceFilter(
        label=_("Vocabulary"),
        choices=Scheme.choices,
        error_messages={
            "invalid_choice": f"Unknown vocabulary; one of {', '.join(Scheme.values)}."
        },
    )

    class Meta:
        model = Concept
        fields: list[str] = []
