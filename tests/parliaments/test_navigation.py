"""Issue 15: after signing in, each role lands where it works (a `next` still wins), and
the main navigation shows each role's places with their badges; the account menu keeps
account things only."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Parliament, Submission
from tests.factories import ActionFactory, PlanFactory, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-1"


def person(username, role, iso2=None):
    user = make_user(username, role, iso2)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, username, next_url=None):
    data = {"username": username, "password": PASSWORD}
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return response.redirect_chain[-1][0], response


def nav(html):
    """The links (text, href) of the person's own places: the "Your work" band under the
    site's navigation (empty for a visitor)."""
    if 'aria-label="Your work"' not in html:
        return []
    block = html.split('aria-label="Your work"', 1)[1].split("</nav>", 1)[0]
    return [
        (" ".join(re.sub(r"<[^>]+>", " ", text).split()), href)
        for href, text in re.findall(
            r'<a class="work-nav-link[^"]*" href="([^"]+)"[^>]*>(.*?)</a>', block
        )
    ]


def account_menu(html):
    return html.split('class="dropdown-menu dropdown-menu-end"', 1)[1].split("</ul>", 1)[0]


@pytest.mark.parametrize(
    "username, role, iso2, lands_on",
    [
        ("secretariat.one", "secretariat", None, "/dashboard/"),
        ("editor.ma", "editor", "MA", "/workspace/"),
        ("focal.ma", "focal_point", "MA", "/workspace/"),
        ("partner.iom", "partner", None, "/accounts/tokens/"),
    ],
)
def test_each_role_lands_where_it_works_and_next_still_wins(username, role, iso2, lands_on):
    person(username, role, iso2)
    landed, response = sign_in(Client(), username)
    assert landed == lands_on
    if role == "partner":
        assert 'href="/api/"' in response.content.decode()  # the API guide beside the tokens
    landed, _response = sign_in(Client(), username, next_url="/objectives/7/")
    assert landed == "/objectives/7/"


def test_the_header_sign_in_link_does_not_send_people_back_to_the_public_page(client):
    html = client.get("/objectives/7/").content.decode()
    assert 'href="/accounts/login/">' in html and "?next=" not in html.split("</header>")[0]
    assert nav(html) == []  # a visitor has no places of its own


def test_the_secretariat_sees_its_places_and_the_number_waiting(
    client, django_capture_on_commit_callbacks
):
    client.force_login(person("secretariat.one", "secretariat"))
    html = client.get("/").content.decode()
    links = nav(html)
    assert ("Dashboard", "/dashboard/") in links
    assert ("Review queue", "/review/") in links  # nothing waiting: no badge
    assert ("Cycles", "/cycles/") in links
    menu = account_menu(html)
    assert "Review queue" not in menu and "Invite" not in menu and "Change password" in menu

    focal = person("focal.ma", "focal_point", "MA")
    ActionFactory(plan=PlanFactory(parliament=Parliament.objects.get(iso2="MA")))
    cycle = Cycle.objects.get(code="2021-progress")
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.submission_for(focal.profile.parliament, cycle)
        services.submission_submit(actor=focal, submission=submission)
    assert ("Review queue 1 waiting", "/review/") in nav(client.get("/").content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_accept(
            actor=person("secretariat.two", "secretariat"),
            submission=Submission.objects.get(pk=submission.pk),
        )
    assert ("Review queue", "/review/") in nav(client.get("/").content.decode())


def test_staff_see_their_workspace_with_a_badge_when_a_report_is_returned_or_due(
    client, django_capture_on_commit_callbacks
):
    editor = person("editor.ma", "editor", "MA")
    focal = person("focal.ma", "focal_point", "MA")
    reviewer = person("secretariat.one", "secretariat")
    ma = Parliament.objects.get(iso2="MA")
    ActionFactory(plan=PlanFactory(parliament=ma))
    client.force_login(editor)
    # Every cycle answered except one due in 90 days: no badge.
    with django_capture_on_commit_callbacks(execute=True):
        for cycle in Cycle.objects.all():
            submission = services.submission_for(ma, cycle)
            services.submission_submit(actor=focal, submission=submission)
        Cycle.objects.create(
            code="2027-check",
            title="Check",
            kind="progress",
            due_date=timezone.localdate() + datetime.timedelta(days=90),
        )
    assert ("My workspace", "/workspace/") in nav(client.get("/").content.decode())

    with django_capture_on_commit_callbacks(execute=True):
        Cycle.objects.filter(code="2027-check").update(
            due_date=timezone.localdate() + datetime.timedelta(days=20)
        )
        Cycle.objects.get(code="2027-check").save()  # as the cycle form does: pages follow
    assert ("My workspace report due", "/workspace/") in nav(client.get("/").content.decode())

    with django_capture_on_commit_callbacks(execute=True):
        submission = Submission.objects.get(parliament=ma, cycle__code="2021-progress")
        services.submission_return(actor=reviewer, submission=submission, comment="Dates?")
    assert ("My workspace returned", "/workspace/") in nav(client.get("/").content.decode())


def test_a_partner_sees_the_api_and_no_workspace(client):
    client.force_login(person("partner.iom", "partner"))
    links = nav(client.get("/").content.decode())
    assert ("API guide", "/api/") in links and ("API tokens", "/accounts/tokens/") in links
    assert not [href for _text, href in links if href in ("/workspace/", "/review/")]


def test_a_draft_edit_does_not_recount_the_review_badge(django_capture_on_commit_callbacks):
    """Issue 13 under writes: the secretariat's badge reads submissions only, so the many
    draft edits of a reporting season do not make every secretariat page recount it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parliaments.context_processors import waiting_for_review

    editor = person("editor.ma", "editor", "MA")
    action = ActionFactory(plan=PlanFactory(parliament=Parliament.objects.get(iso2="MA")))
    assert waiting_for_review() == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.action_update(
            actor=editor, action=action, expected_version=action.version, title="Renamed"
        )
    with CaptureQueriesContext(connection) as queries:
        assert waiting_for_review() == 0
    assert len(queries) == 0
    focal = person("focal.ma", "focal_point", "MA")
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.submission_for(
            action.parliament, Cycle.objects.get(code="2021-progress")
        )
        services.submission_submit(actor=focal, submission=submission)
    assert waiting_for_review() == 1


def test_the_progress_form_starts_from_today_the_next_cycle_due_and_the_current_completion(
    reference_data, editor_client
):
    """Issue 15: a new progress update defaults to today, the cycle the parliament must
    report in next (the earliest it has not answered, overdue or not, as the workspace's
    "next due" says), and the action's completion as it stands."""
    from parliaments import selectors

    action = ActionFactory(completion="substantial")
    form = editor_client.get(f"/workspace/actions/{action.pk}/progress/new/").context["form"]
    today = timezone.localdate()
    next_cycle, _days = selectors.next_due(action.parliament, today)
    assert isinstance(next_cycle, Cycle)
    assert form.initial["date"] == today
    assert form.initial["cycle"] == next_cycle
    assert form.initial["completion"] == "substantial"
