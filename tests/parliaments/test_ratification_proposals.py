"""Issue 17: a parliament reports its state's new status from the workspace; the
secretariat verifies it (in the review queue or on the matrix) or declines it with a
reason; a verified accession after Rabat credits the parliament's ratification action on
the dashboards and reaches partners through the changes feed."""

import datetime

import pytest
from django.test import Client

from commitments.models import Cycle, Instrument
from parliaments import services
from parliaments.models import OutboxMessage, Parliament, PublicationChange, Ratification
from parliaments.ratifications import proposals
from parliaments.ratifications.models import RatificationProposal
from tests.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db

SOURCE = "https://normlex.ilo.org/dyn/nrmlx_en/f?p=1000:11300:0::NO::P11300_INSTRUMENT_ID:3999810"


@pytest.fixture
def c190_action(editor_ma):
    return ActionFactory(
        plan=PlanFactory(parliament=Parliament.objects.get(iso2="MA")),
        title="Ratify the Violence and Harassment Convention",
        action_type="ratification",
        instrument=Instrument.objects.get(code="C190"),
        links="R7a.1",
    )


def _report(client, **changes):
    data = {
        "instrument": Instrument.objects.get(code="C190").pk,
        "status": "party",
        "date": "2024-05-03",
        "date_kind": "ratification",
        "source": SOURCE,
        "note": "Instrument deposited with the ILO Director-General.",
        **changes,
    }
    return client.post("/workspace/ratifications/report/", data)


def test_staff_report_a_ratification_which_changes_nothing_until_verified(
    editor_client, c190_action, secretariat
):
    page = editor_client.get("/workspace/ratifications/")
    assert page.status_code == 200
    assert 'id="instrument-C190"' in page.content.decode()
    form = editor_client.get("/workspace/ratifications/report/?instrument=C190")
    # The parliament's only ratification action for C190 is chosen for it.
    assert f'<option value="{c190_action.pk}" selected>' in form.content.decode()

    response = _report(editor_client, action=c190_action.pk)
    assert response.status_code == 302
    proposal = RatificationProposal.objects.get()
    assert (proposal.state, proposal.action, proposal.proposed_by.username) == (
        "pending",
        c190_action,
        "editor.ma",
    )
    # The status is not touched, the secretariat is told.
    assert not Ratification.objects.filter(parliament__iso2="MA", instrument__code="C190").exists()
    mail = OutboxMessage.objects.get(kind="ratification")
    assert mail.to == secretariat.email and "C190" in mail.subject
    page = editor_client.get("/workspace/ratifications/").content.decode()
    assert "Your report is waiting for verification" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date": "2999-01-01"}, "date", "cannot be in the future"),
        ({"date": ""}, "date", "Give the date"),
        ({"date_kind": "signature"}, "date_kind", "becomes party by"),
        ({"status": "signatory", "date_kind": "accession"}, "date_kind", "date of signature"),
        ({"source": "not a link"}, "source", "Enter a valid URL"),
        ({"source": ""}, "source", "This field is required"),
        ({"instrument": "999999"}, "instrument", "Select a valid choice"),
        ({"date": "31/02/2024"}, "date", "Enter a valid date"),
    ],
)
def test_a_bad_report_shows_field_errors_and_saves_nothing(editor_client, changes, field, message):
    response = _report(editor_client, **changes)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not RatificationProposal.objects.exists()
    assert not OutboxMessage.objects.filter(kind="ratification").exists()


def test_the_action_must_be_the_parliaments_own_for_that_instrument(editor_client, c190_action):
    other = ActionFactory(
        plan=c190_action.plan,
        action_type="ratification",
        instrument=Instrument.objects.get(code="C189"),
    )
    response = _report(editor_client, action=other.pk)
    assert "This action is about C189" in str(response.context["form"].errors["action"])
    mexico = ActionFactory(
        plan=PlanFactory(parliament=Parliament.objects.get(iso2="MX")),
        action_type="ratification",
        instrument=Instrument.objects.get(code="C190"),
    )
    response = _report(editor_client, action=mexico.pk)
    assert "Select a valid choice" in str(response.context["form"].errors["action"])
    assert not RatificationProposal.objects.exists()


def test_a_second_report_waits_for_the_first(editor_client):
    assert _report(editor_client).status_code == 302
    response = _report(editor_client, date="2024-05-04")
    assert response.status_code == 200
    assert "already waiting for verification" in response.content.decode()
    assert RatificationProposal.objects.count() == 1


def test_only_the_parliaments_staff_report_and_only_the_secretariat_decides(
    client, reviewer_client, partner_client, editor_client, other_parliament_client
):
    assert client.get("/workspace/ratifications/report/").status_code == 302  # sign in
    assert partner_client.get("/workspace/ratifications/").status_code == 403
    assert reviewer_client.post("/workspace/ratifications/report/", {}).status_code == 403
    _report(editor_client)
    proposal = RatificationProposal.objects.get()
    url = f"/review/ratifications/{proposal.pk}/"
    for outsider in (editor_client, other_parliament_client, partner_client):
        assert outsider.get(url).status_code == 403
        assert outsider.post(url, {"decision": "verify"}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.state == "pending"


def test_the_secretariat_verifies_from_the_queue_and_the_action_is_credited(
    editor_client, c190_action, secretariat, reviewer_client, focal_ma
):
    _report(editor_client, action=c190_action.pk)
    proposal = RatificationProposal.objects.get()
    queue = reviewer_client.get("/review/").content.decode()
    assert f'href="/review/ratifications/{proposal.pk}/"' in queue
    page = reviewer_client.get(f"/review/ratifications/{proposal.pk}/").content.decode()
    assert "What the tracker records now" in page and "Unknown" in page and SOURCE in page

    response = reviewer_client.post(
        f"/review/ratifications/{proposal.pk}/", {"decision": "verify", "next": "/review/"}
    )
    assert response.status_code == 302 and response["Location"] == "/review/"
    row = Ratification.objects.get(parliament__iso2="MA", instrument__code="C190")
    assert (row.status, row.date, row.date_kind, row.quality, row.source) == (
        "party",
        datetime.date(2024, 5, 3),
        "ratification",
        "V",
        SOURCE,
    )
    assert row.verified_by == secretariat and row.recorded_by.username == "editor.ma"
    assert row.as_of == datetime.date.today() and row.credited_action == c190_action
    assert row.joined_since_rabat
    assert row.history.latest().history_user == secretariat
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decided_by) == ("verified", secretariat)
    # The parliament is told; partners see it in the changes feed.
    assert OutboxMessage.objects.filter(kind="ratification", to="editor.ma@example.org").exists()
    entry = PublicationChange.objects.filter(kind="ratification", uid=row.uid).get()
    feed = Client().get(f"/api/v1/changes/?since={entry.pk - 1}&limit=1").json()
    record = feed["results"][0]
    assert (record["type"], record["parliament"], record["record"]["instrument"]) == (
        "ratification",
        "MA",
        "C190",
    )
    assert record["record"]["credited_action"] == str(c190_action.uid)

    # Dashboards (drafts, for the secretariat): R7a.1 credits the action.
    dashboard = reviewer_client.get("/dashboard/commitments/R7a.1/").content.decode()
    joined = dashboard[dashboard.index('id="joined-title"') :]
    assert "Morocco" in joined and "Credited" in joined and c190_action.title in joined
    # The public sees the credit once the action is published.
    public = Client().get("/commitments/R7a.1/").content.decode()
    joined = public[public.index('id="joined-title"') :]
    assert "Morocco" in joined and c190_action.title not in joined
    submission = services.submission_for(
        c190_action.parliament, Cycle.objects.get(code="2019-plan")
    )
    services.submission_submit(actor=focal_ma, submission=submission)
    services.submission_accept(actor=secretariat, submission=submission)
    public = Client().get("/commitments/R7a.1/").content.decode()
    joined = public[public.index('id="joined-title"') :]
    assert f"/parliaments/MA/actions/{c190_action.uid}/" in joined and "Credited" in joined
    instrument = Client().get("/ratifications/C190/").content.decode()
    assert 'class="credited"' in instrument
    action_page = Client().get(f"/parliaments/MA/actions/{c190_action.uid}/").content.decode()
    assert "Led to" in action_page and "C190: party" in action_page


def test_the_secretariat_sees_reports_on_the_matrix_the_public_does_not(
    editor_client, reviewer_client
):
    _report(editor_client, instrument=Instrument.objects.get(code="C189").pk)
    proposal = RatificationProposal.objects.get()
    link = f'href="/review/ratifications/{proposal.pk}/"'
    assert link in reviewer_client.get("/ratifications/?region=africa").content.decode()
    assert link not in Client().get("/ratifications/?region=africa").content.decode()
    assert "report to verify" not in Client().get("/ratifications/").content.decode()


def test_a_declined_report_needs_a_reason_and_leaves_the_status(editor_client, reviewer_client):
    _report(editor_client, instrument=Instrument.objects.get(code="ICRMW").pk, date="2020-01-01")
    proposal = RatificationProposal.objects.get()
    before = Ratification.objects.get(parliament__iso2="MA", instrument__code="ICRMW")
    url = f"/review/ratifications/{proposal.pk}/"
    response = reviewer_client.post(url, {"decision": "decline", "reason": " "})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = reviewer_client.post(
        url, {"decision": "decline", "reason": "Morocco ratified in 1993, not 2020."}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == "rejected"
    after = Ratification.objects.get(pk=before.pk)
    assert (after.date, after.quality, after.updated_at) == (
        before.date,
        before.quality,
        before.updated_at,
    )
    page = editor_client.get("/workspace/ratifications/").content.decode()
    assert "Morocco ratified in 1993, not 2020." in page and "Not verified" in page
    # Declined, a new report can be sent.
    assert (
        _report(editor_client, instrument=Instrument.objects.get(code="ICRMW").pk).status_code
        == 302
    )


def test_a_report_is_decided_once(editor_client, secretariat, reviewer_client):
    _report(editor_client)
    proposal = RatificationProposal.objects.get()
    proposals.verify(proposal.pk, secretariat)
    history = Ratification.history.count()
    response = reviewer_client.post(
        f"/review/ratifications/{proposal.pk}/", {"decision": "verify"}, follow=True
    )
    assert "Someone else decided on this report first." in response.content.decode()
    with pytest.raises(proposals.AlreadyDecided):
        proposals.decline(proposal.pk, secretariat, "late")
    assert Ratification.history.count() == history


def test_an_import_reaches_the_changes_feed():
    from parliaments.ratifications import formats
    from parliaments.ratifications.services import apply_listing

    before = PublicationChange.objects.filter(kind="ratification").count()
    listing = formats.read_csv(
        "instrument,country_in_source,iso2,date,date_type,status,source,note\n"
        "C190,Morocco,MA,2024-05-03,ratification,V,https://normlex.ilo.org/x,\n",
        as_of=datetime.date(2024, 6, 1),
        complete=False,
    )
    apply_listing(listing)
    entries = PublicationChange.objects.filter(kind="ratification")
    assert entries.count() == before + 1
    assert entries.last().parliament.iso2 == "MA"
    apply_listing(listing)  # idempotent: nothing written, nothing announced
    assert entries.count() == before + 1
