"""Issue 11, defect 1: saving from an older version merges with what colleagues saved
meanwhile (three-way, against the version the user started from) instead of undoing it.
Services, the conflict page, the spreadsheet import and the API's 409 recipe."""

import datetime

import pytest

from commitments.models import Objective
from parliaments import services
from tests.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db

MAY = datetime.date(2025, 5, 31)
JUNE = datetime.date(2025, 6, 30)


def _history(obj):
    return list(obj.history.order_by("history_date", "history_id"))


# --- Services ----------------------------------------------------------------------------------


def test_colleagues_target_date_stands_when_i_save_a_new_title_from_the_old_version(
    editor_ma, focal_ma
):
    action = ActionFactory(title="Hearing on migrant workers")
    opened_at = action.version
    services.action_update(
        actor=editor_ma, action=action, expected_version=opened_at, target_date=JUNE
    )

    saved = services.action_update(
        actor=focal_ma,
        action=action,
        expected_version=opened_at,
        merge=True,
        title="Hearing held in May",
        target_date=None,  # the whole stale form: target date as it was when opened
        completion=action.completion,
    )

    action.refresh_from_db()
    assert (action.title, action.target_date) == ("Hearing held in May", JUNE)
    assert action.version == opened_at + 2
    assert [change.field for change in saved.merged.changes] == ["target_date"]
    assert saved.merged.changed_by == editor_ma
    latest = _history(action)[-1]
    assert (latest.title, latest.target_date, latest.history_user) == (
        "Hearing held in May",
        JUNE,
        focal_ma,
    )
    assert any(
        record.target_date == JUNE and record.title != latest.title for record in _history(action)
    )


def test_both_changing_the_title_differently_is_a_conflict_and_nothing_is_written(
    editor_ma, focal_ma
):
    action = ActionFactory(title="Hearing on migrant workers", completion="limited")
    services.action_update(
        actor=editor_ma, action=action, expected_version=1, title="Hearing held in May"
    )
    records = len(_history(action))

    with pytest.raises(services.StaleEdit) as stale:
        services.action_update(
            actor=focal_ma,
            action=action,
            expected_version=1,
            merge=True,
            title="Hearing postponed",
            completion="substantial",
        )

    [conflict] = stale.value.conflicts
    assert (conflict.field, conflict.label) == ("title", "title")
    assert (conflict.base, conflict.theirs, conflict.yours) == (
        "Hearing on migrant workers",
        "Hearing held in May",
        "Hearing postponed",
    )
    assert set(stale.value.yours) == {"title", "completion"}
    action.refresh_from_db()
    assert (action.title, action.completion, action.version) == (
        "Hearing held in May",
        "limited",
        2,
    )
    assert len(_history(action)) == records


def test_conflicts_show_choice_labels(editor_ma, focal_ma):
    action = ActionFactory(completion="limited")
    services.action_update(
        actor=editor_ma, action=action, expected_version=1, completion="complete"
    )
    with pytest.raises(services.StaleEdit) as stale:
        services.action_update(
            actor=focal_ma, action=action, expected_version=1, merge=True, completion="withdrawn"
        )
    [conflict] = stale.value.conflicts
    assert (conflict.base, conflict.theirs, conflict.yours) == ("Limited", "Complete", "Withdrawn")


def test_both_making_the_same_change_is_no_conflict(editor_ma, focal_ma):
    action = ActionFactory()
    services.action_update(actor=editor_ma, action=action, expected_version=1, target_date=MAY)
    services.action_update(
        actor=focal_ma, action=action, expected_version=1, merge=True, target_date=MAY
    )
    action.refresh_from_db()
    assert action.target_date == MAY


def test_without_merge_a_stale_save_is_refused_and_lists_changes_and_conflicts(editor_ma, focal_ma):
    action = ActionFactory(title="Old")
    services.action_update(actor=editor_ma, action=action, expected_version=1, target_date=MAY)
    with pytest.raises(services.StaleEdit) as stale:
        services.action_update(actor=focal_ma, action=action, expected_version=1, title="New")
    assert [c.field for c in stale.value.changes] == ["target_date"]
    assert stale.value.conflicts == []
    action.refresh_from_db()
    assert action.title == "Old"


def test_plan_merge_keeps_both_and_refuses_a_real_conflict(editor_ma, focal_ma):
    plan = PlanFactory(
        title="Plan 2020–2023", summary="Hearings.", status="drafting", adopted_on=None
    )
    fields = {
        "title": plan.title,
        "summary": plan.summary,
        "status": plan.status,
        "adopted_on": None,
        "adopting_body": plan.adopting_body,
        "period_start": None,
        "period_end": None,
        "document": plan.document,
        "document_url": "",
    }
    services.plan_update(
        actor=editor_ma, plan=plan, expected_version=1, summary="Hearings, a bill."
    )
    saved = services.plan_update(
        actor=focal_ma,
        plan=plan,
        expected_version=1,
        merge=True,
        **{**fields, "title": "Plan 2020–2024"},
    )
    plan.refresh_from_db()
    assert (plan.title, plan.summary, plan.version) == ("Plan 2020–2024", "Hearings, a bill.", 3)
    assert [c.field for c in saved.merged.changes] == ["summary"]

    with pytest.raises(services.StaleEdit) as stale:
        services.plan_update(
            actor=editor_ma,
            plan=plan,
            expected_version=2,
            merge=True,
            **{**fields, "title": "Plan 2021–2025", "summary": "Hearings, a bill."},
        )
    assert [c.field for c in stale.value.conflicts] == ["title"]
    plan.refresh_from_db()
    assert (plan.title, plan.version) == ("Plan 2020–2024", 3)


def test_objectives_merge_as_sets(editor_ma, focal_ma):
    action = ActionFactory()  # objectives 7 and 15
    before = list(action.objectives.all())
    objectives = {n: Objective.objects.get(number=n) for n in (7, 15, 16, 17)}
    services.action_update(
        actor=editor_ma,
        action=action,
        expected_version=1,
        objectives=[objectives[7], objectives[15], objectives[16]],
    )
    # The colleague's links stand when I only change the title (my form sent the old links).
    services.action_update(
        actor=focal_ma,
        action=action,
        expected_version=1,
        merge=True,
        title="Renamed",
        objectives=list(reversed(before)),
    )
    action.refresh_from_db()
    assert sorted(o.number for o in action.objectives.all()) == [7, 15, 16]
    assert action.title == "Renamed"
    recorded = _history(action)[-1].objectives.values_list("objective__number", flat=True)
    assert sorted(recorded) == [7, 15, 16]

    # Both change the links from version 1, differently: a conflict, with names.
    with pytest.raises(services.StaleEdit) as stale:
        services.action_update(
            actor=focal_ma,
            action=action,
            expected_version=1,
            merge=True,
            objectives=[objectives[7], objectives[17]],
        )
    [conflict] = stale.value.conflicts
    assert conflict.field == "objectives"
    assert "Empower migrants" in conflict.theirs and "Empower migrants" not in conflict.base
    action.refresh_from_db()
    assert sorted(o.number for o in action.objectives.all()) == [7, 15, 16]
