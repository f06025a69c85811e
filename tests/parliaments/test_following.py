"""Issue 18, following: a signed-in person follows a parliament, an objective or a
commitment; what is then published about it becomes notifications (a list with a count in
the header) and a daily or weekly email digest, whose one-click unsubscribe link needs no
sign-in. Emails are read from Django's mail outbox."""

import re

import pytest
from django.core import mail
from django.test import Client

from commitments.models import Commitment, Cycle, Objective
from parliaments import services
from parliaments.following import services as following
from parliaments.following.models import DigestSettings, Follow, Notification
from parliaments.models import Parliament
from tests.factories import ActionFactory, PlanFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def accept(focal_ma, secretariat):
    """Accept Morocco's 2019 plan: a plan, an action on objectives 7 and 15 (commitment
    R7a.2), and one on objective 2 only (commitment R7a.1)."""

    def accept():
        plan = PlanFactory(parliament=Parliament.objects.get(iso2="MA"), title="Plan MA")
        ActionFactory(plan=plan, title="Hearing on migrant workers")
        other = ActionFactory(plan=plan, title="Budget line for data")
        other.objectives.set([Objective.objects.get(number=1)])
        other.commitments.set([Commitment.objects.get(code="R7a.1")])
        submission = services.submission_for(plan.parliament, Cycle.objects.get(code="2019-plan"))
        services.submission_submit(actor=focal_ma, submission=submission)
        services.submission_accept(actor=secretariat, submission=submission)

    return accept


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _titles(user):
    return sorted(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_a_reader_follows_from_the_page_and_stops_from_the_list(partner):
    client = _client(partner)
    page = client.get("/parliaments/MA/").content.decode()
    assert 'name="kind" value="parliament"' in page and ">Follow<" in page
    answer = client.post(
        "/accounts/following/change/",
        {"kind": "parliament", "key": "MA", "follow": "on", "next": "/parliaments/MA/"},
    )
    assert answer.status_code == 302 and answer["Location"] == "/parliaments/MA/"
    page = client.get("/parliaments/MA/").content.decode()
    assert ">Following<" in page
    client.post("/accounts/following/change/", {"kind": "objective", "key": "7", "follow": "on"})
    client.post(
        "/accounts/following/change/", {"kind": "commitment", "key": "R7a.2", "follow": "on"}
    )
    listing = client.get("/accounts/following/").content.decode()
    assert "Morocco" in listing and "Objective 7" in listing and "R7a.2" in listing
    assert Follow.objects.filter(user=partner).count() == 3
    # Following again changes nothing; unfollowing from the list removes only that one.
    client.post("/accounts/following/change/", {"kind": "parliament", "key": "MA", "follow": "on"})
    client.post("/accounts/following/change/", {"kind": "objective", "key": "7"})
    assert set(Follow.objects.filter(user=partner).values_list("objective", flat=True)) == {None}
    assert Follow.objects.filter(user=partner).count() == 2
    # The digest defaults to weekly, in the language the person was reading.
    assert DigestSettings.objects.get(user=partner).frequency == "weekly"


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "parliament", "key": "XX", "follow": "on"},
        {"kind": "objective", "key": "99", "follow": "on"},
        {"kind": "objective", "key": "seven", "follow": "on"},
        {"kind": "commitment", "key": "R99", "follow": "on"},
        {"kind": "cycle", "key": "2019-plan", "follow": "on"},
        {"kind": "parliament"},
    ],
)
def test_a_follow_of_nothing_is_a_400_and_changes_nothing(partner, data):
    answer = _client(partner).post("/accounts/following/change/", data)
    assert answer.status_code == 400
    assert not Follow.objects.exists()


def test_anonymous_readers_are_asked_to_sign_in(anonymous_client):
    page = anonymous_client.get("/objectives/7/").content.decode()
    assert "Sign in to follow" in page and "/accounts/login/?next=/objectives/7/" in page
    answer = anonymous_client.post(
        "/accounts/following/change/", {"kind": "objective", "key": "7", "follow": "on"}
    )
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
    assert not Follow.objects.exists()
    assert anonymous_client.get("/accounts/notifications/").status_code == 302


def test_followers_are_notified_of_what_concerns_what_they_follow(partner, editor_mx, accept):
    objective_reader = make_user("reader.objective1", "partner")
    commitment_reader = make_user("reader.r7a2", "partner")
    following.follow(partner, parliament=Parliament.objects.get(iso2="MA"))
    following.follow(objective_reader, objective=Objective.objects.get(number=1))
    following.follow(commitment_reader, commitment=Commitment.objects.get(code="R7a.2"))
    following.follow(editor_mx, parliament=Parliament.objects.get(iso2="MX"))
    following.notify(limit=10**6)  # what the reference data published before the follows
    Notification.objects.all().delete()
    accept()
    following.notify()
    assert {"Plan MA", "Hearing on migrant workers", "Budget line for data"} <= set(
        _titles(partner)
    )
    events = dict(Notification.objects.filter(user=partner).values_list("title", "event"))
    assert events["Plan MA"] == "plan.published"
    assert events["Hearing on migrant workers"] == "action.published"
    assert events["Budget line for data"] == "action.published"
    assert "submission.accepted" in events.values()
    assert _titles(objective_reader) == ["Budget line for data"]
    assert _titles(commitment_reader) == ["Hearing on migrant workers"]
    assert _titles(editor_mx) == []
    # The header's count, and the list; reading them clears the count.
    client = _client(partner)
    page = client.get("/accounts/notifications/").content.decode()
    count = Notification.objects.filter(user=partner).count()
    assert re.search(rf"data-unread-count>{count}<", page)
    assert "Hearing on migrant workers" in page and "Action published" in page
    assert client.post("/accounts/notifications/").status_code == 302
    page = client.get("/accounts/notifications/").content.decode()
    assert "data-unread-count" not in page
    assert not Notification.objects.filter(user=partner, read_at=None).exists()
    # A second run writes nothing again.
    assert following.notify() == 0


def test_one_notification_per_change_however_many_follows_match(partner, accept):
    following.follow(partner, parliament=Parliament.objects.get(iso2="MA"))
    following.follow(partner, objective=Objective.objects.get(number=7))
    following.follow(partner, commitment=Commitment.objects.get(code="R7a.2"))
    following.notify(limit=10**6)
    Notification.objects.all().delete()
    accept()
    following.notify()
    titles = _titles(partner)
    assert titles.count("Hearing on migrant workers") == 1


def test_the_daily_digest_and_its_one_click_unsubscribe(
    partner, accept, django_capture_on_commit_callbacks
):
    def send(frequency):
        with django_capture_on_commit_callbacks(execute=True):
            return following.send_digests(frequency)

    weekly = make_user("reader.weekly", "partner")
    following.follow(partner, parliament=Parliament.objects.get(iso2="MA"))
    following.follow(weekly, parliament=Parliament.objects.get(iso2="MA"))
    following.set_frequency(partner, "daily")
    following.notify(limit=10**6)
    Notification.objects.all().delete()
    accept()
    following.notify()
    mail.outbox.clear()
    assert send("daily") == 1
    [digest] = [m for m in mail.outbox if m.to == [partner.email]]
    assert not [m for m in mail.outbox if m.to == [weekly.email]]  # weekly: not today
    assert "new publications you follow" in digest.subject
    assert "Hearing on migrant workers" in digest.body and "Morocco" in digest.body
    html = digest.alternatives[0][0]
    assert "Hearing on migrant workers" in html
    [link] = re.findall(r"https?://\S+/accounts/digest/unsubscribe/\S+/", digest.body)
    assert digest.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Nothing new: no second digest.
    mail.outbox.clear()
    assert send("daily") == 0
    assert mail.outbox == []
    # One click, no sign-in.
    path = "/" + link.split("/", 3)[3]
    page = Client().get(path)
    assert page.status_code == 200 and "You are unsubscribed" in page.content.decode()
    assert DigestSettings.objects.get(user=partner).frequency == "never"
    assert Follow.objects.filter(user=partner).exists()  # the follows stay
    # A mail client's own button (RFC 8058) posts to the same link.
    assert Client().post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    # Later publications: no digest for them, the weekly reader gets theirs.
    mail.outbox.clear()
    assert send("daily") == 0
    assert send("weekly") == 1
    assert [m.to for m in mail.outbox] == [[weekly.email]]
    # Undo, from the same page.
    page = Client().post(path, {"frequency": "weekly"})
    assert "Subscribed again" in page.content.decode()
    assert DigestSettings.objects.get(user=partner).frequency == "weekly"


def test_an_altered_unsubscribe_link_changes_nothing(partner):
    following.follow(partner, parliament=Parliament.objects.get(iso2="MA"))
    token = following.unsubscribe_token(partner)
    other = make_user("reader.other", "partner")
    forged = following.unsubscribe_token(other)[:-2] + "xx"
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), forged, "nothing"):
        answer = Client().get(f"/accounts/digest/unsubscribe/{bad}/")
        assert answer.status_code == 400
        assert "This link does not work" in answer.content.decode()
    assert DigestSettings.objects.get(user=partner).frequency == "weekly"


def test_the_digest_frequency_is_chosen_on_the_following_page(partner):
    client = _client(partner)
    page = client.get("/accounts/following/").content.decode()
    assert "You follow nothing yet." in page
    assert client.post("/accounts/following/", {"frequency": "daily"}).status_code == 302
    assert DigestSettings.objects.get(user=partner).frequency == "daily"
    bad = client.post("/accounts/following/", {"frequency": "hourly"})
    assert bad.status_code == 400 and "is not one of the available choices" in bad.content.decode()
    assert DigestSettings.objects.get(user=partner).frequency == "daily"


@pytest.mark.parametrize("count", [3, 60])
def test_notifications_page_runs_a_fixed_number_of_queries(
    partner, count, django_assert_max_num_queries
):
    from parliaments.models import PublicationChange

    morocco = Parliament.objects.get(iso2="MA")
    following.follow(partner, parliament=morocco)
    following.notify(limit=10**6)
    changes = PublicationChange.objects.bulk_create(
        PublicationChange(
            kind="plan",
            uid=f"00000000-0000-0000-0000-{n:012}",
            parliament=morocco,
            operation="upsert",
        )
        for n in range(count)
    )
    assert following.notify() == count
    assert changes
    client = _client(partner)
    with django_assert_max_num_queries(9):
        assert client.get("/accounts/notifications/").status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get("/accounts/following/").status_code == 200
