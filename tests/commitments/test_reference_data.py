import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.models import Commitment, Cycle, Framework, GuidingPrinciple, Instrument, Objective
from parliaments.models import Parliament

pytestmark = pytest.mark.django_db

ALL_MODELS = [Objective, GuidingPrinciple, Instrument, Framework, Commitment, Cycle, Parliament]


def run_loader(*args):
    out = io.StringIO()
    call_command("load_reference_data", *args, stdout=out)
    return out.getvalue()


def counts():
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def test_loader_run_twice_keeps_counts_and_writes_nothing():
    before = counts()
    with CaptureQueriesContext(connection) as queries:
        output = run_loader()
    assert counts() == before
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]
    assert writes == []
    assert "0 created, 0 updated" in output
    assert before == {
        "Objective": 23,
        "GuidingPrinciple": 10,
        "Instrument": 35,
        "Framework": 1,
        "Commitment": 19,
        "Cycle": 5,
        "Parliament": 180,
    }


def test_field_edited_in_admin_survives_a_rerun(secretariat_client):
    objective = Objective.objects.get(number=17)
    response = secretariat_client.post(
        f"/admin/commitments/objective/{objective.pk}/change/",
        {
            "number": 17,
            "gcm_paragraph": 33,
            "title": objective.title,
            "title_fr": objective.title_fr,
            "title_fr_status": "V",  # the secretariat checked the French title
            "title_es": objective.title_es,
            "title_es_status": objective.title_es_status,
            "short_label": "Non-discrimination",
            # The inline of its SDG targets (none).
            "sdg_links-TOTAL_FORMS": 0,
            "sdg_links-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    output = run_loader()

    objective.refresh_from_db()
    assert objective.short_label == "Non-discrimination"
    assert objective.title_fr_status == "V"
    assert "2 admin edits kept (17.title_fr_status, 17.short_label)" in output


def test_edited_link_to_objectives_survives_a_rerun():
    commitment = Commitment.objects.get(code="R8.4")
    commitment.objectives.add(Objective.objects.get(number=2))

    run_loader()

    assert sorted(commitment.objectives.values_list("number", flat=True)) == [2, 19]


def test_unedited_row_takes_a_corrected_value_from_the_file():
    # A row whose value is still the one last loaded follows the file when it changes.
    cycle = Cycle.objects.get(code="2021-progress")
    Cycle.objects.filter(pk=cycle.pk).update(
        title="Old title",
        reference_values={**cycle.reference_values, "title": "Old title"},
    )

    output = run_loader()

    cycle.refresh_from_db()
    assert cycle.title == "Progress report to the IPU"
    assert "reporting cycles: 0 created, 1 updated" in output


def test_rows_added_by_the_secretariat_are_left_alone():
    Cycle.objects.create(
        code="2034-imrf", title="IMRF 2034", kind="imrf", due_date=datetime.date(2034, 5, 1)
    )
    run_loader()
    assert Cycle.objects.filter(code="2034-imrf").exists()


def test_dry_run_reports_but_writes_nothing():
    Cycle.objects.filter(code="2026-imrf").delete()

    output = run_loader("--dry-run")

    assert "reporting cycles: 1 created" in output
    assert "Dry run: nothing was written." in output
    assert not Cycle.objects.filter(code="2026-imrf").exists()


def test_objectives_are_numbered_1_to_23_with_official_titles():
    objectives = list(Objective.objects.order_by("number"))
    assert [objective.number for objective in objectives] == list(range(1, 24))
    assert [objective.gcm_paragraph for objective in objectives] == list(range(17, 40))
    titles = {objective.number: objective.title for objective in objectives}
    assert titles[1] == (
        "Collect and utilize accurate and disaggregated data as a basis for evidence-based policies"
    )
    assert titles[10] == (
        "Prevent, combat and eradicate trafficking in persons in the context of "
        "international migration"
    )
    assert titles[17] == (
        "Eliminate all forms of discrimination and promote evidence-based public discourse "
        "to shape perceptions of migration"
    )
    assert titles[23] == (
        "Strengthen international cooperation and global partnerships for safe, orderly "
        "and regular migration"
    )
    assert all(not title.startswith("Objective") for title in titles.values())
    assert all(objective.title_fr for objective in objectives)


def test_ten_guiding_principles_a_to_j():
    assert list(GuidingPrinciple.objects.values_list("letter", flat=True)) == list("abcdefghij")


def test_every_commitment_links_to_at_least_one_objective():
    commitments = Commitment.objects.prefetch_related("objectives")
    assert commitments.count() == 19
    for commitment in commitments:
        assert commitment.objectives.exists(), commitment.code
        assert commitment.text and commitment.title


def test_commitments_cover_every_promising_paragraph_and_split_paragraph_8():
    paragraphs = set(Commitment.objects.values_list("paragraph", flat=True))
    assert paragraphs == {"1", "5", "6", "7(a)", "7(b)", "7(c)", "8"}
    assert list(
        Commitment.objects.filter(paragraph="8").order_by("code").values_list("code", flat=True)
    ) == ["R8.1", "R8.2", "R8.3", "R8.4"]


def test_ratification_commitment_lists_the_instruments():
    ratify = Commitment.objects.get(code="R7a.1")
    codes = set(ratify.instruments.values_list("code", flat=True))
    assert {"ICRMW", "C097", "C143", "TIP", "SOM", "CSR51"} <= codes
    assert ratify.paragraph == "7(a)"


def test_plan_and_progress_due_dates():
    assert Cycle.objects.get(code="2019-plan").due_date == datetime.date(2019, 12, 31)
    assert Cycle.objects.get(code="2021-progress").due_date == datetime.date(2021, 12, 31)
    assert Commitment.objects.get(code="R8.1").due_date == datetime.date(2019, 12, 31)
    assert Commitment.objects.get(code="R8.2").due_date == datetime.date(2021, 12, 31)
    imrf = Cycle.objects.get(code="2022-imrf")
    assert (imrf.due_date.year, imrf.due_date.month, imrf.due_date_precision) == (2022, 5, "month")
    assert list(Cycle.objects.values_list("code", flat=True)) == [
        "2019-plan",
        "2021-progress",
        "2022-imrf",
        "2026-imrf",
        "2030-imrf",
    ]


def test_a_bad_reference_file_exits_2_and_changes_nothing(tmp_path, monkeypatch):
    import shutil

    from django.core.management.base import CommandError

    from commitments import services

    data = tmp_path / "data"
    shutil.copytree(services.DATA_DIR, data)
    cycles = (data / "cycles.toml").read_text(encoding="utf-8")
    (data / "cycles.toml").write_text(cycles.replace('kind = "imrf"', 'kind = "weekly"', 1))
    monkeypatch.setattr(services, "DATA_DIR", data)
    Objective.objects.filter(number=23).delete()

    with pytest.raises(CommandError, match="'weekly' is not a valid choice") as raised:
        run_loader()

    assert raised.value.returncode == 2
    assert not Objective.objects.filter(number=23).exists()  # the whole load was rolled back
