from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core import policy, rules
from core.formatting import format_nok, text_paragraphs

register = template.Library()


@register.filter
def paragraphs(value):
    """Plain text as flowing HTML paragraphs (core.formatting.text_paragraphs escapes every piece of it)."""
    return mark_safe(text_paragraphs(value or ""))  # noqa: S308


@register.filter
def nok(value, decimals=0):
    """kr 133 820 (Bokmål) or NOK 133,820 (English); nothing for a missing value."""
    if value in (None, ""):
        return ""
    language = (get_language() or "nb")[:2]
    return format_nok(value, language="en" if language == "en" else "nb", decimals=int(decimals))


@register.filter
def grouped(value):
    """A whole number with its thousands grouped as the language writes them (2 513), as a table column shows it."""
    return number_format(value, force_grouping=True)


@register.simple_tag(takes_context=True)
def can(context, permission, obj=None):
    return policy.can(context["request"].user, permission, obj)


@register.filter(name="holds")
def holds(obj, name):
    """`{% if invoice|holds:"invoice_can_remind" %}`: the named rule (core/rules.py) decides what a page offers."""
    return rules.holds(name, obj)


def _decimal(value):
    return None if value in (None, "") else Decimal(str(value))


@register.filter
def subtract(value, other):
    value, other = _decimal(value), _decimal(other)
    return None if value is None or other is None else value - other


@register.filter
def add_money(value, other):
    value, other = _decimal(value), _decimal(other)
    return None if value is None or other is None else value + other


@register.filter
def ratio(value, other):
    value, other = _decimal(value), _decimal(other)
    return None if value is None or not other else value / other


@register.filter
def percent(value, decimals=1):
    """0.4375 -> '43,8 %' (Bokmål) or '43.8 %' (English)."""
    if value is None or value == "":
        return "–"
    number = (Decimal(str(value)) * 100).quantize(Decimal(1).scaleb(-int(decimals)))
    text = f"{number}"
    if (get_language() or "nb")[:2] != "en":
        text = text.replace(".", ",")
    return f"{text}\xa0%"


@register.filter
def orgnr(value):
    """964338531 -> 964 338 531"""
    from stdnum.no import orgnr as module

    return module.format(value) if value and module.is_valid(value) else value


@register.filter
def kontonr(value):
    """15030112358 -> 1503.01.12358"""
    from stdnum.no import kontonr as module

    return module.format(value) if value and module.is_valid(value) else value


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


# Characters a CSS string may hold as they are; everything else is written as a CSS escape.
_CSS_PLAIN = frozenset(" .,-_:()/·–'+!?%#")


@register.filter(is_safe=False)
def css_string(value):
    """`value` for the inside of a double-quoted CSS string (`content: "{{ name|css_string }}"` in a PDF's
    <style>): quotes, backslashes, braces, `<` and `&` become CSS escapes (`\\000022 `; the space ends the
    escape and is not printed), never HTML entities, so "Fjord & Fjell" prints as typed and no value can end
    the string, the rule or the <style> element."""
    from django.utils.safestring import mark_safe

    text = "" if value is None else str(value)
    escaped = "".join(char if char.isalnum() or char in _CSS_PLAIN else f"\\{ord(char):06x} " for char in text)
    return mark_safe(escaped)  # noqa: S308 (no character with a meaning in HTML or CSS is left unescaped)
