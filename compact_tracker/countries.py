"""Country names in the reader's language. The names we store are the IPU's English names;
other languages take theirs from the Unicode CLDR through Babel ("Maroc", "Marruecos",
"المغرب"): the short names people use, as every well-localised interface shows them."""

import functools
import unicodedata

from django.utils import translation


@functools.cache
def _territories(language):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language).territories
    except (UnknownLocaleError, ValueError):
        return {}


def _translated(language, iso2):
    return _territories(language).get(iso2) if len(iso2) == 2 else None


def country_name(iso2, name):
    """`name` (the stored English name) in the active language; `name` itself in English,
    for a synthetic parliament, or when the language has no name for the country."""
    language = (translation.get_language() or "en").split("-")[0]
    if language == "en":
        return name
    return _translated(language, iso2) or name


def sort_key(name):
    """A name as it is alphabetised: case and accents ignored ("Émirats" among the E)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def matching(value, countries, languages=("en", "fr", "es", "ar")):
    """The ISO alpha-2 codes among `countries` ([(iso2, iso3, English name)]) that `value`
    names: a code ("MA", "MAR"), or a name in any of `languages`, whole or its beginning,
    case and accents ignored ("Maroc", "morocco", "Émirats")."""
    wanted = sort_key(value.strip())
    if not wanted:
        return set()
    codes = {
        iso2
        for iso2, iso3, _name in countries
        if wanted in (iso2.casefold(), (iso3 or "").casefold())
    }
    if codes:
        return codes
    names = {}
    for language in languages:
        with translation.override(language):
            for iso2, _iso3, name in countries:
                names.setdefault(iso2, set()).add(sort_key(country_name(iso2, name)))
    exact = {iso2 for iso2, found in names.items() if wanted in found}
    if exact:
        return exact
    return {iso2 for iso2, found in names.items() if any(n.startswith(wanted) for n in found)}
