"""Issue 17: the 2021 progress report and the IMRF contributions carry a section on the
ratifications since Rabat (by instrument and region, each state with its source and the
parliament action credited), and every report the objectives' SDG targets with the basis
of each link."""

import datetime
import io
import json

import jsonschema
import pytest
from openpyxl import load_workbook

from commitments.models import Cycle, Instrument
from parliaments.models import Action, Parliament, Ratification
from parliaments.ratifications import proposals
from parliaments.ratifications.models import RABAT, RatificationProposal
from reports import content
from tests.factories import make_user
from tests.reports.test_cycle_reports import build, file_bytes, request

pytestmark = pytest.mark.django_db
SOURCE = (
    "https://normlex.ilo.org/dyn/nrmlx_en/f?p=NORMLEXPUB:11300:0::NO::P11300_INSTRUMENT_ID:3999810"
)


def _credit_morocco_c190():
    """Morocco's parliament reports a C190 ratification, credited to its published action
    "MA complete"; the secretariat verifies it."""
    draft = Action.objects.drafts().get(title="MA complete")
    proposal = RatificationProposal.objects.create(
        parliament=Parliament.objects.get(iso2="MA"),
        instrument=Instrument.objects.get(code="C190"),
        status="party",
        date=datetime.date(2024, 5, 3),
        date_kind="ratification",
        source=SOURCE,
        action=draft,
    )
    return proposals.verify(proposal.pk, make_user("secretariat.checker", "secretariat"))


def test_the_2021_report_counts_who_joined_since_rabat_with_sources_and_credits(known):
    _credit_morocco_c190()
    report = build(request()[0])
    data = json.loads(file_bytes(report, "json"))
    jsonschema.validate(data, content.JSON_SCHEMA)
    section = data["ratifications_since_rabat"]
    assert section["since"] == "2018-12-07"
    c190 = next(row for row in section["by_instrument"] if row["instrument"] == "C190")
    joined = Ratification.objects.filter(instrument__code="C190", status="party", date__gt=RABAT)
    assert c190["joined"] == joined.count() > 1
    assert c190["regions"]["africa"] == joined.filter(parliament__region="africa").count() >= 1
    assert sum(c190["regions"].values()) == c190["joined"]
    morocco = next(s for s in section["states"] if (s["iso2"], s["instrument"]) == ("MA", "C190"))
    assert (morocco["date"], morocco["source"], morocco["quality"]) == ("2024-05-03", SOURCE, "V")
    assert morocco["credited_action"] == "MA complete"
    # Partial lists say only what they contain: nobody is counted who is not listed party.
    assert (
        len(section["states"])
        == Ratification.objects.filter(status="party", date__gt=RABAT).count()
    )

    book = load_workbook(io.BytesIO(file_bytes(report, "xlsx")))
    rows = list(book["ratifications_since_rabat"].iter_rows(min_row=2, values_only=True))
    assert rows[[r[:2] for r in rows].index(("Morocco", "MA"))][:3] == ("Morocco", "MA", "Africa")
    assert any(r[6] == "MA complete" and r[7] == SOURCE for r in rows)
    headers = next(book["ratifications_by_instrument"].iter_rows(max_row=1, values_only=True))
    assert headers[:3] == ("Instrument", "Name", "Joined since Rabat")

    html = file_bytes(report, "html").decode()
    section_html = html[html.index('<section id="ratifications">') :]
    assert "Ratifications since Rabat" in section_html and "MA complete" in section_html
    assert f'href="{SOURCE}"' in section_html.replace("&amp;", "&")


def test_a_regional_report_counts_its_region_only(known):
    _credit_morocco_c190()
    report = build(request(scope="region", region="europe")[0])
    section = json.loads(file_bytes(report, "json"))["ratifications_since_rabat"]
    assert {s["region"] for s in section["states"]} == {"europe"}
    assert all(
        sum(row["regions"].values()) == row["regions"]["europe"] for row in section["by_instrument"]
    )


def test_plan_reports_have_no_ratification_section_but_show_sdg_targets(known):
    report = build(request(cycle=Cycle.objects.get(code="2019-plan"))[0])
    data = json.loads(file_bytes(report, "json"))
    assert "ratifications_since_rabat" not in data
    objective_20 = next(o for o in data["objectives"] if o["number"] == 20)
    assert objective_20["sdg_targets"] == [{"target": "10.c", "basis": "gcm"}]
    sheet = load_workbook(io.BytesIO(file_bytes(report, "xlsx")))["objectives"]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == 20)
    assert row[5] == "10.c (GCM)"


def test_a_new_status_makes_a_new_version_of_the_report(known):
    first = build(request()[0])
    again, created = request()
    assert not created and again.pk == first.pk  # same data: the report is reused
    _credit_morocco_c190()
    second, created = request()
    assert created
    second = build(second)
    assert second.version == first.version + 1


def test_a_long_list_is_cut_in_the_document_and_whole_in_the_files(known, monkeypatch):
    from reports import render

    monkeypatch.setattr(render, "HTML_RATIFICATIONS_LIMIT", 3)
    report = build(request(formats=["html", "json"])[0])
    total = len(json.loads(file_bytes(report, "json"))["ratifications_since_rabat"]["states"])
    assert total > 3
    html = file_bytes(report, "html").decode()
    table = html[html.index('<table class="ratifications_since_rabat">') :].split("</table>")[0]
    assert table.count("<tr>") == 1 + 3  # the header and three states
    assert f"The first 3 of {total} states." in html
