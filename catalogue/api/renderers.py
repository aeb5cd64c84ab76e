"""How the API writes its answers in the formats other than JSON, and how a client names the
format it wants (a suffix, ``?format=`` or ``Accept``). Which format is served where is
``catalogue.api.formats``; the documents themselves are written by ``descriptors.formats``."""

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer

from descriptors.formats.ob3 import OB3_PROFILE


class LoqXmlRenderer(BaseRenderer):
    """ELM LOQ XML (a ``Courses`` document); views hand it the serialised bytes."""

    media_type = "application/xml"
    format = "xml"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class AtomRenderer(LoqXmlRenderer):
    """An Atom feed; views hand it the serialised bytes."""

    media_type = "application/atom+xml"


class ElmJsonLdRenderer(JSONRenderer):
    """ELM JSON-LD (``Accept: application/ld+json``)."""

    media_type = "application/ld+json"
    format = "jsonld"


class DcatRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class Ob3AchievementRenderer(JSONRenderer):
    """Open Badges 3.0 ``Achievement`` (``.ob3.json``): JSON-LD with the OB3 profile, so
    ``Accept: application/ld+json`` alone still gets ELM."""

    media_type = f'application/ld+json; profile="{OB3_PROFILE}"'
    format = "ob3.json"


class CsvRenderer(BaseRenderer):
    """A search result as CSV (``.csv``), columns as documented in ``csv_export``."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode("utf-8") if isinstance(data, str) else data


class SuffixFirstNegotiation(DefaultContentNegotiation):
    """A format suffix (``.ob3.json``) or ``format`` parameter names the format outright.

    DRF would still match it against ``Accept``, and a media type with a profile parameter
    (OB3's) matches only an ``Accept`` that names the same profile, never ``*/*``."""

    def select_renderer(self, request, renderers, format_suffix=None):
        chosen = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if not chosen:
            return super().select_renderer(request, renderers, format_suffix)
        renderer = self.filter_renderers(renderers, chosen)[0]
        return renderer, renderer.media_type
