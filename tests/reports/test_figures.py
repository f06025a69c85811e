"""The per-parliament figures the dashboards add up never drift from the rows (issue 13).

After every kind of write, once its transaction commits, `manage.py rebuild_figures
--check` recomputes every figure from the rows and finds no difference."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from commitments.models import Commitment, Cycle, Objective
from parliaments import services
from parliaments.models import Action, Parliament, ProgressUpdate
from reports import figures
from reports.models import ParliamentFigure, StaleFigures
from tests.factories import ActionFactory, PlanFactory, ProgressUpdateFactory, make_user

pytestmark = pytest.mark.django_db


def check():
    """No figure differs from the rows (the command's --check)."""
    out = io.StringIO()
    try:
        call_command("rebuild_figures", "--check", stdout=out)
    except CommandError as error:
        raise AssertionError(f"{error}\n{out.getvalue()}") from error
    return out.getvalue()


def figure(iso2, dimension, key, published=False, level=""):
    row = ParliamentFigure.objects.filter(
        parliament__iso2=iso2, published=published, dimension=dimension, key=key, level=level
    ).first()
    return (row.count, row.best_rank) if row else None


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write as if its transaction committed: on-commit callbacks run at the end."""

    def run(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run


@pytest.fixture
def ma(committed):
    editor = make_user("editor.ma", "editor", "MA")
    plan = committed(PlanFactory)
    action = committed(ActionFactory, plan=plan, completion="limited", action_type="budget")
    check()
    return {"editor": editor, "plan": plan, "action": action}


def test_an_action_created_through_the_service_is_counted_at_commit(ma, committed):
    objectives = list(Objective.objects.filter(number__in=[3, 5]))
    commitments = list(Commitment.objects.filter(code="R7b.2"))
    committed(
        services.action_create,
        actor=ma["editor"],
        plan=ma["plan"],
        commitments=commitments,
        objectives=objectives,
        title="Hearing",
        action_type="oversight",
        completion="complete",
    )
    check()
    assert figure("MA", "objective", "5") == (1, 4)
    assert figure("MA", "objective_completion", "5", level="complete") == (1, None)
    assert figure("MA", "type", "oversight") == (1, None)
    assert figure("MA", "completion", "limited") == (1, None)


def test_an_action_edit_moves_its_counts(ma, committed):
    action = ma["action"]
    committed(
        services.action_update,
        actor=ma["editor"],
        action=action,
        expected_version=action.version,
        action_type="legislation",
        completion="substantial",
        objectives=list(Objective.objects.filter(number=23)),
        commitments=list(Commitment.objects.filter(code="R7c.3")),
    )
    check()
    assert figure("MA", "type", "budget") is None
    assert figure("MA", "type", "legislation") == (1, None)
    assert figure("MA", "objective", "7") is None
    assert figure("MA", "objective", "23") == (1, 3)
    assert figure("MA", "commitment", "R7c.3") == (1, 3)


def test_a_deleted_action_leaves_no_figure(ma, committed):
    action = ma["action"]
    committed(
        services.action_delete, actor=ma["editor"], action=action, expected_version=action.version
    )
    check()
    left = ParliamentFigure.objects.filter(parliament__iso2="MA", published=False)
    assert list(left.values_list("dimension", flat=True)) == ["plan"]  # its plan's status


def test_a_progress_update_counts_in_its_quarter_and_moves_the_completion(ma, committed):
    committed(
        services.progress_update_create,
        actor=ma["editor"],
        action=ma["action"],
        date=datetime.date(2021, 8, 2),
        cycle=Cycle.objects.get(code="2021-progress"),
        completion="complete",
        narrative="Adopted.",
    )
    check()
    assert figure("MA", "quarter", "2021-07-01") == (1, None)
    assert figure("MA", "completion", "complete") == (1, None)


def _figure_writes(queries):
    """The statements of `queries` that wrote figure rows (per parliament or per region)."""
    return [
        query["sql"]
        for query in queries
        if query["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
        and ("reports_parliamentfigure" in query["sql"] or "reports_regionfigure" in query["sql"])
    ]


def test_a_rebuild_writes_only_the_figures_that_changed(ma, committed):
    """The rebuild at commit runs after every write of a reporting season: an edit that
    moves no figure (a description) writes no figure row, and one that moves a few (a
    progress update: its quarter, the completion) writes those, not the parliament's
    hundreds of rows again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    action = ma["action"]
    for _n in range(3):  # a parliament with more figures than one action gives
        committed(ActionFactory, plan=ma["plan"], action_type="law", completion="complete")
    action.refresh_from_db()
    kept = set(ParliamentFigure.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        committed(
            services.action_update,
            actor=ma["editor"],
            action=action,
            expected_version=action.version,
            description="Only the words change.",
        )
    assert _figure_writes(queries.captured_queries) == []
    assert set(ParliamentFigure.objects.values_list("pk", flat=True)) == kept
    with CaptureQueriesContext(connection) as queries:
        committed(
            services.progress_update_create,
            actor=ma["editor"],
            action=action,
            date=datetime.date(2021, 8, 2),
            cycle=Cycle.objects.get(code="2021-progress"),
            completion="limited",
            narrative="Debated.",
        )
    writes = _figure_writes(queries.captured_queries)
    assert 1 <= len(writes) <= 3, writes
    assert not any(sql.startswith("DELETE") and "reports_parliamentfigure" in sql for sql in writes)
    check()
    assert figure("MA", "quarter", "2021-07-01") == (1, None)


def test_plan_writes_keep_the_figures(ma, committed):
    plan = committed(
        services.plan_create,
        actor=ma["editor"],
        parliament=ma["plan"].parliament,
        title="Second plan",
    )
    check()
    committed(
        services.plan_update,
        actor=ma["editor"],
        plan=plan,
        expected_version=plan.version,
        status="adopted",
        adopted_on=datetime.date(2020, 1, 5),
    )
    check()
    # The current plan's status and adoption date, one row (the map reads it).
    assert list(
        ParliamentFigure.objects.filter(
            parliament__iso2="MA", published=False, dimension="plan"
        ).values_list("key", "level", "count")
    ) == [("adopted", "2020-01-05", 1)]
    # Deleting a plan takes its actions with it (cascade).
    committed(lambda: ma["plan"].delete())
    check()
    assert figure("MA", "type", "budget") is None


def test_submit_return_accept_and_star_keep_both_sets_of_figures(ma, committed):
    focal = make_user("focal.ma", "focal_point", "MA")
    reviewer = make_user("reviewer", "secretariat")
    committed(ProgressUpdateFactory, action=ma["action"], completion="substantial")
    cycle = Cycle.objects.get(code="2021-progress")
    submission = committed(services.submission_for, ma["plan"].parliament, cycle)
    committed(services.submission_submit, actor=focal, submission=submission)
    check()
    submitted_on = submission.first_submitted_at.astimezone(datetime.UTC).date().isoformat()
    report = str(cycle.pk)
    assert figure("MA", "report", report, level=submitted_on) == (1, None)
    assert figure("MA", "report", report, published=True, level=submitted_on) is None
    committed(services.submission_return, actor=reviewer, submission=submission, comment="Dates")
    check()
    committed(services.submission_submit, actor=focal, submission=submission)
    committed(services.submission_accept, actor=reviewer, submission=submission)
    check()
    assert figure("MA", "report", report, published=True, level=submitted_on) == (1, None)
    assert figure("MA", "completion", "substantial", published=True) == (1, None)
    assert figure("MA", "quarter", "2021-04-01", published=True) == (1, None)
    assert figure("MA", "objective", "7", published=True) == (1, 3)

    committed(services.action_set_good_practice, actor=reviewer, action=ma["action"], value=True)
    check()
    committed(services.action_set_good_practice, actor=reviewer, action=ma["action"], value=False)
    check()

    # An edit after acceptance changes the drafts' figures only, until the next accept.
    action = Action.objects.drafts().get(pk=ma["action"].pk)
    committed(
        services.action_update,
        actor=ma["editor"],
        action=action,
        expected_version=action.version,
        completion="withdrawn",
    )
    check()
    assert figure("MA", "completion", "withdrawn") == (1, None)
    assert figure("MA", "completion", "substantial", published=True) == (1, None)


def test_a_spreadsheet_import_keeps_the_figures(ma, committed, client):
    from tests.parliaments.test_spreadsheet import download, row_of, upload

    client.force_login(ma["editor"])
    book = download(client)
    row_of(book["Actions"], ma["action"].title)[11].value = "complete"
    upload(client, book)
    response = committed(client.post, "/workspace/actions/spreadsheet/", {"confirm": "1"})
    assert response.status_code == 302
    check()
    assert figure("MA", "completion", "complete") == (1, None)


def test_direct_saves_as_the_admin_makes_them_keep_the_figures(ma, committed):
    """The admin saves the model, then its links; nothing goes through the services."""
    action = ma["action"]
    action.completion = "complete"
    committed(action.save)
    committed(action.objectives.set, Objective.objects.filter(number=1))
    check()
    committed(action.objectives.add, Objective.objects.get(number=2))
    check()
    assert figure("MA", "objective", "2") == (1, 4)
    committed(action.objectives.clear)
    committed(ProgressUpdateFactory, action=action)
    committed(lambda: ProgressUpdate.objects.filter(action=action).delete())
    check()


def test_a_rolled_back_write_leaves_the_figures_and_a_later_one_counts(ma, committed):
    action = ma["action"]

    def failing():
        with transaction.atomic():
            Action.objects.filter(pk=action.pk).first().delete()
            raise RuntimeError

    with pytest.raises(RuntimeError):
        committed(failing)
    check()
    committed(ActionFactory, plan=ma["plan"], action_type="other")
    check()
    assert figure("MA", "type", "other") == (1, None)


def test_a_rebuild_that_fails_marks_the_parliament_stale_and_the_beat_job_repairs(
    ma, committed, monkeypatch
):
    def broken(ids=None):
        raise RuntimeError("database went away")

    with monkeypatch.context() as patched:
        patched.setattr(figures, "figures_rebuild", broken)
        committed(ActionFactory, plan=ma["plan"], action_type="other")
    assert StaleFigures.objects.filter(parliament__iso2="MA").exists()
    with pytest.raises(AssertionError, match="type other"):
        check()
    from reports.tasks import repair_figures

    assert repair_figures() == 1
    check()
    assert not StaleFigures.objects.exists()


def test_the_scale_generator_writes_the_figures_of_everything_it_writes():
    call_command(
        "generate_scale_data",
        "--parliaments",
        "30",
        "--actions-per-plan",
        "4",
        "--updates-per-action",
        "2",
        stdout=io.StringIO(),
    )
    check()
    assert ParliamentFigure.objects.filter(published=True).exists()


def test_check_reports_a_corrupted_figure_and_a_rebuild_fixes_it(ma):
    ParliamentFigure.objects.filter(parliament__iso2="MA", dimension="objective", key="7").update(
        count=9
    )
    ParliamentFigure.objects.filter(parliament__iso2="MA", dimension="type").delete()
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("rebuild_figures", "--check", stdout=out)
    assert error.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert "MA drafts objective 7: 9 (best rank 2) stored, expected 1 (best rank 2)" in lines
    assert "MA drafts type budget: none stored, expected 1" in lines
    assert len(lines) == 2

    out = io.StringIO()
    call_command("rebuild_figures", stdout=out)
    assert "fixed 2 difference(s)" in out.getvalue()
    check()


def test_rebuild_figures_refuses_an_unknown_parliament(ma):
    with pytest.raises(CommandError, match="No parliament ZZ") as error:
        call_command("rebuild_figures", "--check", "--parliament", "zz")
    assert error.value.returncode == 2
    out = io.StringIO()
    call_command("rebuild_figures", "--check", "--parliament", "ma", stdout=out)
    assert "match" in out.getvalue()


def test_a_page_read_in_the_writing_transaction_sees_its_own_writes(ma):
    """Before commit, reading the figures rebuilds the ones this transaction dirtied."""
    ActionFactory(plan=ma["plan"], action_type="other")
    assert figure("MA", "type", "other") is None
    figures.figures_fresh()
    assert figure("MA", "type", "other") == (1, None)
    assert Parliament.objects.get(iso2="MA")
