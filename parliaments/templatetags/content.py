"""A parliament's own text (plan summaries, action titles and descriptions, progress
narratives) shown to a reader of another language: marked with its language for the
browser and screen readers (`lang`), and said in words ("in English").

    <h1{{ action|lang_attr }}>{{ action.title_in }}</h1>{{ action|written_in_note }}
    <div{{ action|lang_attr:"description" }}>{{ action.description_in|linebreaks }}</div>

`title_in` is the title in the reader's language when the parliament translated it, else
as written; `lang_attr` and the note follow whichever is shown.
"""

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from commitments.models import reading_language

register = template.Library()


def _other_language(item, field):
    """The language `item`'s `field` (its main text by default) is shown in, when it is
    not the reader's; else None."""
    if not hasattr(item, "language_shown"):
        return None
    language = item.language_shown(field)
    return language if language != reading_language() else None


@register.filter
def lang_attr(item, field=None):
    language = _other_language(item, field)
    return format_html(' lang="{}"', language) if language else mark_safe("")  # noqa: S308


@register.filter
def written_in_note(item, field=None):
    return written_in(item, field)


def written_in(item, field=None):
    """' (in English)' after a text in a language other than the reader's, else ''."""
    language = _other_language(item, field)
    if not language:
        return ""
    return format_html(
        ' <span class="written-in">({})</span>',
        _("in %(language)s") % {"language": _language_name(language)},
    )


@register.filter
def lang_unless(language, reader):
    """' lang="en"' on a report's text in `language` when the report is in another."""
    if language and language != reader:
        return format_html(' lang="{}"', language)
    return mark_safe("")  # noqa: S308


@register.filter
def language_note(language, reader):
    """' (in English)' after a report's text in a language other than the report's."""
    if not language or language == reader:
        return ""
    return format_html(
        ' <span class="written-in">({})</span>',
        _("in %(language)s") % {"language": _language_name(language)},
    )


@register.filter
def language_names(codes):
    """["fr", "es"] → "French, Spanish" in the reader's language."""
    return ", ".join(_language_name(code) for code in codes)


def _language_name(code):
    return str(dict(settings.LANGUAGES)[code])


@register.filter
def title_lang(item):
    """' lang="en"' on reference data (a commitment's title, an instrument's name) shown
    in English for want of a translation in the reader's language."""
    language = getattr(item, "title_language", None) or getattr(item, "name_language", None)
    if language and language != reading_language():
        return format_html(' lang="{}"', language)
    return mark_safe("")  # noqa: S308
