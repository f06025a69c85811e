"""Punctuation that depends on the language, for labels built in templates:
`{% translate "Period" %}{% colon %} 2020–2023` reads "Period: 2020–2023" in English and
"Période : 2020–2023" in French (a non-breaking space before ":" and ";")."""

from django import template
from django.utils.translation import get_language

register = template.Library()

NO_BREAK_SPACE = "\u00a0"


def _french():
    return (get_language() or "").startswith("fr")


@register.simple_tag
def colon():
    return f"{NO_BREAK_SPACE}:" if _french() else ":"


@register.simple_tag
def semicolon():
    return f"{NO_BREAK_SPACE};" if _french() else ";"
