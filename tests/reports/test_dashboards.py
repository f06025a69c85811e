"""Dashboard figures against a hand-built dataset, visibility of the public summary,
query counts at two sizes, and the coverage exports."""

import csv
import datetime
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from commitments.models import Commitment, Cycle, Objective
from compact_tracker import pagecache
from parliaments import services
from parliaments.models import Action, Parliament, PlanOfAction
from reports import figures, selectors
from tests.factories import ActionFactory, PlanFactory, make_user

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def test_overview_figures_are_right(known):
    scope = selectors.Scope()
    deadline = selectors.plan_deadline()
    assert deadline == datetime.date(2019, 12, 31)
    assert selectors.plan_adoption(scope, deadline) == {"on_time": 1, "late": 1, "none": 178}
    cycle = Cycle.objects.get(code="2021-progress")
    assert selectors.report_compliance(scope, cycle) == {"on_time": 1, "late": 1, "none": 178}
    completion = {key: n for key, _label, n in selectors.completion_distribution(scope)}
    assert completion == {
        "not_started": 0,
        "limited": 1,
        "substantial": 0,
        "complete": 1,
        "withdrawn": 1,
    }
    today = datetime.date(2026, 11, 28)
    overdue = selectors.overdue_parliaments(scope, today)
    names = {iso2 for iso2, _name, _region, _days in overdue}
    assert {"SN", "KE"} <= names and not {"MA", "MX"} & names
    assert len(overdue) == 178
    assert {days for *_rest, days in overdue} == {(today - deadline).days}


@pytest.mark.parametrize("published", [False, True])
def test_the_map_statuses_from_kept_figures_equal_the_counts_from_the_rows(known, published):
    """parliament_statuses reads the kept plan and report figures; plan_adoption and
    report_compliance count the plans and submissions themselves."""
    scope = selectors.Scope(published=published)
    deadline = selectors.plan_deadline()
    cycle = Cycle.objects.get(code="2021-progress")
    statuses = selectors.parliament_statuses(scope, deadline, cycle)
    assert len(statuses) == 180
    for field, expected in (
        ("adoption", selectors.plan_adoption(scope, deadline)),
        ("report", selectors.report_compliance(scope, cycle)),
    ):
        counts = {"on_time": 0, "late": 0, "none": 0}
        for row in statuses:
            counts[row[field]] += 1
        assert counts == expected
    if not published:
        by_iso = {row["iso2"]: row for row in statuses}
        assert by_iso["MA"]["adoption"] == "on_time" and by_iso["MA"]["report"] == "on_time"
        assert by_iso["MX"]["adoption"] == "late" and by_iso["MX"]["report"] == "late"


def test_the_map_statuses_take_two_queries_whatever_the_number_of_parliaments(
    known, django_assert_num_queries
):
    scope, deadline = selectors.Scope(), selectors.plan_deadline()
    cycle = Cycle.objects.get(code="2021-progress")
    selectors.parliament_statuses(scope, deadline, cycle)  # this test's own writes: rebuilt
    pagecache.bump()
    with django_assert_num_queries(2):
        selectors.parliament_statuses(scope, deadline, cycle)
    # Then kept until a status figure changes: none is read again.
    with django_assert_num_queries(0):
        selectors.parliament_statuses(scope, deadline, cycle)


def test_the_kept_statuses_follow_a_change_to_a_status_not_a_description(known):
    scope, deadline = selectors.Scope(), selectors.plan_deadline()
    cycle = Cycle.objects.get(code="2021-progress")

    def action_count(iso2):
        rows = selectors.parliament_statuses(scope, deadline, cycle)
        return next(row["action_count"] for row in rows if row["iso2"] == iso2)

    action = Action.objects.drafts().select_related("parliament").first()
    iso2, before = action.parliament.iso2, action_count(action.parliament.iso2)
    action.description = "Only the words changed."
    action.save()
    assert action_count(iso2) == before
    ActionFactory(parliament=action.parliament, plan=action.plan)
    assert action_count(iso2) == before + 1


def test_overview_page_shows_the_figures_and_missing_parliaments(known):
    response = known["client"].get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    kpi = '<span class="kpi-number">{}</span><span class="kpi-label">{}</span>'
    assert kpi.format(1, "Adopted by 31 December 2019") in html
    assert kpi.format(1, "Adopted later") in html
    assert kpi.format(178, "Not yet adopted") in html
    assert "Kenya" in html  # a parliament with nothing stands out in "nothing answered"
    assert 'data-vega-chart="map"' in html


def test_public_summary_counts_published_data_only(known):
    client = Client()

    def figures():
        html = client.get("/progress/").content.decode()
        return re.findall(r'kpi-number">(\d+)<', html), client.get(
            "/progress/?export=completion&format=csv"
        ).content.decode()

    before = figures()
    assert before[0] == ["1", "0", "179"]  # only Morocco's accepted report published a plan
    # Drafts everywhere: a new adopted plan for Senegal, new actions, a new submission.
    senegal_plan = PlanOfAction.objects.get(parliament__iso2="SN")
    services.plan_update(
        actor=known["reviewer"],
        plan=senegal_plan,
        expected_version=senegal_plan.version,
        status="adopted",
        adopted_on=datetime.date(2019, 6, 1),
    )
    ActionFactory(
        plan=PlanOfAction.objects.get(parliament__iso2="MA", is_published_copy=False),
        completion="substantial",
    )
    focal_sn = make_user("focal.sn", "focal_point", "SN")
    services.submission_submit(
        actor=focal_sn,
        submission=services.submission_for(
            focal_sn.profile.parliament, Cycle.objects.get(code="2021-progress")
        ),
    )
    assert figures() == before


def test_coverage_cells_count_actions_and_best_completion(known):
    columns, rows = selectors.coverage(selectors.Scope(), "objective")
    morocco = next(row for row in rows if row["iso2"] == "MA")
    cells = dict(zip([c for c, _l in columns], morocco["cells"], strict=True))
    assert cells[7] == (2, "complete") and cells[15] == (2, "complete")
    assert cells[1] == (0, None)
    kenya = next(row for row in rows if row["iso2"] == "KE")
    assert kenya["total"] == 0  # still listed


def test_coverage_exports_hold_the_numbers_on_the_page(known):
    client = known["client"]
    html = client.get("/dashboard/coverage/?sort=total&dir=desc").content.decode()
    row = re.search(r"<tr><th scope=\"row\">Morocco</th>(.*?)</tr>", html).group(1)
    page_numbers = [
        int(n) if n != "·" else 0 for n in re.findall(r"<td[^>]*>(?:<a[^>]*>)?(\d+|·)", row)
    ]

    csv_text = client.get(
        "/dashboard/coverage/?export=coverage-objectives&format=csv"
    ).content.decode()
    csv_row = next(r for r in csv.reader(io.StringIO(csv_text)) if r[0] == "Morocco")
    assert [int(v) for v in csv_row[2:]] == page_numbers

    xlsx = client.get("/dashboard/coverage/?export=coverage-objectives&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    xlsx_row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Morocco")
    assert [int(v) for v in xlsx_row[2:]] == page_numbers
    assert page_numbers[-1] == 4  # 2 actions x 2 objectives each


def test_coverage_filters_and_sorting(known):
    client = known["client"]
    html = client.get("/dashboard/coverage/?region=americas&sort=total&dir=desc").content.decode()
    first_row = re.search(r'<tbody><tr[^>]*><th scope="row">([^<]+)</th>', html).group(1)
    assert first_row == "Mexico"
    assert '<th scope="row">Morocco</th>' not in html
    assert client.get("/dashboard/coverage/?region=atlantis").status_code == 200  # ignored, no 500


@pytest.mark.parametrize("direction", ["desc", "asc"])
def test_coverage_sorted_by_total_shows_each_matrixs_total_column_in_order(known, direction):
    """Sorting by Total orders each matrix by its own Total column (the sum of its
    cells), not by the number of actions: one action on four objectives counts 4 there.
    Read on the page, the column is in order in both matrices."""
    from commitments.models import Commitment, Objective

    wide = ActionFactory(plan=PlanFactory(parliament=Parliament.objects.get(iso2="IS")))
    wide.objectives.set(Objective.objects.filter(number__in=[1, 2, 3, 4]))
    wide.commitments.set(Commitment.objects.order_by("position")[:4])
    narrow_plan = PlanFactory(parliament=Parliament.objects.get(iso2="NO"))
    for _ in range(2):
        ActionFactory(plan=narrow_plan).objectives.set(Objective.objects.filter(number=5))
    url = f"/dashboard/coverage/?sort=total&dir={direction}"
    html = known["client"].get(url).content.decode()
    for axis in ("objectives", "commitments"):
        matrix = html.split(f'id="table-coverage-{axis}"')[1].split("</table>")[0]
        totals = [int(n) for n in re.findall(r'fw-semibold">(\d+)</td></tr>', matrix)]
        assert len(totals) == 50
        assert totals == sorted(totals, reverse=direction == "desc"), axis


def test_commitment_page_lists_ratifications_by_instrument(known):
    from commitments.models import Instrument

    plan = PlanOfAction.objects.get(parliament__iso2="MA", is_published_copy=False)
    action = ActionFactory(
        plan=plan,
        action_type="ratification",
        links="R7a.1",
        instrument=Instrument.objects.get(code="ICRMW"),
    )
    action.commitments.set([Commitment.objects.get(code="R7a.1")])
    html = known["client"].get("/dashboard/commitments/R7a.1/").content.decode()
    assert "Which parliaments report ratifying which instruments" in html
    assert re.search(r"<td>Morocco</td><td>MA</td><td>ICRMW</td>", html)


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/",
        "/dashboard/coverage/",
        "/dashboard/objectives/7/",
        "/dashboard/commitments/R7a.1/",
        "/dashboard/regions/africa/",
        "/dashboard/parliaments/MA/",
    ],
)
def test_dashboards_are_for_the_secretariat(known, url):
    assert Client().get(url).status_code == 302
    editor = Client()
    editor.force_login(make_user("editor.ma", "editor", "MA"))
    assert editor.get(url).status_code == 403
    assert known["client"].get(url).status_code == 200


def _parliaments_with_data(count):
    """`count` parliaments with a plan and two actions, real ones first, then synthetic."""
    real = list(Parliament.objects.filter(plans__isnull=True).order_by("name")[:count])
    synthetic = []
    # ISO 3166 keeps X? codes for user assignment: no real parliament uses them.
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[: max(0, count - len(real))]:
        code = f"X{letter}"
        synthetic.append(
            Parliament(
                name=f"Synthetic {code}",
                iso2=code,
                iso3=f"{code}Z",
                region="europe",
                iso_numeric="",
            )
        )
    Parliament.objects.bulk_create(synthetic)
    parliaments = real + synthetic
    plans = PlanOfAction.objects.bulk_create(
        PlanOfAction(
            parliament=p, title="Plan", status="adopted", adopted_on=datetime.date(2019, 5, 1)
        )
        for p in parliaments
    )
    actions = Action.objects.bulk_create(
        Action(
            parliament=plan.parliament,
            plan=plan,
            title=f"A{i}",
            action_type="budget",
            completion="limited",
        )
        for plan in plans
        for i in range(2)
    )
    objective, commitment = Objective.objects.get(number=5), Commitment.objects.get(code="R7c.3")
    Action.objectives.through.objects.bulk_create(
        Action.objectives.through(action=a, objective=objective) for a in actions
    )
    Action.commitments.through.objects.bulk_create(
        Action.commitments.through(action=a, commitment=commitment) for a in actions
    )
    # What committing these writes does: bulk inserts send no signals, so, like the scale
    # generator, rebuild every parliament's figures (and those the fixture made dirty).
    figures.figures_fresh()
    figures.figures_rebuild()


# (persona, url, queries measured on the first request after a change)
# The secretariat counts one query more: the review queue badge in its navigation.
DASHBOARDS = [
    ("secretariat", "/dashboard/", 17),  # + the objectives and commitments to link
    ("secretariat", "/dashboard/coverage/?cycle=2021-progress", 12),
    ("secretariat", "/dashboard/coverage/?sort=5&dir=desc", 11),
    ("secretariat", "/dashboard/objectives/5/", 13),
    ("secretariat", "/dashboard/commitments/R7c.3/", 13),  # + who joined since Rabat
    ("secretariat", "/dashboard/commitments/R7a.1/", 13),
    ("secretariat", "/dashboard/regions/europe/", 14),
    ("secretariat", "/dashboard/parliaments/MA/", 9),
    ("anonymous", "/progress/", 11),
]


@pytest.mark.parametrize("count", [20, 200])
@pytest.mark.parametrize(
    ("persona", "url", "max_queries"), DASHBOARDS, ids=[d[1] for d in DASHBOARDS]
)
def test_dashboard_queries_are_few_and_fixed(
    known, django_assert_max_num_queries, count, persona, url, max_queries
):
    _parliaments_with_data(count)
    client = known["client"] if persona == "secretariat" else Client()
    client.get("/healthz")
    # A signed-in person's header counts their unread notifications (one query, then kept).
    with django_assert_max_num_queries(max_queries + (persona != "anonymous")) as captured:
        response = client.get(url)
    assert response.status_code == 200
    QUERY_COUNTS.setdefault((url, persona), {})[count] = len(captured)
    # Again: the figures come from the page cache; only the session and the person remain.
    with django_assert_max_num_queries(WARM_MAX_QUERIES) as warm:
        again = client.get(url)
    assert again.status_code == 200
    QUERY_COUNTS.setdefault((url, persona, "warm"), {})[count] = len(warm)


WARM_MAX_QUERIES = 4


QUERY_COUNTS = {}


def test_dashboard_query_counts_were_the_same_at_both_sizes():
    # Runs after the parametrized test above (same module, file order).
    assert len(QUERY_COUNTS) == 2 * len(DASHBOARDS), "the query-count test did not run first"
    for key, counts in QUERY_COUNTS.items():
        assert set(counts) == {20, 200}, (key, "both sizes must have run")
        assert counts[20] == counts[200], (key, counts)


def test_filters_narrow_the_figures(known):
    client = known["client"]
    americas = client.get(
        "/dashboard/?region=americas&export=plan-adoption&format=csv"
    ).content.decode()
    assert "Adopted later,1" in americas and "Not yet adopted,26" in americas
    scope = selectors.Scope(date_from=datetime.date(2022, 1, 1))
    assert sum(n for _k, _l, n in selectors.completion_distribution(scope)) == 0
    ma = Parliament.objects.get(iso2="MA")
    services.progress_update_create(
        actor=known["reviewer"],
        action=Action.objects.get(title="MA complete", is_published_copy=False),
        date=datetime.date(2022, 3, 1),
        cycle=Cycle.objects.get(code="2022-imrf"),
        completion="complete",
        narrative="Done.",
    )
    scope = selectors.Scope(
        date_from=datetime.date(2022, 1, 1), date_to=datetime.date(2022, 12, 31)
    )
    assert [(k, n) for k, _l, n in selectors.completion_distribution(scope) if n] == [
        ("complete", 1)
    ]
    assert selectors.updates_per_quarter(scope) == [(datetime.date(2022, 1, 1), 1)]
    in_2022 = {"date_from": datetime.date(2022, 1, 1), "date_to": datetime.date(2022, 12, 31)}
    morocco = selectors.completion_distribution(selectors.Scope(parliament=ma, **in_2022))
    mexico = selectors.completion_distribution(
        selectors.Scope(parliament=Parliament.objects.get(iso2="MX"), **in_2022)
    )
    assert [(k, n) for k, _l, n in morocco if n] == [("complete", 1)]
    assert sum(n for _k, _l, n in mexico) == 0
    response = client.get("/dashboard/objectives/7/?cycle=2022-imrf&date_from=not-a-date")
    assert response.status_code == 200 and "Enter a valid date." in response.content.decode()


def test_coverage_shows_fifty_parliaments_a_page_and_exports_them_all(known):
    client = known["client"]
    total = Parliament.objects.filter(is_ipu_member=True).count()
    assert total > 100  # the reference list: more than two pages
    first = client.get("/dashboard/coverage/").content.decode()
    objective_matrix = first.split("coverage-matrix")[1]
    assert objective_matrix.count('<th scope="row">') == 50
    assert f"Parliaments 1–50 of {total}" in first
    assert 'href="?page=2"' in first

    last_page = (total + 49) // 50
    last = client.get(f"/dashboard/coverage/?sort=name&page={last_page}").content.decode()
    rows = last.split("coverage-matrix")[1].count('<th scope="row">')
    assert rows == total - 50 * (last_page - 1)
    assert f"of {total}" in last

    csv_text = client.get("/dashboard/coverage/?export=coverage-objectives&format=csv")
    assert len(list(csv.reader(io.StringIO(csv_text.content.decode())))) == total + 1


def test_a_cached_dashboard_shows_a_change_at_once(known):
    """Pages are cached until the data changes: a new action shows on the next request."""
    from compact_tracker import pagecache
    from tests.factories import ActionFactory, PlanFactory

    client = known["client"]

    def section():  # the page's cached part (the header's forms carry a fresh CSRF token)
        html = client.get("/dashboard/objectives/7/").content.decode()
        return html.split('id="main"')[1]

    before = section()
    version = pagecache.versions([pagecache.DRAFTS])
    assert section() == before
    assert pagecache.versions([pagecache.DRAFTS]) == version  # reading changes nothing
    assert "<td>KE</td>" not in before  # not in the table of parliaments acting on it

    plan = PlanFactory(parliament=Parliament.objects.get(iso2="KE"))
    ActionFactory(plan=plan, title="Inquiry into the detention of migrant children")
    assert pagecache.versions([pagecache.DRAFTS]) != version
    assert "<td>KE</td>" in section()


def test_starring_a_good_practice_shows_on_the_cached_dashboard_at_once(known):
    """The star is a queryset update (no model signal): it still makes the pages stale."""
    from parliaments.models import Action

    client = known["client"]
    before = client.get("/dashboard/objectives/7/").content.decode()
    assert "No action starred as a good practice yet" in before
    action = Action.objects.drafts().get(title="MA complete")
    services.action_set_good_practice(actor=known["reviewer"], action=action, value=True)
    after = client.get("/dashboard/objectives/7/").content.decode()
    assert "No action starred as a good practice yet" not in after
    assert ">MA complete</a>" in after


def test_cached_pages_are_keyed_by_the_day(known, monkeypatch):
    """Days overdue and days waiting change at midnight even when the data does not."""
    import datetime

    from django.test import RequestFactory
    from django.utils import timezone

    from compact_tracker import pagecache

    request = RequestFactory().get("/dashboard/")
    today = pagecache.Section(request).key
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
    assert pagecache.Section(request).key != today


def _chart(html, name):
    import json

    return json.loads(
        re.search(
            rf'<script type="application/json" id="chart-{name}">(.*?)</script>', html, re.S
        ).group(1)
    )


def _map_links(spec):
    """{name: href} of the parliaments on a map spec."""
    for layer in spec["layer"]:
        for step in layer.get("transform", []):
            if "lookup" in step:
                return {row["name"]: row["href"] for row in step["from"]["data"]["values"]}
    raise AssertionError("no parliaments on the map")


def test_every_dashboard_is_linked_from_where_a_reader_looks(known):
    """Issue 15: objective and commitment dashboards from the coverage headers, the
    overview and the public pages (for the secretariat); region pages from the map."""
    client = known["client"]
    coverage = client.get("/dashboard/coverage/").content.decode()
    for number in (1, 7, 23):
        assert f'<a href="/dashboard/objectives/{number}/"' in coverage
    assert '<a href="/dashboard/commitments/R7a.1/"' in coverage

    overview = client.get("/dashboard/").content.decode()
    section = overview.split('id="more-dashboards-title"', 1)[1]
    assert len(re.findall(r'href="/dashboard/objectives/\d+/"', section)) == 23
    assert len(re.findall(r'href="/dashboard/commitments/R[^"]+/"', section)) == 19
    assert 'href="/dashboard/regions/africa/"' in section
    links = _map_links(_chart(overview, "map"))
    assert links["Morocco"] == "/dashboard/regions/africa/"
    assert links["Mexico"] == "/dashboard/regions/americas/"
    region = client.get("/dashboard/regions/africa/").content.decode()
    assert _map_links(_chart(region, "map"))["Morocco"] == "/dashboard/parliaments/MA/"
    public = Client().get("/progress/").content.decode()
    assert _map_links(_chart(public, "map"))["Morocco"] == "/parliaments/MA/"

    for path, dashboard in (
        ("/objectives/7/", "/dashboard/objectives/7/"),
        ("/commitments/R7a.1/", "/dashboard/commitments/R7a.1/"),
    ):
        assert f'href="{dashboard}"' in client.get(path).content.decode()
        assert f'href="{dashboard}"' not in Client().get(path).content.decode()


def test_the_coverage_matrix_shows_the_most_active_parliaments_first(known):
    html = known["client"].get("/dashboard/coverage/").content.decode()
    matrix = html.split('id="table-coverage-objectives"', 1)[1].split("</table>", 1)[0]
    names = re.findall(r'<th scope="row">([^<]+)</th>', matrix)
    assert names[:2] == ["Morocco", "Mexico"]  # 2 actions, then 1; then the 178 with none
    assert names[2:4] == ["Afghanistan", "Albania"]  # ties A to Z


def test_not_answered_yet_is_a_neutral_colour_on_the_map():
    from reports import charts

    assert charts.STATUS_COLOURS["none"] == "#9aa5b1"  # grey, not the failure red it was


def test_overdue_reads_as_people_say_it(known):
    """Issue 15: "31 December 2019 · 6 years, 11 months", not "2527" days."""
    from reports.views.overview import overdue_by

    today = datetime.date(2026, 12, 1)
    nbsp = "\u00a0"  # Django keeps a number with its unit
    assert overdue_by(datetime.date(2019, 12, 31), today) == f"6{nbsp}years, 11{nbsp}months"
    assert overdue_by(datetime.date(2026, 11, 10), today) == f"3{nbsp}weeks"
    assert overdue_by(today, today) == "today"
    html = known["client"].get("/dashboard/").content.decode()
    table = html.split('id="table-overdue"', 1)[1].split("</table>", 1)[0]
    assert "First report due" in table and "Overdue by" in table
    assert re.search(r"<td>\d+\xa0years?(, \d+\xa0months?)?</td>", table)
    assert "Parliaments that have sent none of the reports due" in html


def test_the_public_home_answers_what_parliaments_have_done(
    known, django_capture_on_commit_callbacks
):
    """Issue 15: headline figures, the map, the latest published actions and the next due
    cycle, from published data; a draft edit leaves it as it is, an acceptance moves it."""
    visitor = Client()
    html = visitor.get("/").content.decode()
    summary = html.split('id="done-title"', 1)[1].split('id="cycles-title"', 1)[0]
    assert re.search(r'kpi-number">1</span><span class="kpi-label">of 180 parliaments', summary)
    accepted = r'kpi-number">1</span><span class="kpi-label">reports accepted: Progress'
    assert re.search(accepted, summary)
    assert "MA complete" in summary and "MX limited" not in summary  # MX was returned
    assert _map_links(_chart(html, "home-map"))["Morocco"] == "/parliaments/MA/"
    assert "Next report due:" in summary and "2030" in summary

    action = Action.objects.drafts().get(title="MX limited")
    with django_capture_on_commit_callbacks(execute=True):
        services.action_update(
            actor=make_user("editor.mx", "editor", "MX"),
            action=action,
            expected_version=action.version,
            title="MX limited, renamed",
        )
    assert "MX limited" not in visitor.get("/").content.decode().split('id="cycles-title"')[0]

    from parliaments.models import Submission

    submission = Submission.objects.get(parliament__iso2="MX", cycle__code="2021-progress")
    focal = make_user("focal.mx2", "focal_point", "MX")
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_submit(actor=focal, submission=submission)
        services.submission_accept(actor=known["reviewer"], submission=submission)
    after = visitor.get("/").content.decode().split('id="cycles-title"')[0]
    assert "MX limited, renamed" in after
    assert re.search(r'kpi-number">2</span><span class="kpi-label">of 180 parliaments', after)


def test_the_quarterly_series_shows_every_quarter_as_bars():
    """Issue 15: every quarter from the first to the last, zero where nothing happened,
    bars (no line drawn across an empty quarter), whole-number counts, no overlapping
    labels."""
    from reports import charts

    rows = [(datetime.date(2021, 4, 1), 3), (datetime.date(2022, 1, 1), 1)]
    every = charts.every_quarter(rows)
    assert every == [
        (datetime.date(2021, 4, 1), 3),
        (datetime.date(2021, 7, 1), 0),
        (datetime.date(2021, 10, 1), 0),
        (datetime.date(2022, 1, 1), 1),
    ]
    assert charts.every_quarter([]) == []
    spec = charts.quarterly_bars(every, "Progress updates per quarter")
    values = spec["data"]["values"] if "data" in spec else spec["datasets"]
    assert [row["quarter"] for row in values] == ["2021 Q2", "2021 Q3", "2021 Q4", "2022 Q1"]
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["y"]["axis"] == {"format": "d", "tickMinStep": 1}
    assert spec["encoding"]["x"]["axis"]["labelOverlap"] == "greedy"


def test_long_category_labels_wrap_instead_of_being_cut():
    """Issue 15: "Adopté au plus tard le 31 déce…" no more: a long label is shown on two
    lines; the tooltip and the table keep it whole."""
    from reports import charts

    label = "Adopté au plus tard le 31 décembre 2019"
    spec = charts.status_bar(
        [("on_time", label, 7), ("late", "Adopté plus tard", 2), ("none", "Pas encore", 171)],
        "Plans d’action",
    )
    bars = spec["layer"][0]
    values = bars["data"]["values"] if "data" in bars else spec["data"]["values"]
    first = next(row for row in values if row["key"] == "on_time")
    assert first["status"] == label  # whole, for the tooltip
    assert first["line"].split("|") == ["Adopté au plus tard le", "31 décembre 2019"]
    assert bars["encoding"]["y"]["axis"]["labelExpr"] == "split(datum.label, '|')"
    assert bars["encoding"]["x"]["axis"] == {"format": "d", "tickMinStep": 1}
