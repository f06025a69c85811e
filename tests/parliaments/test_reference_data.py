import pycountry
import pytest

from parliaments.models import Parliament, Region

pytestmark = pytest.mark.django_db


def test_parliaments_load_with_valid_iso_codes():
    parliaments = list(Parliament.objects.all())
    assert len(parliaments) == 180
    for parliament in parliaments:
        country = pycountry.countries.get(alpha_2=parliament.iso2)
        assert country is not None, f"{parliament.iso2} is not an ISO 3166 alpha-2 code"
        assert country.alpha_3 == parliament.iso3, parliament.name
        assert parliament.region in Region.values, parliament.name


def test_known_parliaments_have_their_codes_and_regions():
    morocco = Parliament.objects.get(iso2="MA")
    assert (morocco.name, morocco.iso3, morocco.region) == ("Morocco", "MAR", "africa")
    assert Parliament.objects.get(iso2="TR").region == "asia"  # UN M49 puts Türkiye in Asia
    assert Parliament.objects.get(iso2="RU").region == "europe"
    assert not Parliament.objects.filter(iso2="US").exists()  # suspended since 2003


def test_every_region_has_parliaments():
    regions = set(Parliament.objects.values_list("region", flat=True))
    assert regions == set(Region.values)


def test_parliaments_have_iso_numeric_codes_for_maps():
    assert Parliament.objects.get(iso2="MA").iso_numeric == "504"
    assert not Parliament.objects.filter(iso_numeric="").exists()
