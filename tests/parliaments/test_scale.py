"""manage.py generate_scale_data: deterministic, realistic, bulk-written scale data."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from commitments.models import Instrument
from parliaments.models import (
    Action,
    Evidence,
    Parliament,
    PlanOfAction,
    ProgressUpdate,
    PublicationChange,
    Ratification,
    Submission,
    SubmissionComment,
)

pytestmark = pytest.mark.django_db


def generate(*args):
    out = io.StringIO()
    call_command("generate_scale_data", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def snapshot():
    return sorted(
        Action.objects.values_list("uid", "title", "parliament__iso2", "completion", "version")
    )


def empty_workspace():
    for model in (PublicationChange, SubmissionComment, Submission, Evidence, ProgressUpdate):
        model.objects.all().delete()
    Action.objects.all().delete()
    PlanOfAction.objects.all().delete()


def test_the_generator_writes_the_asked_scale_in_every_state():
    figures = generate(
        "--parliaments", "60", "--actions-per-plan", "5", "--updates-per-action", "4"
    )
    drafts = Action.objects.drafts()
    assert drafts.count() == 60 * 5
    assert ProgressUpdate.objects.drafts().count() == 60 * 5 * 4
    assert figures["rows"]["parliaments_action"] == Action.objects.count()
    assert figures["total_rows"] > 60 * 5 * 4 and figures["rows_per_second"] > 0

    assert set(PlanOfAction.objects.values_list("status", flat=True)) == set(
        PlanOfAction.Status.values
    )
    assert set(Submission.objects.values_list("status", flat=True)) == set(Submission.Status.values)
    assert set(ProgressUpdate.objects.values_list("cycle__code", flat=True)) == {
        "2019-plan",
        "2021-progress",
        "2022-imrf",
        "2026-imrf",
    }
    # Not uniform: the most used objective has far more actions than the least used.
    per_objective = sorted(
        drafts.values("objectives").annotate(n=Count("pk")).values_list("n", flat=True)
    )
    assert per_objective[-1] > 5 * per_objective[0]
    types = dict(drafts.values_list("action_type").annotate(n=Count("pk")))
    assert types["oversight"] > types["ratification"]
    assert all(a.instrument_id for a in drafts.filter(action_type="ratification"))

    # A share is published: copies with their draft's uid, only for parliaments whose
    # submission was accepted, each announced in the changes feed.
    copies = Action.objects.published()
    assert 0 < copies.count() < drafts.count()
    assert set(copies.values_list("uid", flat=True)) <= set(drafts.values_list("uid", flat=True))
    accepted = set(
        Submission.objects.filter(status="accepted").values_list("parliament", flat=True)
    )
    assert set(copies.values_list("parliament", flat=True)) <= accepted
    assert PublicationChange.objects.filter(kind="action").count() == copies.count()
    assert all(copy.objectives.exists() for copy in copies[:20])


def test_synthetic_parliaments_follow_the_real_ones_and_pages_show_them(client):
    real = Parliament.objects.filter(is_ipu_member=True).count()
    generate("--parliaments", str(real + 3), "--actions-per-plan", "1", "--updates-per-action", "1")
    synthetic = Parliament.objects.filter(iso2__startswith="X").order_by("iso2")
    assert list(synthetic.values_list("iso2", flat=True)) == ["X0001", "X0002", "X0003"]
    assert PlanOfAction.objects.drafts().count() == real + 3
    assert client.get("/parliaments/X0002/").status_code == 200
    assert client.get("/api/v1/parliaments/x0002/").json()["iso2"] == "X0002"
    # Each synthetic state has a status for most instruments, unknown for the others.
    statuses = Ratification.objects.filter(parliament__iso2__startswith="X")
    before = statuses.count()
    assert 0 < before < 3 * Instrument.objects.count()
    matrix = client.get("/ratifications/?country=X0002").content.decode()
    assert '<th scope="row">Synthetic parliament X0002</th>' in matrix
    assert matrix.count('<th scope="col" class="text-center">') == Instrument.objects.count()
    # Generated again over the same parliaments, nothing is duplicated.
    empty_workspace()
    generate("--parliaments", str(real + 3), "--actions-per-plan", "1", "--updates-per-action", "1")
    assert statuses.count() == before


def test_the_same_seed_gives_the_same_data_again_in_an_emptied_database():
    args = ["--parliaments", "12", "--actions-per-plan", "3", "--updates-per-action", "2"]
    generate(*args, "--seed", "7")
    first = snapshot()
    empty_workspace()
    generate(*args, "--seed", "7")
    assert snapshot() == first
    empty_workspace()
    generate(*args, "--seed", "8")
    assert snapshot() != first


def test_the_generator_refuses_a_database_with_workspace_data_and_bad_counts():
    generate("--parliaments", "2", "--actions-per-plan", "1", "--updates-per-action", "1")
    before = Action.objects.count()
    with pytest.raises(CommandError, match="already holds") as error:
        generate("--parliaments", "2", "--actions-per-plan", "1", "--updates-per-action", "1")
    assert error.value.returncode == 2
    assert Action.objects.count() == before
    with pytest.raises(CommandError, match="at least") as error:
        generate("--parliaments", "0", "--actions-per-plan", "1", "--updates-per-action", "1")
    assert error.value.returncode == 2
