"""Country names in the active language, for documents written in one language (the
cycle reports). The names we store are the IPU's English names; other languages take
theirs from pycountry's ISO 3166 catalogues."""

import functools
import gettext
import unicodedata

from django.utils import translation


@functools.cache
def _catalogue(language):
    import pycountry

    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return None


@functools.cache
def _translated(language, iso2):
    import pycountry

    catalogue = _catalogue(language)
    country = pycountry.countries.get(alpha_2=iso2) if len(iso2) == 2 else None
    if catalogue is None or country is None:
        return None
    names = [getattr(country, field, None) for field in ("name", "official_name", "common_name")]
    translated = [catalogue.gettext(n) for n in names if n and catalogue.gettext(n) != n]
    # ISO's short names are inverted for sorting ("Corée, République de"): a reader gets
    # the official or common name when there is one.
    return next((n for n in translated if ", " not in n), translated[0] if translated else None)


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


def matching(value, countries, languages=("en", "fr")):
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
