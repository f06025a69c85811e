"""Issue 17, first part: who is party to which instrument (Rabat §7(a)). The reference
lists are loaded with load_reference_data; `import_ratifications` reads the UN Treaty
Collection's XML, NORMLEX's table (HTML or CSV) and our CSV, is idempotent, has a dry run,
never lets an older source win, and refuses a malformed file with one line and exit 2.
A state missing from a partial list is unknown, never "not party"."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parliaments.models import Ratification

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ratifications"
Status = Ratification.Status


def status(iso2, code):
    row = Ratification.objects.filter(parliament__iso2=iso2, instrument__code=code).first()
    return row.status if row else Status.UNKNOWN


def run(*args):
    out = io.StringIO()
    call_command("import_ratifications", *args, stdout=out)
    return out.getvalue()


def fail(*args):
    with pytest.raises(CommandError) as error:
        call_command("import_ratifications", *args, stdout=io.StringIO())
    assert error.value.returncode == 2
    message = str(error.value)
    assert "\n" not in message
    return message


def snapshot():
    return sorted(
        Ratification.objects.values_list(
            "parliament__iso2", "instrument__code", "status", "date", "as_of"
        )
    )


def test_a_complete_list_makes_the_others_not_party_as_of_its_date():
    """ICRMW is complete as of September 2023 (the reference README): France, absent from
    it, is not party as of then; Morocco is party since 21 June 1993."""
    morocco = Ratification.objects.get(parliament__iso2="MA", instrument__code="ICRMW")
    assert (morocco.status, morocco.date, morocco.quality) == (
        Status.PARTY,
        datetime.date(1993, 6, 21),
        "V",
    )
    france = Ratification.objects.get(parliament__iso2="FR", instrument__code="ICRMW")
    assert (france.status, france.as_of) == (Status.NOT_PARTY, datetime.date(2023, 9, 1))
    assert Ratification.objects.filter(instrument__code="ICRMW").count() == 180
    # Senegal acceded ("9 Jun 1999 a").
    senegal = Ratification.objects.get(parliament__iso2="SN", instrument__code="ICRMW")
    assert senegal.date_kind == Ratification.DateKind.ACCESSION


def test_a_partial_list_says_nothing_of_the_states_it_leaves_out():
    """The Trafficking Protocol's list has 61 of 182 parties: a state missing from it is
    unknown (no row), never not party. C143's years stay years."""
    assert not Ratification.objects.filter(instrument__code="TIP", status=Status.NOT_PARTY)
    assert status("FR", "TIP") == Status.UNKNOWN
    philippines = Ratification.objects.get(parliament__iso2="PH", instrument__code="C143")
    assert (philippines.date, philippines.date_precision, philippines.quality) == (
        datetime.date(2006, 1, 1),
        "year",
        "V2",
    )


def test_a_name_the_list_could_not_map_is_not_guessed():
    """C097's "Congo" has no ISO code in the reference file (the Republic or the DR?)."""
    assert not Ratification.objects.filter(
        instrument__code="C097", parliament__iso2__in=["CG", "CD"]
    ).exists()


def test_loading_the_reference_data_again_changes_nothing():
    before = snapshot()
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert "ICRMW: 0 created, 0 updated, 180 unchanged" in out.getvalue()
    assert snapshot() == before


def test_our_csv_updates_and_the_same_file_again_changes_nothing():
    assert status("MA", "TIP") == Status.UNKNOWN  # not in the partial reference list
    out = run(str(FIXTURES / "tip-update.csv"))
    assert "TIP: 1 created, 1 updated" in out, out
    morocco = Ratification.objects.get(parliament__iso2="MA", instrument__code="TIP")
    assert (morocco.status, morocco.date, morocco.as_of) == (
        Status.PARTY,
        datetime.date(2011, 4, 25),
        datetime.date(2025, 6, 30),
    )
    kenya = Ratification.objects.get(parliament__iso2="KE", instrument__code="TIP")
    assert (kenya.date_kind, kenya.as_of) == ("accession", datetime.date(2025, 6, 30))
    assert kenya.history.count() == 2  # loaded, then updated
    before = snapshot()
    assert "0 created, 0 updated, 2 unchanged" in run(str(FIXTURES / "tip-update.csv"))
    assert snapshot() == before


def test_an_older_source_never_wins():
    run(str(FIXTURES / "tip-update.csv"))
    before = snapshot()
    out = run(str(FIXTURES / "tip-older.csv"))
    assert "1 kept (newer or better source)" in out
    assert snapshot() == before
    assert status("MA", "TIP") == Status.PARTY


def test_a_dry_run_prints_what_would_change_and_writes_nothing():
    before = snapshot()
    out = run(str(FIXTURES / "tip-update.csv"), "--dry-run")
    assert "MA TIP: party (accession 2011-04-25) (new)" in out
    assert "KE TIP: party (ratification 2005-01-05) → party (accession 2005-01-05)" in out
    assert "Dry run: nothing was written." in out
    assert snapshot() == before


def test_the_un_treaty_collection_xml():
    """Participants with a ratification, accession (a) or succession (d) are party, those
    with a signature only are signatories, everyone else is not party as of the file's
    "Status as at" date. Footnote numbers and UN names ("Bolivia (Plurinational State
    of)") are read; a state that is not an IPU member (the Holy See) is reported."""
    out = run(str(FIXTURES / "som-un.xml"), "--instrument", "SOM")
    morocco = Ratification.objects.get(parliament__iso2="MA", instrument__code="SOM")
    assert (morocco.status, morocco.date, morocco.date_kind, morocco.as_of) == (
        Status.PARTY,
        datetime.date(2019, 6, 21),
        Ratification.DateKind.ACCESSION,
        datetime.date(2025, 3, 15),
    )
    assert morocco.joined_since_rabat
    assert status("SN", "SOM") == Status.PARTY
    bolivia = Ratification.objects.get(parliament__iso2="BO", instrument__code="SOM")
    assert bolivia.date_kind == Ratification.DateKind.SUCCESSION
    assert status("MX", "SOM") == Status.SIGNATORY
    assert status("FR", "SOM") == Status.NOT_PARTY
    assert "Holy See" in out
    assert "0 updated" in run(str(FIXTURES / "som-un.xml"), "--instrument", "SOM")


@pytest.mark.parametrize("name", ["c143-normlex.html", "c143-normlex.csv"])
def test_normlex_tables_in_html_and_csv(name):
    """A state that denounced the convention is not party; one that ratified but for
    which it is not yet in force is party (with the note); the rest are not party as of
    the date given. The partial secondary list loaded before is replaced (newer)."""
    run(str(FIXTURES / name), "--instrument", "C143", "--as-of", "2025-01-31")
    assert status("KE", "C143") == Status.PARTY
    assert status("SN", "C143") == Status.PARTY
    italy = Ratification.objects.get(parliament__iso2="IT", instrument__code="C143")
    assert italy.status == Status.NOT_PARTY and "Denounced" in italy.note
    assert status("FR", "C143") == Status.NOT_PARTY
    philippines = Ratification.objects.get(parliament__iso2="PH", instrument__code="C143")
    assert (philippines.date, philippines.quality) == (datetime.date(2006, 9, 14), "V")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["broken.csv"], "impossible date '31 Feb 2011'"),
        (["entities.xml", "--instrument", "SOM"], "not readable XML"),
        (["som-un.xml"], "give --instrument"),
        (["c143-normlex.html", "--instrument", "C143"], "give --as-of"),
        (["som-un.xml", "--instrument", "NOPE"], "unknown instrument code(s): NOPE"),
        (["missing.csv"], "No such file"),
    ],
)
def test_a_bad_file_gets_one_line_exit_2_and_changes_nothing(args, says):
    before = snapshot()
    message = fail(str(FIXTURES / args[0]), *args[1:])
    assert says in message, message
    assert snapshot() == before


def _pk(iso2, code):
    return Ratification.objects.get(parliament__iso2=iso2, instrument__code=code).pk


def test_the_api_lists_statuses_with_filters_and_csv(django_assert_max_num_queries):
    from django.test import Client

    client = Client()
    body = client.get("/api/v1/ratifications/?country=MA&instrument=ICRMW").json()
    assert body["count"] == 1
    (morocco,) = body["results"]
    assert morocco["id"] == str(Ratification.objects.get(pk=_pk("MA", "ICRMW")).uid)
    assert morocco | {"updated_at": None, "id": None} == {
        "id": None,
        "credited_action": None,
        "parliament": "MA",
        "instrument": "ICRMW",
        "status": "party",
        "date": "1993-06-21",
        "date_kind": "ratification",
        "date_precision": "day",
        "source": morocco["source"],
        "as_of": "2023-09-01",
        "quality": "V",
        "verified": False,
        "joined_since_rabat": False,
        "updated_at": None,
    }
    since = client.get("/api/v1/ratifications/?since=2018-12-07&status=party&instrument=ICRMW")
    assert {row["parliament"] for row in since.json()["results"]} == {"CI", "FJ", "MW", "TD", "TG"}
    csv_text = client.get("/api/v1/ratifications/?region=oceania&format=csv").content.decode()
    assert csv_text.splitlines()[0].startswith("as_of,credited_action,date,date_kind")
    bad = client.get("/api/v1/ratifications/?status=maybe&since=yesterday")
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"status", "since"}
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/ratifications/?page_size=100").status_code == 200
