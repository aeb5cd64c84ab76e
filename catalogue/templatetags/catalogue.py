from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current search URL on another page."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"
