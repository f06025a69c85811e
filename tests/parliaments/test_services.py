import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from commitments.models import Commitment, Cycle, Objective
from parliaments import selectors, services
from parliaments.models import Action, Evidence, ProgressUpdate, Submission
from tests.factories import ActionFactory, PlanFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db


def test_second_edit_from_the_same_version_is_refused_and_nothing_is_lost(editor_ma, focal_ma):
    action = ActionFactory(title="Hearing on migrant workers")
    opened_at = action.version

    services.action_update(
        actor=editor_ma, action=action, expected_version=opened_at, title="Hearing held in May"
    )
    with pytest.raises(services.StaleEdit) as stale:
        services.action_update(
            actor=focal_ma, action=action, expected_version=opened_at, title="Another title"
        )

    action.refresh_from_db()
    assert action.title == "Hearing held in May"
    assert action.version == opened_at + 1
    changes = {change.field: (change.then, change.now) for change in stale.value.changes}
    assert changes["title"] == ("Hearing on migrant workers", "Hearing held in May")
    assert stale.value.changed_by == editor_ma


def test_stale_edit_reports_changed_links(editor_ma):
    action = ActionFactory()
    services.action_update(
        actor=editor_ma,
        action=action,
        expected_version=1,
        objectives=list(Objective.objects.filter(number__in=[7, 15, 16])),
    )
    with pytest.raises(services.StaleEdit) as stale:
        services.action_update(actor=editor_ma, action=action, expected_version=1, title="x")
    [change] = [c for c in stale.value.changes if c.field == "objectives"]
    assert "Empower migrants" in change.now and "Empower migrants" not in change.then


def test_action_needs_a_commitment_an_objective_and_an_instrument_to_ratify(editor_ma):
    plan = PlanFactory()
    with pytest.raises(ValidationError) as error:
        services.action_create(
            actor=editor_ma,
            plan=plan,
            commitments=[Commitment.objects.get(code="R7a.1")],
            objectives=[Objective.objects.get(number=6)],
            title="Ratify",
            action_type="ratification",
        )
    assert "instrument" in error.value.message_dict
    with pytest.raises(ValidationError, match="Link at least one GCM objective"):
        services.action_create(
            actor=editor_ma, plan=plan, commitments=[1], objectives=[], title="x"
        )
    assert not Action.objects.exists()


def test_progress_update_moves_the_action_completion(editor_ma):
    action = ActionFactory(completion="limited")
    services.progress_update_create(
        actor=editor_ma,
        action=action,
        date="2021-06-01",
        cycle=Cycle.objects.get(code="2021-progress"),
        completion="complete",
        narrative="The law was promulgated.",
        links=[("Official gazette", "https://example.org/gazette/2021-06")],
    )
    action.refresh_from_db()
    assert action.completion == "complete"
    assert action.version == 2
    assert Evidence.objects.get().url == "https://example.org/gazette/2021-06"


def _submit_and_accept(focal, reviewer, cycle_code="2021-progress"):
    parliament = focal.profile.parliament
    submission = services.submission_for(parliament, Cycle.objects.get(code=cycle_code))
    services.submission_submit(actor=focal, submission=submission)
    services.submission_accept(actor=reviewer, submission=submission)
    return submission


def test_accepting_publishes_copies_that_later_edits_do_not_touch(editor_ma, focal_ma, secretariat):
    update = ProgressUpdateFactory(action__title="Bill on migrant workers")
    action = update.action
    public = selectors.action_visible_to(None)
    assert not public.exists()

    _submit_and_accept(focal_ma, secretariat)

    [copy] = public
    assert (copy.uid, copy.title, copy.is_published_copy) == (action.uid, action.title, True)
    assert copy.plan.is_published_copy and copy.plan.uid == action.plan.uid
    assert sorted(copy.objectives.values_list("number", flat=True)) == [7, 15]
    assert ProgressUpdate.objects.published().get().action == copy

    services.action_update(
        actor=editor_ma, action=action, expected_version=action.version, title="Draft rename"
    )
    assert public.get().title == "Bill on migrant workers"
    action.refresh_from_db()
    assert action.has_unpublished_changes


def test_deleted_draft_disappears_from_public_at_next_acceptance(editor_ma, focal_ma, secretariat):
    keep, drop = ActionFactory(), None
    drop = ActionFactory(plan=keep.plan)
    _submit_and_accept(focal_ma, secretariat)
    assert Action.objects.published().count() == 2

    services.action_delete(actor=editor_ma, action=drop, expected_version=drop.version)
    assert Action.objects.published().count() == 2  # still the accepted state
    _submit_and_accept(focal_ma, secretariat)
    assert list(Action.objects.published().values_list("uid", flat=True)) == [keep.uid]


def test_submission_steps_are_applied_once_and_emailed(
    focal_ma, editor_ma, secretariat, django_capture_on_commit_callbacks
):
    ActionFactory()
    submission = services.submission_for(
        focal_ma.profile.parliament, Cycle.objects.get(code="2019-plan")
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.submission_submit(actor=focal_ma, submission=submission)
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.is_late is True  # submitted in 2026 for a 2019 deadline
    assert [m.to for m in mail.outbox] == [[secretariat.email]]

    with django_capture_on_commit_callbacks(execute=True):
        services.submission_return(actor=secretariat, submission=submission, comment="Add dates.")
    with pytest.raises(services.InvalidTransition):
        services.submission_accept(actor=secretariat, submission=submission)
    assert sorted(m.to[0] for m in mail.outbox[1:]) == sorted([focal_ma.email, editor_ma.email])
    assert "Add dates." in mail.outbox[1].body

    services.submission_submit(actor=focal_ma, submission=submission)
    services.submission_accept(actor=secretariat, submission=submission)
    submission.refresh_from_db()
    assert (submission.status, submission.round) == (Submission.Status.ACCEPTED, 2)
    assert submission.history.count() >= 4


def test_returning_needs_a_comment(focal_ma, secretariat):
    ActionFactory()
    submission = services.submission_for(
        focal_ma.profile.parliament, Cycle.objects.get(code="2019-plan")
    )
    services.submission_submit(actor=focal_ma, submission=submission)
    with pytest.raises(ValidationError):
        services.submission_return(actor=secretariat, submission=submission, comment=" ")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_visibility_drafts_for_owner_and_secretariat_published_for_everyone_else(
    editor_ma, editor_mx, secretariat, partner
):
    ActionFactory()
    assert selectors.action_visible_to(editor_ma).count() == 1
    assert selectors.action_visible_to(secretariat).count() == 1
    assert selectors.action_visible_to(editor_mx).count() == 0
    assert selectors.action_visible_to(partner).count() == 0


def test_plan_edit_from_a_stale_version_is_refused(editor_ma, focal_ma):
    plan = PlanFactory(status="drafting", adopted_on=None)
    services.plan_update(actor=editor_ma, plan=plan, expected_version=1, title="Plan 2020–2023")
    with pytest.raises(services.StaleEdit) as stale:
        services.plan_update(actor=focal_ma, plan=plan, expected_version=1, summary="Other")
    plan.refresh_from_db()
    assert (plan.title, plan.version) == ("Plan 2020–2023", 2)
    assert [c.field for c in stale.value.changes] == ["title"]


def test_a_new_plan_becomes_the_only_current_one(editor_ma):
    old = PlanFactory()
    new = services.plan_create(
        actor=editor_ma, parliament=old.parliament, title="Plan 2024–2027", status="drafting"
    )
    old.refresh_from_db()
    assert (old.is_current, new.is_current) == (False, True)
