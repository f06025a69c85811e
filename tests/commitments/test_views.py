import datetime
import re

import pytest
from django.urls import reverse

from commitments.models import Commitment, Cycle, Framework, Objective

pytestmark = pytest.mark.django_db

# The reference lists (4), and the summary of what parliaments did (10, issue 15: deadlines,
# statuses, reports per cycle, completion, latest actions, good practices, next due), the
# summary kept in the page cache until published data changes.
HOME_MAX_QUERIES = 14
HOME_WARM_MAX_QUERIES = 4


def test_home_lists_objectives_commitments_and_cycles(anonymous_client):
    response = anonymous_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "follows what parliaments do about the commitments they made in Rabat" in html
    for objective in Objective.objects.all():
        assert objective.title in html
    for code in Commitment.objects.values_list("code", flat=True):
        assert f'href="/commitments/{code}/"' in html
    assert "31 Dec 2019" in html
    assert "31 Dec 2021" in html
    assert "May 2022" in html and "May 2026" in html


def _grow_reference_data(extra):
    framework = Framework.objects.create(code="test-framework", title="Test framework")
    objectives = list(Objective.objects.all())
    for index in range(extra):
        commitment = Commitment.objects.create(
            framework=framework, code=f"T{index}", paragraph="1", title=f"Test {index}", text="…"
        )
        commitment.objectives.set(objectives[: 1 + index % 23])
        Cycle.objects.create(
            code=f"test-{index}",
            title=f"Test cycle {index}",
            kind="imrf",
            due_date=datetime.date(2030 + index, 5, 1),
            commitment=commitment,
        )


@pytest.mark.parametrize("extra", [0, 40])
def test_home_page_query_count_does_not_grow_with_data(
    anonymous_client, django_assert_max_num_queries, extra
):
    from reports.figures import figures_fresh

    _grow_reference_data(extra)
    figures_fresh()  # this test's own writes are in its transaction: counted first
    with django_assert_max_num_queries(HOME_MAX_QUERIES):
        response = anonymous_client.get("/")
    assert response.status_code == 200
    with django_assert_max_num_queries(HOME_WARM_MAX_QUERIES):
        assert anonymous_client.get("/").status_code == 200
    assert response.content.decode().count('class="cycle-code"') == 5 + extra


def test_objective_page_shows_title_and_commitments(
    anonymous_client, django_assert_max_num_queries
):
    # + the published actions behind it: their count, a page, their commitments, objectives
    with django_assert_max_num_queries(8):
        response = anonymous_client.get(reverse("commitments:objective_detail", args=[10]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Prevent, combat and eradicate trafficking in persons" in html
    assert "R7c.2" in html  # act against smuggling and trafficking
    assert "Protocol to Prevent, Suppress and Punish Trafficking in Persons" in html


@pytest.mark.parametrize("number", [0, 24, 999])
def test_objective_outside_1_to_23_is_not_found(anonymous_client, number):
    assert anonymous_client.get(f"/objectives/{number}/").status_code == 404


def test_commitment_page_quotes_the_text_and_lists_instruments(
    anonymous_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):  # + the published actions, as above
        response = anonymous_client.get("/commitments/R7a.1/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "through the ratification and implementation of relevant international human" in html
    assert "International Convention on the Protection of the Rights of All Migrant Workers" in html
    assert 'href="/objectives/6/"' in html and 'href="/objectives/7/"' in html


def test_plan_commitment_shows_due_date_and_cycle(anonymous_client):
    html = anonymous_client.get("/commitments/R8.1/").content.decode()
    assert "31 Dec 2019" in html
    assert "2019-plan" in html


def test_unknown_commitment_is_not_found_with_a_helpful_page(anonymous_client):
    response = anonymous_client.get("/commitments/R99/")
    assert response.status_code == 404
    assert "There is no page at this address" in response.content.decode()


def test_home_page_in_french_uses_the_french_catalogue_and_titles(anonymous_client):
    response = anonymous_client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Engagements de Rabat" in html
    assert "Collecter et utiliser des données précises et ventilées" in html


def test_language_switcher_sets_french(anonymous_client):
    response = anonymous_client.post("/i18n/setlang/", {"language": "fr", "next": "/objectives/1/"})
    assert response.status_code == 302
    assert response["Location"] == "/objectives/1/"
    html = anonymous_client.get("/objectives/1/").content.decode()
    assert "Collecter et utiliser des données précises et ventilées" in html


@pytest.mark.parametrize("count", [3, 40])
def test_objective_and_commitment_pages_list_their_published_actions_with_filters(
    anonymous_client, django_assert_max_num_queries, count
):
    """Issue 14: the public objective and commitment pages are no longer dead ends: they
    list the published actions behind them (not drafts), filtered, in a fixed number of
    queries."""
    from commitments.models import Cycle
    from parliaments import services
    from tests.factories import ActionFactory, PlanFactory, make_user

    plan = PlanFactory()
    ActionFactory(plan=plan, title="Special inquiry into detention", links="R7a.2")
    for n in range(count - 1):
        ActionFactory(plan=plan, title=f"Published hearing {n}", links="R7a.2")
    submission = services.submission_for(plan.parliament, Cycle.objects.get(code="2019-plan"))
    focal = make_user("focal.ma", "focal_point", "MA")
    services.submission_submit(actor=focal, submission=submission)
    services.submission_accept(actor=make_user("reviewer", "secretariat"), submission=submission)
    ActionFactory(plan=plan, title="A draft nobody accepted", links="R7a.2")

    for path, everything in (
        ("/objectives/7/", "/actions/?objective=7"),
        ("/commitments/R7a.2/", "/actions/?commitment=R7a.2"),
    ):
        with django_assert_max_num_queries(10):
            html = anonymous_client.get(path).content.decode()
        assert f"{count} published actions" in html
        assert "A draft nobody accepted" not in html
        assert f'href="{everything}"' in html
        filtered = anonymous_client.get(f"{path}?search=special+inquiry").content.decode()
        assert re.search(r"\b1 published action\b", filtered), re.findall(
            r"\d+ published action\w*", filtered
        )
        assert "Special inquiry into detention" in filtered
        assert "Published hearing 0" not in filtered
    empty = anonymous_client.get("/objectives/7/?region=europe").content.decode()
    assert "No published action matches these filters." in empty
    nothing = anonymous_client.get("/objectives/1/").content.decode()
    assert "No parliament has published an action here yet." in nothing
