"""Issue 14: the review page as a reviewer reads it. For each item of the submission, what
changed since the last publication field by field ("before → after") or "new"; the
progress of the report with its evidence, inline; flags for what a reviewer would ask
about; comment boxes that open on demand; a decision form that says what accepting
publishes."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from commitments.models import Commitment, Cycle, Objective
from parliaments import services
from parliaments.models import Action, PlanOfAction
from tests.factories import ActionFactory, PlanFactory, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def review():
    """Morocco published its plan and three actions in 2019; then it renamed one (with a
    2021 update and a file), added one, and marked one complete with no evidence and a
    target date long past. Its 2021 report waits for review."""
    editor = make_user("editor.ma", "editor", "MA")
    focal = make_user("focal.ma", "focal_point", "MA")
    reviewer = make_user("secretariat.reviewer", "secretariat")
    plan = PlanFactory()
    renamed = ActionFactory(plan=plan, title="Hearing on migrant workers")
    unchanged = ActionFactory(plan=plan, title="Budget line for reception")
    overdue = ActionFactory(
        plan=plan, title="Ratify the ICRMW", target_date=datetime.date(2020, 6, 30)
    )
    plan_2019 = services.submission_for(plan.parliament, Cycle.objects.get(code="2019-plan"))
    services.submission_submit(actor=focal, submission=plan_2019)
    services.submission_accept(actor=reviewer, submission=plan_2019)

    renamed.refresh_from_db()
    services.action_update(
        actor=editor,
        action=renamed,
        expected_version=renamed.version,
        title="Hearings on migrant workers' rights",
        target_date=datetime.date(2027, 3, 31),
    )
    cycle = Cycle.objects.get(code="2021-progress")
    services.progress_update_create(
        actor=editor,
        action=renamed,
        date=datetime.date(2021, 5, 4),
        cycle=cycle,
        completion="substantial",
        narrative="Two hearings held with migrant associations and the labour ministry.",
        files=[SimpleUploadedFile("hearing-minutes.pdf", PDF, content_type="application/pdf")],
        links=[("Hansard", "https://parliament.example.ma/hansard/7")],
    )
    overdue.refresh_from_db()
    services.progress_update_create(
        actor=editor,
        action=overdue,
        date=datetime.date(2021, 6, 1),
        cycle=cycle,
        completion="complete",
        narrative="Ratified.",
    )
    added = services.action_create(
        actor=editor,
        plan=plan,
        commitments=list(Commitment.objects.filter(code="R7b.2")),
        objectives=list(Objective.objects.filter(number=7)),
        title="Committee visit to a reception centre",
        action_type="oversight",
        completion="not_started",
    )
    submission = services.submission_for(plan.parliament, cycle)
    services.submission_submit(actor=focal, submission=submission)
    client = Client()
    client.force_login(reviewer)
    return {
        "client": client,
        "submission": submission,
        "actions": {"renamed": renamed, "unchanged": unchanged, "overdue": overdue, "added": added},
    }


def _item(html, action):
    """The HTML of one action's card on the review page."""
    start = html.index(f'id="item-{action.pk}"')
    end = html.find('<article class="card review-item', start)
    return html[start : end if end > 0 else len(html)]


def test_each_item_says_what_changed_since_the_last_publication(review):
    html = review["client"].get(f"/review/{review['submission'].pk}/").content.decode()
    renamed = _item(html, review["actions"]["renamed"])
    assert "changed" in renamed
    diff = re.sub(r"\s+", " ", renamed.split('class="table table-sm diff-table')[1])
    assert "Title</th>" in diff
    assert "Hearing on migrant workers</td>" in diff
    assert "Hearings on migrant workers&#x27; rights</td>" in diff
    assert "Target date</th>" in diff and "31 Mar 2027" in diff
    assert "new" in _item(html, review["actions"]["added"])
    unchanged = _item(html, review["actions"]["unchanged"])
    assert "unchanged" in unchanged and "diff-table" not in unchanged


def test_the_progress_and_its_evidence_show_inline(review):
    html = review["client"].get(f"/review/{review['submission'].pk}/").content.decode()
    renamed = _item(html, review["actions"]["renamed"])
    assert "Two hearings held with migrant associations and the labour ministry." in renamed
    assert 'href="https://parliament.example.ma/hansard/7"' in renamed
    assert "hearing-minutes.pdf</a>" in renamed and "/evidence/" in renamed


def test_flags_mark_what_a_reviewer_would_ask_about(review):
    html = review["client"].get(f"/review/{review['submission'].pk}/").content.decode()
    overdue = _item(html, review["actions"]["overdue"])
    assert "Marked complete without evidence" in overdue
    assert "Target date passed" not in overdue  # it is complete now
    unchanged = _item(html, review["actions"]["unchanged"])
    assert "No progress recorded for this cycle" in unchanged
    renamed = _item(html, review["actions"]["renamed"])
    assert 'class="review-flags"' not in renamed

    Action.objects.filter(pk=review["actions"]["unchanged"].pk).update(
        target_date=datetime.date(2020, 1, 31)
    )
    html = review["client"].get(f"/review/{review['submission'].pk}/").content.decode()
    assert "Target date passed (31 Jan 2020) and not complete" in _item(
        html, review["actions"]["unchanged"]
    )


def test_comment_boxes_open_on_demand_and_a_return_keeps_them(review):
    client, submission = review["client"], review["submission"]
    html = client.get(f"/review/{submission.pk}/").content.decode()
    boxes = re.findall(r"<details class=\"review-comment[^>]*>", html)
    assert len(boxes) == 1 + 4  # the plan and each action
    assert not any(" open" in box for box in boxes)
    assert html.count("Add a comment") == 5
    # A return with no comment at all is refused; the comment typed stays open.
    renamed = review["actions"]["renamed"]
    response = client.post(
        f"/review/{submission.pk}/",
        {"decision": "return", "comment": "", f"comment_action_{renamed.pk}": ""},
    )
    assert response.status_code == 200
    response = client.post(
        f"/review/{submission.pk}/",
        {"decision": "return", "comment": "", f"comment_action_{renamed.pk}": "Add the date."},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == "returned"
    assert submission.comments.get().body == "Add the date."


def test_the_decision_says_what_accepting_publishes(review):
    html = review["client"].get(f"/review/{review['submission'].pk}/").content.decode()
    decision = re.sub(r"\s+", " ", html.split('id="decision-title"')[1])
    assert "Accepting publishes" in decision
    assert "the plan of action (unchanged)," in decision
    assert "4 actions (1 new, 2 changed, 1 unchanged)" in decision
    assert "and 2 progress updates with 2 pieces of evidence." in decision
    assert "nothing is published" in decision
    assert PlanOfAction.objects.filter(is_published_copy=True).count() == 1


def test_staff_see_their_draft_beside_the_published_version(review):
    editor = Client()
    editor.force_login(make_user("editor.ma.2", "editor", "MA"))
    renamed = review["actions"]["renamed"]
    page = " ".join(editor.get(f"/workspace/actions/{renamed.pk}/").content.decode().split())
    assert "Your draft differs from what the public sees." in page
    assert "Hearing on migrant workers</td>" in page
    assert "Hearings on migrant workers&#x27; rights</td>" in page
    assert f"/parliaments/MA/actions/{renamed.uid}/" in page
    # The draft says "limited" where the published copy says what its report supported.
    unchanged = review["actions"]["unchanged"]
    page = editor.get(f"/workspace/actions/{unchanged.pk}/").content.decode()
    assert "Completion</th>" in page and "Title</th>" not in page
    Action.objects.filter(pk=unchanged.pk).update(completion="not_started")
    page = editor.get(f"/workspace/actions/{unchanged.pk}/").content.decode()
    assert "The same as the published version." in page and "diff-table" not in page
    added = review["actions"]["added"]
    page = editor.get(f"/workspace/actions/{added.pk}/").content.decode()
    assert "Not published yet" in page


def test_staff_see_their_draft_plan_beside_the_published_version(review):
    editor = Client()
    editor.force_login(make_user("editor.ma.3", "editor", "MA"))
    plan = PlanOfAction.objects.get(is_published_copy=False)
    page = editor.get(f"/workspace/plan/{plan.pk}/edit/").content.decode()
    assert "The same as the published version." in page
    PlanOfAction.objects.filter(pk=plan.pk).update(summary="Hearings first, then the bill.")
    page = " ".join(editor.get(f"/workspace/plan/{plan.pk}/edit/").content.decode().split())
    assert "Your draft differs from what the public sees." in page
    assert "Summary</th>" in page and "Hearings first, then the bill.</td>" in page
