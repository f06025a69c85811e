"""Issue 17: the Rabat §7(a) matrix (parliaments × instruments, public) and the page of
one instrument (parties before and since Rabat, the map, who joined with the actions of
their parliaments)."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commitments.models import Cycle, Instrument
from compact_tracker import pagecache
from parliaments import services
from parliaments.models import Parliament, Ratification
from tests.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ratifications"


def test_each_cell_says_the_status_in_words_with_its_year():
    html = Client().get("/ratifications/").content.decode()
    assert "180 parliaments" in html
    # Albania: ICRMW party since 2007; Afghanistan: not party (the list is complete).
    albania = html[html.index('<th scope="row">Albania</th>') :].split("</tr>", 1)[0]
    assert (
        '<td class="rat rat-party"' in albania
        and 'Party <span class="rat-date">2007</span>' in albania
    )
    afghanistan = html[html.index('<th scope="row">Afghanistan</th>') :].split("</tr>", 1)[0]
    assert "Not party</td>" in afghanistan and "Unknown</td>" in afghanistan
    assert 'href="/ratifications/ICRMW/"' in html


def test_the_matrix_filters_by_region_and_instrument_group():
    html = Client().get("/ratifications/?region=oceania&group=ilo").content.decode()
    assert "Fiji" in html and "Albania" not in html
    assert ">C189</a>" in html and ">ICRMW</a>" not in html and ">TIP</a>" not in html


def test_the_matrix_downloads_whole_as_csv_and_xlsx():
    response = Client().get("/ratifications/?export=ratifications&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Parliament", "ISO", "C097", "C097 date"]
    assert len(rows) == 181
    morocco = next(row for row in rows if row[1] == "MA")
    icrmw = rows[0].index("ICRMW")
    assert morocco[icrmw : icrmw + 2] == ["party", "1993-06-21"]
    xlsx = Client().get("/ratifications/?export=ratifications&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_matrix_runs_the_same_queries_whatever_the_data():
    client = Client()

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count("/ratifications/"), count("/ratifications/ICRMW/")
    # More lists: every instrument gets a status for every parliament.
    rows = [
        Ratification(parliament=p, instrument=i, status="not_party", quality="V2")
        for p in Parliament.objects.all()
        for i in Instrument.objects.exclude(ratifications__isnull=False)
    ]
    Ratification.objects.bulk_create(rows)
    pagecache.bump()  # as an import does: the cached matrix is stale
    large = count("/ratifications/"), count("/ratifications/ICRMW/")
    assert large == small, (small, large)
    assert max(large) <= 8


def test_the_instrument_page_credits_the_action_that_led_there(editor_ma, focal_ma, secretariat):
    """Morocco accedes to the Smuggling Protocol in 2019 (a UN list imported); its
    parliament's published ratification action for it is listed beside the date."""
    call_command(
        "import_ratifications",
        str(FIXTURES / "som-un.xml"),
        "--instrument",
        "SOM",
        stdout=io.StringIO(),
    )
    plan = PlanFactory(parliament=Parliament.objects.get(iso2="MA"))
    action = ActionFactory(
        plan=plan,
        title="Accession to the Smuggling Protocol",
        action_type="ratification",
        instrument=Instrument.objects.get(code="SOM"),
        links="R7a.1",
    )
    submission = services.submission_for(plan.parliament, Cycle.objects.get(code="2019-plan"))
    services.submission_submit(actor=focal_ma, submission=submission)
    services.submission_accept(actor=secretariat, submission=submission)
    html = Client().get("/ratifications/SOM/").content.decode()
    joined = html[html.index('id="joined-title"') :]
    assert "Morocco" in joined and "21 Jun 2019" in joined and "(accession)" in joined
    assert f"/parliaments/MA/actions/{action.uid}/" in joined
    assert "Accession to the Smuggling Protocol" in joined
    assert "chart-map" in html


def test_the_r7a1_and_coverage_pages_link_to_the_matrix(secretariat):
    assert 'href="/ratifications/"' in Client().get("/commitments/R7a.1/").content.decode()
    client = Client()
    client.force_login(secretariat)
    assert 'href="/ratifications/"' in client.get("/dashboard/coverage/").content.decode()
    assert 'href="/ratifications/"' in client.get("/dashboard/commitments/R7a.1/").content.decode()


def test_an_unknown_instrument_is_404():
    assert Client().get("/ratifications/NOPE/").status_code == 404


def test_the_matrix_finds_a_country_by_name_or_code():
    for query in ("moroc", "MA", "mar", "Morocco "):
        html = Client().get(f"/ratifications/?country={query}").content.decode()
        assert "1 parliament</h2>" in html and '<th scope="row">Morocco</th>' in html, query
    french = Client(headers={"cookie": "django_language=fr"}).get("/ratifications/?country=maroc")
    assert '<th scope="row">Maroc</th>' in french.content.decode()
    assert "0 parliaments</h2>" in Client().get("/ratifications/?country=zzzz").content.decode()
    assert Client().get("/ratifications/?country=%00zz").status_code == 400
