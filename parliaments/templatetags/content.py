"""A parliament's own text (plan summaries, action titles and descriptions, progress
narratives) shown to a reader of another language: marked with its language for the
browser and screen readers (`lang`), and said in words ("in English").

    <h1{{ action|lang_attr }}>{{ action.title }}</h1>{{ action|written_in_note }}
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def lang_attr(item):
    language = getattr(item, "in_other_language", None)
    return format_html(' lang="{}"', language) if language else mark_safe("")  # noqa: S308


@register.filter
def written_in_note(item):
    return written_in(item)


def written_in(item):
    """' (in English)' after a text in a language other than the reader's, else ''."""
    if not getattr(item, "in_other_language", None):
        return ""
    return format_html(
        ' <span class="written-in">({})</span>',
        _("in %(language)s") % {"language": item.get_language_display()},
    )


@register.filter
def title_lang(item):
    """' lang="en"' on reference data (a commitment's title, an instrument's name) shown
    in English for want of a translation in the reader's language."""
    from commitments.models import reading_language

    language = getattr(item, "title_language", None) or getattr(item, "name_language", None)
    if language and language != reading_language():
        return format_html(' lang="{}"', language)
    return mark_safe("")  # noqa: S308
