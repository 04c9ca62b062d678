from django import template
from django.utils.translation import get_language

from network import policy
from network.formatting import format_nok

register = template.Library()


@register.filter
def nok(value, decimals=0):
    """kr 133 820 (Bokmål) or NOK 133,820 (English)."""
    language = (get_language() or "nb")[:2]
    return format_nok(value, language="en" if language == "en" else "nb", decimals=int(decimals))


@register.simple_tag(takes_context=True)
def can(context, permission, obj=None):
    return policy.can(context["request"].user, permission, obj)
