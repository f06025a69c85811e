"""The surfaces must agree (issue 11).

A seeded generator builds a dataset through the real services: a dozen parliaments across
the regions, in every review state, with progress in every cycle, published by accepted
submissions and then edited in draft. Every figure that more than one surface shows is
then read from each surface and compared with what a plain query over the published (or
draft) rows gives:

- counts of actions by objective, commitment, type, completion, region and cycle;
- each parliament's plan status and report status;
- good practices.

Surfaces: the public pages (table CSV downloads, and a few HTML markers where there is no
download), the secretariat's dashboards (drafts), the API lists as JSON and CSV (anonymous:
published; secretariat: drafts), the changes feed replayed from the start, and the JSON,
XLSX and CSV of cycle reports built by a real Celery worker. Every disagreement is
collected and reported together, each naming its surface and figure, e.g.
"public /progress/ completion['limited']: 3 != expected 4".

The expected figures are computed here in Python from the rows themselves, never through
reports.selectors or the views: those are what is being checked.
"""

import csv
import datetime
import io
import json
import random
import re
import signal
import subprocess
import threading
import time
import uuid
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from commitments.models import Commitment, Cycle, Instrument, Objective
from compact_tracker import pagecache
from compact_tracker.api import AnonThrottle, UserThrottle
from parliaments import services
from parliaments.models import (
    PLAN_DEADLINE,
    Action,
    ActionType,
    Completion,
    Parliament,
    PlanOfAction,
    ProgressUpdate,
    Region,
    Submission,
)
from reports.models import Report
from tests import workers
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent
SEED = 2018
PARLIAMENTS = ["MA", "SN", "EG", "KE", "MX", "BR", "CA", "JP", "IN", "FR", "DE", "NZ"]
# Marks every title written after a parliament's last accepted submission: such a title
# must be on every draft surface and on no public one.
DRAFT_MARK = "DRAFT-ONLY"
REPORT_CYCLE = "2021-progress"
TODAY = timezone.localdate()
UTC = datetime.UTC

COMPLETION_KEYS = {str(label): value for value, label in Completion.choices}
TYPE_KEYS = {str(label): value for value, label in ActionType.choices}
PLAN_STATUS_KEYS = {str(label): value for value, label in PlanOfAction.Status.choices}
ADOPTION_KEYS = {
    "Adopted by 31 December 2019": "on_time",
    "Adopted later": "late",
    "Not yet adopted": "none",
}
REPORT_KEYS = {"Reported on time": "on_time", "Reported late": "late", "Not reported": "none"}


# --- The dataset -------------------------------------------------------------------------


def _cycle_windows(cycles):
    """{cycle code: (first day, last day)}: progress is dated after the previous cycle's
    due date and by this one's, never in the future."""
    windows, start = {}, datetime.date(2019, 1, 1)
    for cycle in cycles:
        windows[cycle.code] = (start, min(cycle.due_date, TODAY))
        start = cycle.due_date + datetime.timedelta(days=1)
    return windows


# One story per parliament: what it did and how its submissions went. The generator deals
# them out at random (seeded); details (actions, links, progress, dates) are random too.
STORIES = [
    "nothing",  # no plan, nothing submitted
    "drafting",  # a plan in drafting, never submitted
    "submitted",  # 2019 plan submitted, waiting for review
    "returned",  # 2021 report returned with comments
    "accepted",  # 2021 report accepted, then edited in draft
    "accepted_twice",  # 2019 plan accepted, edited, 2021 accepted (republished), edited
    "returned_then_accepted",  # 2021 returned, resubmitted, accepted, edited
    "accepted_then_submitted",  # 2021 accepted, edited, 2022 submitted (not reviewed)
    "accepted_2026",  # 2026 IMRF accepted (every update published), edited
    "accepted_late_plan",  # a plan adopted late; the 2019 plan accepted late, edited
    "accepted_2022",  # 2022 IMRF accepted, edited
    "submitted_2026",  # 2026 report submitted only
]


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.reviewer = make_user("secretariat.reviewer", "secretariat")
        self.objectives = list(Objective.objects.order_by("number"))
        self.commitments = list(Commitment.objects.order_by("position"))
        self.instruments = list(Instrument.objects.order_by("code"))
        self.cycles = {cycle.code: cycle for cycle in Cycle.objects.order_by("due_date")}
        self.windows = _cycle_windows(self.cycles.values())
        self.count = 0

    def date_in(self, cycle_code):
        first, last = self.windows[cycle_code]
        return first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))

    def links(self):
        return (
            self.rng.sample(self.commitments, self.rng.randint(1, 2)),
            self.rng.sample(self.objectives, self.rng.randint(1, 3)),
        )

    def kind(self, ratification=True):
        kinds = (
            ActionType.values
            if ratification
            else [t for t in ActionType.values if t != "ratification"]
        )
        action_type = self.rng.choice(kinds)
        instrument = self.rng.choice(self.instruments) if action_type == "ratification" else None
        return action_type, instrument

    def build(self):
        stories = list(STORIES)
        self.rng.shuffle(stories)
        for iso2, story in zip(PARLIAMENTS, stories, strict=True):
            self.parliament(Parliament.objects.get(iso2=iso2), story)

    def parliament(self, parliament, story):
        rng, iso2 = self.rng, parliament.iso2
        editor = make_user(f"editor.{iso2.lower()}", "editor", iso2)
        focal = make_user(f"focal.{iso2.lower()}", "focal_point", iso2)
        if story == "nothing":
            return
        if story == "drafting":
            status, adopted_on = PlanOfAction.Status.DRAFTING, None
        elif story == "accepted_late_plan":
            status, adopted_on = PlanOfAction.Status.ADOPTED, datetime.date(2020, 3, 12)
        else:
            status = rng.choice([PlanOfAction.Status.ADOPTED, PlanOfAction.Status.UNDER_REVISION])
            adopted_on = datetime.date(2019, 2, 1) + datetime.timedelta(days=rng.randint(0, 500))
        plan = services.plan_create(
            actor=editor,
            parliament=parliament,
            title=f"{parliament.name} plan of action on migration",
            status=status,
            adopted_on=adopted_on,
        )
        for _ in range(rng.randint(3, 5)):
            self.action(editor, plan, iso2)

        def submit(cycle_code, late=None):
            cycle = self.cycles[cycle_code]
            submission = services.submission_for(parliament, cycle)
            services.submission_submit(actor=focal, submission=submission)
            submission.refresh_from_db()
            if submission.round == 1:  # when it was first sent: on time or late
                late = rng.random() < 0.4 if late is None else late
                day = cycle.due_date + datetime.timedelta(
                    days=rng.randint(1, 60) if late else -rng.randint(0, 60)
                )
                when = datetime.datetime.combine(min(day, TODAY), datetime.time(12), tzinfo=UTC)
                Submission.objects.filter(pk=submission.pk).update(
                    first_submitted_at=when, submitted_at=when
                )
            return submission

        def accept(submission):
            services.submission_accept(actor=self.reviewer, submission=submission)

        def return_(submission):
            services.submission_return(
                actor=self.reviewer, submission=submission, comment="Add dates."
            )

        if story == "submitted":
            submit("2019-plan")
        elif story == "submitted_2026":
            submit("2026-imrf")
        elif story == "returned":
            return_(submit("2021-progress"))
        elif story == "accepted":
            accept(submit("2021-progress"))
            self.draft_edits(editor, parliament, DRAFT_MARK)
        elif story == "accepted_twice":
            # Published progress on an action that is then deleted (see draft_edits).
            self.progress(editor, rng.choice(list(plan.actions.all())), "2019-plan")
            accept(submit("2019-plan"))
            self.draft_edits(editor, parliament, "EDIT-R1")  # published by the next accept
            accept(submit("2021-progress"))
            self.draft_edits(editor, parliament, DRAFT_MARK)
        elif story == "returned_then_accepted":
            submission = submit("2021-progress")
            return_(submission)
            accept(submit("2021-progress"))
            self.draft_edits(editor, parliament, DRAFT_MARK)
        elif story == "accepted_then_submitted":
            accept(submit("2021-progress"))
            self.draft_edits(editor, parliament, DRAFT_MARK)
            submit("2022-imrf")
        elif story == "accepted_2026":
            accept(submit("2026-imrf"))
            self.draft_edits(editor, parliament, DRAFT_MARK)
        elif story == "accepted_late_plan":
            accept(submit("2019-plan", late=True))
            self.draft_edits(editor, parliament, DRAFT_MARK)
        elif story == "accepted_2022":
            accept(submit("2022-imrf"))
            self.draft_edits(editor, parliament, DRAFT_MARK)

    def action(self, editor, plan, iso2, mark=""):
        rng = self.rng
        self.count += 1
        commitments, objectives = self.links()
        action_type, instrument = self.kind()
        action = services.action_create(
            actor=editor,
            plan=plan,
            commitments=commitments,
            objectives=objectives,
            title=f"{iso2} action {self.count}{' ' + mark if mark else ''}",
            action_type=action_type,
            instrument=instrument,
            completion=rng.choice(Completion.values),  # the workspace's own value
        )
        for _ in range(rng.randint(0, 3)):
            self.progress(editor, action)
        if rng.random() < 0.25:
            services.action_set_good_practice(actor=self.reviewer, action=action, value=True)
        return action

    def progress(self, editor, action, cycle_code=None):
        cycle_code = cycle_code or self.rng.choice(list(self.cycles))
        services.progress_update_create(
            actor=editor,
            action=action,
            date=self.date_in(cycle_code),
            cycle=self.cycles[cycle_code],
            completion=self.rng.choice(Completion.values),
            narrative="What happened.",
        )

    def draft_edits(self, editor, parliament, mark):
        """Edits after acceptance: a new title and completion, a new type and objectives,
        a deleted action, a new action (starred), new progress, a star on a published
        action (published at once, by design) and, sometimes, the plan's status."""
        rng = self.rng
        drafts = list(Action.objects.drafts().filter(parliament=parliament).order_by("pk"))
        # Delete one with published progress when there is one: when that deletion is
        # published, the progress goes too, and the changes feed must say so.
        with_progress = set(
            ProgressUpdate.objects.published()
            .filter(parliament=parliament)
            .values_list("action__uid", flat=True)
        )
        candidates = [a for a in drafts if a.uid in with_progress] or drafts
        deleted = rng.choice(candidates)
        retitled, retyped = rng.sample([a for a in drafts if a.pk != deleted.pk], 2)
        services.action_update(
            actor=editor,
            action=retitled,
            expected_version=retitled.version,
            title=f"{retitled.title} {mark}",
            completion=rng.choice([c for c in Completion.values if c != retitled.completion]),
        )
        action_type, _instrument = self.kind(ratification=False)
        retyped.refresh_from_db()
        services.action_update(
            actor=editor,
            action=retyped,
            expected_version=retyped.version,
            action_type=action_type,
            instrument=None,
            objectives=self.links()[1],
        )
        deleted.refresh_from_db()
        services.action_delete(actor=editor, action=deleted, expected_version=deleted.version)
        plan = PlanOfAction.objects.drafts().get(parliament=parliament, is_current=True)
        new = self.action(editor, plan, parliament.iso2, mark)
        services.action_set_good_practice(actor=self.reviewer, action=new, value=True)
        self.progress(editor, retyped, "2026-imrf")
        survivors = [a for a in drafts if a.pk != deleted.pk]
        starred = rng.choice(survivors)
        services.action_set_good_practice(
            actor=self.reviewer, action=starred, value=not starred.is_good_practice
        )
        if rng.random() < 0.5:
            plan.refresh_from_db()
            services.plan_update(
                actor=editor,
                plan=plan,
                expected_version=plan.version,
                status=PlanOfAction.Status.UNDER_REVISION
                if plan.status == PlanOfAction.Status.ADOPTED
                else PlanOfAction.Status.ADOPTED,
            )


# --- What the rows say --------------------------------------------------------------------


class Expected:
    """Every figure, computed in Python from the published (or draft) rows."""

    def __init__(self, published):
        self.published = published
        regions = dict(Parliament.objects.values_list("iso2", "region"))
        self.ipu_members = Parliament.objects.filter(is_ipu_member=True).count()
        actions = Action.objects.filter(is_published_copy=published)
        objectives = defaultdict(set)
        for pk, number in actions.values_list("pk", "objectives__number"):
            objectives[pk].add(number)
        commitments = defaultdict(set)
        for pk, code in actions.values_list("pk", "commitments__code"):
            commitments[pk].add(code)
        updates = list(
            ProgressUpdate.objects.filter(is_published_copy=published).values_list(
                "action_id", "cycle__code"
            )
        )
        cycles = defaultdict(set)
        for action_id, code in updates:
            cycles[action_id].add(code)
        self.actions = [
            {
                "uid": str(uid),
                "iso2": iso2,
                "region": regions[iso2],
                "title": title,
                "type": action_type,
                "completion": completion,
                "good_practice": good_practice,
                "objectives": objectives[pk],
                "commitments": commitments[pk],
                "cycles": cycles[pk],
            }
            for pk, uid, iso2, title, action_type, completion, good_practice in actions.values_list(
                "pk",
                "uid",
                "parliament__iso2",
                "title",
                "action_type",
                "completion",
                "is_good_practice",
            )
        ]
        self.updates_by_cycle = _zeros(Cycle.objects.values_list("code", flat=True))
        self.updates_by_cycle.update(Counter(code for _a, code in updates))
        self.figures = figures_of(self.actions, regions)

        plans = PlanOfAction.objects.filter(is_published_copy=published, is_current=True)
        self.plan_status = dict(plans.values_list("parliament__iso2", "status"))
        self.adoption = {}
        for iso2, status, adopted_on in plans.values_list(
            "parliament__iso2", "status", "adopted_on"
        ):
            if status in ("adopted", "under_revision") and adopted_on:
                self.adoption[iso2] = "on_time" if adopted_on <= PLAN_DEADLINE else "late"
        counted = ["accepted"] if published else ["submitted", "returned", "accepted"]
        self.submissions = {}  # (iso2, cycle): status
        self.report = {}  # (iso2, cycle): on_time / late
        for iso2, code, status, first, due in Submission.objects.filter(
            status__in=counted
        ).values_list(
            "parliament__iso2", "cycle__code", "status", "first_submitted_at", "cycle__due_date"
        ):
            self.submissions[(iso2, code)] = status
            self.report[(iso2, code)] = "late" if first.date() > due else "on_time"
        self.waiting = Submission.objects.filter(status="submitted").count()

    def adoption_counts(self):
        counts = Counter(self.adoption.values())
        return {
            "on_time": counts["on_time"],
            "late": counts["late"],
            "none": self.ipu_members - len(self.adoption),
        }

    def report_counts(self, cycle_code):
        counts = Counter(v for (_iso2, code), v in self.report.items() if code == cycle_code)
        reported = counts["on_time"] + counts["late"]
        return {
            "on_time": counts["on_time"],
            "late": counts["late"],
            "none": self.ipu_members - reported,
        }

    def parliaments_with_actions(self):
        return set(self.figures["per_parliament"])


def _zeros(keys):
    return Counter(dict.fromkeys(keys, 0))


def figures_of(actions, regions):
    """The action counts every surface shows, from a list of action dicts (the rows, or
    the records a surface gave back)."""
    figures = {
        "completion": _zeros(Completion.values),
        "type": _zeros(ActionType.values),
        "objective": _zeros(range(1, 24)),
        "commitment": _zeros(Commitment.objects.values_list("code", flat=True)),
        "region": _zeros(Region.values),
        "cycle": _zeros(Cycle.objects.values_list("code", flat=True)),
        "per_parliament": Counter(),
        "coverage_objective": Counter(),
        "coverage_commitment": Counter(),
        "objective_parliaments": defaultdict(set),
        "commitment_parliaments": defaultdict(set),
        "objective_complete": _zeros(range(1, 24)),
        "objective_good_practices": _zeros(range(1, 24)),
        "commitment_good_practices": _zeros(Commitment.objects.values_list("code", flat=True)),
        "good_practices": set(),
    }
    for action in actions:
        iso2 = action["iso2"]
        figures["completion"][action["completion"]] += 1
        figures["type"][action["type"]] += 1
        figures["region"][regions[iso2]] += 1
        figures["per_parliament"][iso2] += 1
        for code in action["cycles"]:
            figures["cycle"][code] += 1
        for number in action["objectives"]:
            figures["objective"][number] += 1
            figures["coverage_objective"][(iso2, number)] += 1
            figures["objective_parliaments"][number].add(iso2)
            figures["objective_complete"][number] += action["completion"] == "complete"
            figures["objective_good_practices"][number] += action["good_practice"]
        for code in action["commitments"]:
            figures["commitment"][code] += 1
            figures["coverage_commitment"][(iso2, code)] += 1
            figures["commitment_parliaments"][code].add(iso2)
            figures["commitment_good_practices"][code] += action["good_practice"]
        if action["good_practice"]:
            figures["good_practices"].add((iso2, action["title"]))
    return figures


# --- Comparing -----------------------------------------------------------------------------


class Mismatches(list):
    def equal(self, surface, figure, got, expected):
        """Record a disagreement; dicts are compared key by key, so the message names the
        very count that differs."""
        if isinstance(expected, dict) and isinstance(got, dict):
            for key in sorted(set(expected) | set(got), key=str):
                self.equal(surface, f"{figure}[{key!r}]", got.get(key, 0), expected.get(key, 0))
        elif got != expected:
            self.append(f"{surface} {figure}: {got!r} != expected {expected!r}")


def _csv_rows(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _ok(response, what):
    assert response.status_code == 200, f"{what} answered {response.status_code}"
    return response


def _table(client, path, name, **params):
    """A dashboard table's CSV download: its rows without the header."""
    query = {**params, "export": name, "format": "csv"}
    return _csv_rows(_ok(client.get(path, query), f"{path} {name}").content)[1:]


def _counts(rows, keys):
    return {keys[label]: int(n) for label, n in rows}


def check_overview(m, client, path, expected, with_queue=False):
    """/progress/ (published) or /dashboard/ (drafts): the tables, and the figures under
    the region and cycle filters."""
    surface = f"{'public' if expected.published else 'dashboard'} {path}"
    figures = expected.figures
    m.equal(
        surface,
        "completion",
        _counts(_table(client, path, "completion"), COMPLETION_KEYS),
        figures["completion"],
    )
    m.equal(
        surface, "type", _counts(_table(client, path, "action-types"), TYPE_KEYS), figures["type"]
    )
    m.equal(
        surface,
        "plan adoption",
        _counts(_table(client, path, "plan-adoption"), ADOPTION_KEYS),
        expected.adoption_counts(),
    )
    m.equal(
        surface,
        "2021 reports",
        _counts(_table(client, path, "report-2021"), REPORT_KEYS),
        expected.report_counts(REPORT_CYCLE),
    )
    statuses = {
        iso2: ADOPTION_KEYS[status]
        for _name, iso2, _region, _on, status in _table(client, path, "plan-status")
    }
    m.equal(
        surface,
        "plan status by parliament",
        {k: v for k, v in statuses.items() if v != "none"},
        expected.adoption,
    )
    quarters = _table(client, path, "updates-per-quarter")
    m.equal(
        surface,
        "progress updates",
        sum(int(n) for _q, n in quarters),
        sum(expected.updates_by_cycle.values()),
    )
    for region in Region.values:
        rows = _table(client, path, "completion", region=region)
        m.equal(
            surface,
            f"region {region!r} actions",
            sum(int(n) for _l, n in rows),
            figures["region"][region],
        )
    for code in expected.updates_by_cycle:
        rows = _table(client, path, "completion", cycle=code)
        m.equal(
            surface,
            f"cycle {code!r} actions",
            sum(int(n) for _l, n in rows),
            figures["cycle"][code],
        )
        rows = _table(client, path, "updates-per-quarter", cycle=code)
        m.equal(
            surface,
            f"cycle {code!r} progress updates",
            sum(int(n) for _l, n in rows),
            expected.updates_by_cycle[code],
        )
    if with_queue:
        m.equal(
            surface, "review queue", len(_table(client, path, "review-queue")), expected.waiting
        )


def check_secretariat_pages(m, client, drafts):
    figures = drafts.figures
    surface = "dashboard /dashboard/coverage/"
    for axis, key in (("objectives", "objective"), ("commitments", "commitment")):
        rows = _table(client, "/dashboard/coverage/", f"coverage-{axis}")
        header = _csv_rows(
            client.get("/dashboard/coverage/", {"export": f"coverage-{axis}"}).content
        )[0]
        columns = header[2:-1]
        cells, totals = Counter(), _zeros(figures[key])
        for row in rows:
            for column, n in zip(columns, row[2:-1], strict=True):
                column = int(column) if key == "objective" else column
                if int(n):
                    cells[(row[1], column)] = int(n)
                totals[column] += int(n)
        m.equal(surface, f"{key} cells", dict(cells), dict(figures[f"coverage_{key}"]))
        m.equal(surface, f"actions by {key}", dict(totals), dict(figures[key]))

    for kind, values in (("objective", range(1, 24)), ("commitment", list(figures["commitment"]))):
        for value in values:
            path = f"/dashboard/{kind}s/{value}/"
            surface = f"dashboard {path}"
            acting = {iso2: int(n) for _name, iso2, n, _best in _table(client, path, "parliaments")}
            m.equal(
                surface,
                "actions per parliament",
                acting,
                {
                    iso2: n
                    for (iso2, column), n in figures[f"coverage_{kind}"].items()
                    if column == value
                },
            )
            completion = _table(client, path, "completion")
            m.equal(surface, "actions", sum(int(n) for _l, n in completion), figures[kind][value])
            html = _ok(client.get(path), path).content.decode()
            m.equal(
                surface,
                "good practices",
                html.count('<span class="good-practice" aria-hidden="true">'),
                figures[f"{kind}_good_practices"][value],
            )

    for region in Region.values:
        path = f"/dashboard/regions/{region}/"
        rows = _table(client, path, "completion")
        m.equal(
            f"dashboard {path}", "actions", sum(int(n) for _l, n in rows), figures["region"][region]
        )
        adoption = _counts(_table(client, path, "plan-adoption"), ADOPTION_KEYS)
        members = set(Parliament.objects.filter(region=region).values_list("iso2", flat=True))
        counts = Counter(v for iso2, v in drafts.adoption.items() if iso2 in members)
        m.equal(
            f"dashboard {path}",
            "plan adoption",
            adoption,
            {
                "on_time": counts["on_time"],
                "late": counts["late"],
                "none": len(members) - counts["on_time"] - counts["late"],
            },
        )

    for iso2 in PARLIAMENTS:
        path = f"/dashboard/parliaments/{iso2}/"
        rows = _table(client, path, "actions")
        m.equal(
            f"dashboard {path}",
            "actions",
            sorted(
                (title, COMPLETION_KEYS[c], TYPE_KEYS[t], gp == "True") for title, t, c, gp in rows
            ),
            sorted(
                (a["title"], a["completion"], a["type"], a["good_practice"])
                for a in drafts.actions
                if a["iso2"] == iso2
            ),
        )


def check_public_pages(m, client, published):
    figures = published.figures
    rows = _csv_rows(_ok(client.get("/parliaments/", {"_export": "csv"}), "/parliaments/").content)
    header, rows = rows[0], rows[1:]
    names = dict(Parliament.objects.values_list("name", "iso2"))
    listed = {names[row[0]]: row for row in rows}
    status_at, count_at = header.index("Plan of action"), header.index("Published actions")
    m.equal(
        "public /parliaments/",
        "plan status",
        {iso2: PLAN_STATUS_KEYS[row[status_at]] for iso2, row in listed.items() if row[status_at]},
        published.plan_status,
    )
    m.equal(
        "public /parliaments/",
        "published actions",
        {iso2: int(row[count_at]) for iso2, row in listed.items() if int(row[count_at])},
        dict(figures["per_parliament"]),
    )
    m.equal(
        "public /parliaments/",
        "parliaments listed",
        sorted(listed),
        sorted(set(published.plan_status) | published.parliaments_with_actions()),
    )

    for iso2 in PARLIAMENTS:
        path = f"/parliaments/{iso2}/"
        html = _ok(client.get(path, {"per_page": 500}), path).content.decode()
        status = re.search(r'class="plan-status plan-status-(\w+)"', html)
        m.equal(
            f"public {path}",
            "plan status",
            status and status.group(1),
            published.plan_status.get(iso2),
        )
        m.equal(
            f"public {path}",
            "completion",
            dict(Counter(re.findall(r'class="completion completion-(\w+)"', html))),
            dict(Counter(a["completion"] for a in published.actions if a["iso2"] == iso2)),
        )
        m.equal(
            f"public {path}",
            "accepted reports",
            sorted(re.findall(r'<span class="cycle-code">([\w-]+)</span>', html)),
            sorted(code for (p, code) in published.submissions if p == iso2),
        )

    def count(**params):
        response = _ok(client.get("/actions/", {**params, "_export": "csv"}), f"/actions/ {params}")
        return _csv_rows(response.content)[1:]

    check_filters(m, "public /actions/ CSV", lambda **p: len(count(**p)), figures)
    rows = count(good_practice="true")
    m.equal(
        "public /actions/ CSV",
        "good practices",
        sorted((names[row[1]], row[0]) for row in rows),
        sorted(figures["good_practices"]),
    )


def check_filters(m, surface, count, figures):
    """The number of actions under each filter the lists share."""
    for name, key in (
        ("objective", "objective"),
        ("commitment", "commitment"),
        ("action_type", "type"),
        ("completion", "completion"),
        ("region", "region"),
        ("cycle", "cycle"),
    ):
        m.equal(
            surface,
            f"{key}",
            {value: count(**{name: value}) for value in figures[key]},
            dict(figures[key]),
        )
    m.equal(surface, "actions", count(), sum(figures["completion"].values()))


def check_api(m, client, expected, who):
    figures = expected.figures

    def get(path, **params):
        response = _ok(client.get(path, {"page_size": 500, **params}), f"{path} {params}")
        return response

    def count_json(**params):
        return get("/api/v1/actions/", **params).json()["count"]

    def count_csv(**params):
        return len(_csv_rows(get("/api/v1/actions/", format="csv", **params).content)) - 1

    check_filters(m, f"API ({who}) /api/v1/actions/", count_json, figures)
    check_filters(m, f"API ({who}) /api/v1/actions/ CSV", count_csv, figures)
    for iso2 in PARLIAMENTS:
        m.equal(
            f"API ({who}) /api/v1/actions/",
            f"country {iso2!r}",
            count_json(country=iso2),
            figures["per_parliament"][iso2],
        )
    records = get("/api/v1/actions/", good_practice="true").json()["results"]
    m.equal(
        f"API ({who}) /api/v1/actions/",
        "good practices",
        sorted((r["parliament"], r["title"]) for r in records),
        sorted(figures["good_practices"]),
    )
    plans = get("/api/v1/plans/", current="true").json()["results"]
    m.equal(
        f"API ({who}) /api/v1/plans/",
        "plan status",
        {p["parliament"]: p["status"] for p in plans},
        expected.plan_status,
    )
    submissions = get("/api/v1/submissions/").json()["results"]
    m.equal(
        f"API ({who}) /api/v1/submissions/",
        "status",
        {f"{s['parliament']} {s['cycle']}": s["status"] for s in submissions},
        {f"{iso2} {code}": status for (iso2, code), status in expected.submissions.items()},
    )
    m.equal(
        f"API ({who}) /api/v1/submissions/",
        "report",
        {
            f"{s['parliament']} {s['cycle']}": "late" if s["is_late"] else "on_time"
            for s in submissions
        },
        {f"{iso2} {code}": v for (iso2, code), v in expected.report.items()},
    )
    m.equal(
        f"API ({who}) /api/v1/progress-updates/",
        "progress updates by cycle",
        {
            code: get("/api/v1/progress-updates/", cycle=code).json()["count"]
            for code in expected.updates_by_cycle
        },
        dict(expected.updates_by_cycle),
    )


def check_changes_feed(m, client, published):
    """Replay the feed from the start, keeping the last operation per (type, id); what is
    left must be exactly the published rows."""
    state, since = {}, 0
    while True:
        page = _ok(client.get("/api/v1/changes/", {"since": since, "limit": 500}), "feed").json()
        for entry in page["results"]:
            state[(entry["type"], entry["id"])] = (entry["operation"], entry["record"])
        since = page["next_cursor"]
        if not page["has_more"]:
            break
    surface = "API /api/v1/changes/ replayed"
    live = {key: record for key, (operation, record) in state.items() if operation == "upsert"}
    for (kind, uid), record in live.items():
        if record is None:
            m.append(f"{surface}: the last entry for {kind} {uid} is an upsert without a record")
    live = {key: record for key, record in live.items() if record is not None}
    regions = dict(Parliament.objects.values_list("iso2", "region"))
    updates = [r for (kind, _u), r in live.items() if kind == "progress_update"]
    cycles = defaultdict(set)
    for record in updates:
        cycles[record["action"]].add(record["cycle"])
    actions = [
        {
            "iso2": r["parliament"],
            "title": r["title"],
            "type": r["action_type"],
            "completion": r["completion"],
            "good_practice": r["is_good_practice"],
            "objectives": set(r["objectives"]),
            "commitments": set(r["commitments"]),
            "cycles": cycles[r["id"]],
        }
        for (kind, _u), r in live.items()
        if kind == "action"
    ]
    m.equal(
        surface,
        "action ids",
        sorted(r["id"] for (kind, _u), r in live.items() if kind == "action"),
        sorted(a["uid"] for a in published.actions),
    )
    figures = figures_of(actions, regions)
    for key in ("completion", "type", "objective", "commitment", "region", "cycle"):
        m.equal(surface, key, dict(figures[key]), dict(published.figures[key]))
    m.equal(
        surface,
        "actions per parliament",
        dict(figures["per_parliament"]),
        dict(published.figures["per_parliament"]),
    )
    m.equal(
        surface,
        "good practices",
        sorted(figures["good_practices"]),
        sorted(published.figures["good_practices"]),
    )
    m.equal(
        surface,
        "progress updates by cycle",
        dict(Counter(r["cycle"] for r in updates)),
        {k: v for k, v in published.updates_by_cycle.items() if v},
    )
    m.equal(
        surface,
        "plan status",
        {
            r["parliament"]: r["status"]
            for (kind, _u), r in live.items()
            if kind == "plan" and r["is_current"]
        },
        published.plan_status,
    )


# --- Cycle reports -----------------------------------------------------------------------


def _report_tables_from_xlsx(payload):
    book = load_workbook(io.BytesIO(payload), read_only=True)
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
        for sheet in book.worksheets
    }


def _report_tables_from_csv(payload):
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        return {
            name.removesuffix(".csv"): _csv_rows(archive.read(name))[1:]
            for name in archive.namelist()
        }


PLAN_CELL = {"on_time": "On time", "late": "Late", "none": "No plan"}
REPORT_CELL = {"on_time": "On time", "late": "Late", "none": "Not reported"}


def check_report(m, report, expected, parliaments):
    """The JSON, XLSX and CSV of a finished report against the rows. `parliaments`: the
    iso2 codes the report covers."""
    figures = expected.figures
    kind = "internal" if report.internal else "public"
    name = f"{kind} {report.cycle.code} {report.scope} report"
    files = {f.format: f.file.read() for f in report.files.all()}
    data = json.loads(files["json"])
    surface = f"{name} JSON"
    summary = data["summary"]
    m.equal(surface, "completion", summary["completion"], dict(figures["completion"]))
    m.equal(surface, "type", summary["action_types"], dict(figures["type"]))
    covered = set(parliaments)
    adoption = Counter(v for iso2, v in expected.adoption.items() if iso2 in covered)
    m.equal(
        surface,
        "plan adoption",
        summary["plan_adoption"],
        {
            "on_time": adoption["on_time"],
            "late": adoption["late"],
            "none": len(covered) - adoption["on_time"] - adoption["late"],
        },
    )
    reported = Counter(
        v
        for (iso2, code), v in expected.report.items()
        if code == report.cycle.code and iso2 in covered
    )
    m.equal(
        surface,
        "report compliance",
        summary["report_compliance"],
        {
            "on_time": reported["on_time"],
            "late": reported["late"],
            "none": len(covered) - reported["on_time"] - reported["late"],
        },
    )
    m.equal(
        surface,
        "objective actions",
        {o["number"]: o["actions"] for o in data["objectives"]},
        dict(figures["objective"]),
    )
    m.equal(
        surface,
        "objective parliaments",
        {o["number"]: o["parliaments"] for o in data["objectives"]},
        {n: len(figures["objective_parliaments"][n]) for n in range(1, 24)},
    )
    m.equal(
        surface,
        "objective complete",
        {o["number"]: o["complete"] for o in data["objectives"]},
        dict(figures["objective_complete"]),
    )
    m.equal(
        surface,
        "commitment actions",
        {c["code"]: c["actions"] for c in data["commitments"]},
        dict(figures["commitment"]),
    )
    m.equal(
        surface,
        "commitment parliaments",
        {c["code"]: c["parliaments"] for c in data["commitments"]},
        {code: len(figures["commitment_parliaments"][code]) for code in figures["commitment"]},
    )
    by_iso2 = {p["iso2"]: p for p in data["parliaments"]}
    expected_rows = {
        iso2: (
            expected.adoption.get(iso2, "none"),
            expected.report.get((iso2, report.cycle.code), "none"),
            figures["per_parliament"][iso2],
            expected.plan_status.get(iso2, ""),
        )
        for iso2 in covered
    }
    m.equal(
        surface,
        "parliaments",
        {
            iso2: (p["plan"], p["report"], p["actions"], p["plan_status"])
            for iso2, p in by_iso2.items()
            if iso2 in PARLIAMENTS
        },
        {iso2: row for iso2, row in expected_rows.items() if iso2 in PARLIAMENTS},
    )
    m.equal(surface, "parliaments covered", sorted(by_iso2), sorted(covered))
    m.equal(
        surface,
        "good practices",
        sorted(g["title"] for g in data["good_practices"]),
        sorted(title for _iso2, title in figures["good_practices"]),
    )
    m.equal(
        surface,
        "actions",
        sorted((a["parliament"], a["title"], a["type"], a["completion"]) for a in data["actions"]),
        sorted((a["iso2"], a["title"], a["type"], a["completion"]) for a in expected.actions),
    )

    for file_format, tables in (
        ("xlsx", _report_tables_from_xlsx(files["xlsx"])),
        ("csv", _report_tables_from_csv(files["csv"])),
    ):
        surface = f"{name} {file_format.upper()}"
        m.equal(
            surface,
            "completion",
            {COMPLETION_KEYS[label]: int(n) for label, n in tables["completion"]},
            dict(figures["completion"]),
        )
        m.equal(
            surface,
            "objective actions",
            {int(row[0]): int(row[3]) for row in tables["objectives"]},
            dict(figures["objective"]),
        )
        m.equal(
            surface,
            "objective parliaments",
            {int(row[0]): int(row[2]) for row in tables["objectives"]},
            {n: len(figures["objective_parliaments"][n]) for n in range(1, 24)},
        )
        m.equal(
            surface,
            "objective complete",
            {int(row[0]): int(row[4]) for row in tables["objectives"]},
            dict(figures["objective_complete"]),
        )
        m.equal(
            surface,
            "commitment actions",
            {row[0]: int(row[3]) for row in tables["commitments"]},
            dict(figures["commitment"]),
        )
        rows = {row[1]: row for row in tables["parliaments"]}
        m.equal(
            surface,
            "parliaments",
            {
                iso2: (row[4], row[5], int(row[6]))
                for iso2, row in rows.items()
                if iso2 in PARLIAMENTS
            },
            {
                iso2: (_plan_cell(plan, status), REPORT_CELL[rep], n)
                for iso2, (plan, rep, n, status) in expected_rows.items()
                if iso2 in PARLIAMENTS
            },
        )
        m.equal(
            surface,
            "good practices",
            sorted(row[1] for row in tables["good_practices"]),
            sorted(title for _iso2, title in figures["good_practices"]),
        )
        m.equal(
            surface,
            "actions",
            sorted(
                (row[1], COMPLETION_KEYS[row[3]], TYPE_KEYS[row[2]]) for row in tables["actions"]
            ),
            sorted((a["title"], a["completion"], a["type"]) for a in expected.actions),
        )
    return files


def _plan_cell(adoption, status):
    if adoption == "none" and status:
        return str(PlanOfAction.Status(status).label)
    return PLAN_CELL[adoption]


def _start_worker(queue):
    worker = workers.worker(queue)
    lines = []
    threading.Thread(target=lambda: lines.extend(worker.stdout), daemon=True).start()
    return worker, lines


def _stop_worker(worker):
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _wait_for(reports, lines, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = {report.pk: Report.objects.get(pk=report.pk).status for report in reports}
        if all(status in ("succeeded", "failed") for status in statuses.values()):
            break
        time.sleep(0.2)
    for report in reports:
        report.refresh_from_db()
        assert report.status == "succeeded", (
            f"report {report} is {report.status} ({report.error}); worker log:\n"
            + "".join(lines[-30:])
        )


# --- The test ----------------------------------------------------------------------------


@pytest.fixture
def unthrottled(monkeypatch):
    """This test reads the API a few hundred times a minute; throttling is not its subject."""
    for throttle in (AnonThrottle, UserThrottle):
        monkeypatch.setattr(throttle, "allow_request", lambda self, request, view: True)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_every_surface_shows_the_figures_the_rows_give(
    reference_data, broker_url, shared_test_database, unthrottled
):
    from compact_tracker.celery import app

    queue = f"ct-consistency-{uuid.uuid4().hex[:8]}"
    worker, log = _start_worker(queue)  # it starts while the dataset is built
    eager, default_queue = app.conf.task_always_eager, app.conf.task_default_queue
    try:
        app.conf.task_always_eager = True  # the submission emails, in this process
        Generator(SEED).build()
        app.conf.task_always_eager = False
        app.conf.task_default_queue = queue  # the reports, built by the worker
        pagecache.bump()  # submission dates were set by queryset updates

        cycle = Cycle.objects.get(code=REPORT_CYCLE)
        internal_of = next(
            iso2
            for iso2 in PARLIAMENTS
            if Action.objects.drafts().filter(parliament__iso2=iso2, title__contains=DRAFT_MARK)
        )
        formats = ["json", "xlsx", "csv"]
        public_report, _created = services_report_request(cycle=cycle, formats=formats)
        internal_report, _created = services_report_request(
            cycle=cycle,
            formats=formats,
            scope="parliament",
            parliament=Parliament.objects.get(iso2=internal_of),
            internal=True,
        )

        published, drafts = Expected(published=True), Expected(published=False)
        m = Mismatches()
        anonymous, secretariat = Client(), Client()
        secretariat.force_login(make_user("secretariat.dashboards", "secretariat"))

        check_overview(m, anonymous, "/progress/", published)
        check_overview(m, secretariat, "/dashboard/", drafts, with_queue=True)
        check_secretariat_pages(m, secretariat, drafts)
        check_public_pages(m, anonymous, published)
        check_api(m, anonymous, published, "anonymous")
        check_api(m, secretariat, drafts, "secretariat")
        check_changes_feed(m, anonymous, published)

        _wait_for([public_report, internal_report], log)
        members = list(Parliament.objects.filter(is_ipu_member=True).values_list("iso2", flat=True))
        public_files = check_report(m, public_report, published, members)
        internal_drafts = Expected(published=False)
        internal_drafts.actions = [a for a in drafts.actions if a["iso2"] == internal_of]
        internal_drafts.figures = figures_of(
            internal_drafts.actions, dict(Parliament.objects.values_list("iso2", "region"))
        )
        internal_drafts.adoption = {k: v for k, v in drafts.adoption.items() if k == internal_of}
        check_report(m, internal_report, internal_drafts, [internal_of])

        # A draft edit made after the last acceptance is on no public surface, and on the
        # secretariat's.
        public_texts = {
            "public /actions/ CSV": anonymous.get("/actions/", {"_export": "csv"}).content,
            "API (anonymous) /api/v1/actions/": anonymous.get(
                "/api/v1/actions/", {"page_size": 500}
            ).content,
            "API /api/v1/changes/": anonymous.get("/api/v1/changes/", {"limit": 500}).content,
            "public cycle report JSON": public_files["json"],
            **{
                f"public /parliaments/{iso2}/": anonymous.get(f"/parliaments/{iso2}/").content
                for iso2 in PARLIAMENTS
            },
        }
        for surface, text in public_texts.items():
            if DRAFT_MARK.encode() in text:
                m.append(f"{surface} shows a draft edit made after acceptance ({DRAFT_MARK})")
        draft_titles = sorted(a["title"] for a in drafts.actions if DRAFT_MARK in a["title"])
        assert draft_titles, "the generator made no draft edit after acceptance"
        shown = secretariat.get("/api/v1/actions/", {"page_size": 500, "search": DRAFT_MARK})
        m.equal(
            "API (secretariat) /api/v1/actions/",
            "draft edits",
            sorted(r["title"] for r in shown.json()["results"]),
            draft_titles,
        )
        assert not m, f"{len(m)} disagreements:\n" + "\n".join(m)
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = eager, default_queue
        _stop_worker(worker)


def services_report_request(**kwargs):
    from reports import services as report_services

    options = {"actor": None, "scope": "global", "language": "en"}
    return report_services.report_request(**{**options, **kwargs})
