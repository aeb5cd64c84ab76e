from django import template

from taxonomies.selectors import esco_version

register = template.Library()


@register.simple_tag
def esco_loaded_version() -> str:
    """The loaded ESCO release, for the attribution every page carries."""
    return esco_version()
