"""Scale data for benchmarks and load tests: every IPU member parliament, then synthetic ones
past them, each with a plan of action, its actions and their progress over the four cycles,
submissions in every state, and the published copies an accepted submission makes.

Deterministic for a given seed (identifiers included), written with bulk inserts inside one
transaction, in chunks of parliaments so memory stays flat at any scale. Fictional content.
History rows and notification emails are not produced: nobody edited this data by hand.
"""

import datetime
import io
import json
import random
import time
import uuid
from dataclasses import dataclass, field

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from commitments.models import Commitment, Cycle, Instrument, Objective
from parliaments.demo import ACTION_TEMPLATES, COMMITTEES, CYCLE_CODES, LEVELS, PROGRESS_TEXT
from parliaments.models import (
    Action,
    Completion,
    Evidence,
    Parliament,
    PlanOfAction,
    ProgressUpdate,
    PublicationChange,
    Ratification,
    Region,
    Submission,
    SubmissionComment,
    SubmissionEvent,
)

# When progress reported for each cycle was dated: from the previous deadline to this one.
CYCLE_WINDOWS = {
    "2019-plan": (datetime.date(2019, 1, 7), datetime.date(2019, 12, 31)),
    "2021-progress": (datetime.date(2020, 1, 1), datetime.date(2021, 12, 31)),
    "2022-imrf": (datetime.date(2022, 1, 1), datetime.date(2022, 5, 1)),
    "2026-imrf": (datetime.date(2022, 5, 2), datetime.date(2026, 5, 1)),
}
PLAN_STATUSES = (("adopted", 55), ("under_revision", 10), ("drafting", 28), ("not_started", 7))
# Final submission state per cycle: (accepted, returned, submitted, draft, none). Older
# cycles are mostly settled; the current one is mostly in flight.
SUBMISSION_STATES = {
    "2019-plan": (70, 7, 6, 5, 12),
    "2021-progress": (55, 10, 8, 7, 20),
    "2022-imrf": (45, 8, 7, 10, 30),
    "2026-imrf": (20, 10, 20, 15, 35),
}
STATES = ("accepted", "returned", "submitted", "draft", None)
# Synthetic parliaments' treaty statuses (None: unknown, no row), as of a fictional list.
RATIFICATION_STATUSES = ("party", "not_party", "signatory", None)
RATIFICATION_WEIGHTS = (45, 25, 5, 25)
SCALE_LISTS_AS_OF = datetime.date(2024, 1, 1)
# How often each demo action template is used: oversight and legislation dominate real
# plans; ratifications of a given instrument are rarer.
TEMPLATE_WEIGHTS = (10, 4, 8, 6, 7, 6, 8, 5, 7, 3, 6, 5, 4, 5, 2, 3)
# Objectives parliaments act on most, most popular first: a few dominate (Zipf-like).
OBJECTIVE_POPULARITY = (
    23,
    7,
    6,
    16,
    1,
    10,
    5,
    17,
    15,
    9,
    2,
    13,
    19,
    11,
    3,
    4,
    8,
    12,
    14,
    18,
    20,
    21,
    22,
)
CHUNK = 100  # parliaments written per round of bulk inserts
BATCH = 2000  # rows per INSERT statement


def _copy_value(value):
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value)
    elif isinstance(value, datetime.date):  # dates and datetimes
        return value.isoformat()
    value = str(value)
    if any(c in value for c in "\\\t\n\r"):
        value = (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _copy(model, rows, now):
    """COPY `rows` (model instances) into the model's table, ids taken from its sequence."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
        getters = []
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                getters.append(lambda row, name=field.attname: getattr(row, name, None) or now)
            else:
                getters.append(lambda row, name=field.attname: getattr(row, name))
        lines = [
            "\t".join([str(row.pk)] + [_copy_value(get(row)) for get in getters]) for row in rows
        ]
        columns = ", ".join(
            connection.ops.quote_name(c) for c in [meta.pk.column] + [f.column for f in fields]
        )
        cursor.copy_expert(
            f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN",
            io.StringIO("\n".join(lines) + "\n"),
        )
        for row in rows:
            row._state.adding = False
            row._state.db = connection.alias


class ScaleDataError(Exception):
    """The generator cannot run here (e.g. the database already holds workspace data)."""


@dataclass
class ScaleResult:
    rows: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self):
        return sum(self.rows.values())

    @property
    def rows_per_second(self):
        return self.total / self.seconds if self.seconds else 0.0


def synthetic_code(number):
    return f"X{number:04d}"


def generate(*, parliaments, actions_per_plan, updates_per_action, seed, progress=None):
    """Write the data; returns the rows written per table and the time taken."""
    if parliaments < 1 or actions_per_plan < 0 or updates_per_action < 0:
        raise ScaleDataError("--parliaments must be at least 1; the other counts at least 0.")
    if parliaments > 9999 + 180:
        raise ScaleDataError("At most 10,179 parliaments (180 real, 9,999 synthetic).")
    started = time.perf_counter()
    if not Objective.objects.exists() or not Parliament.objects.exists():
        call_command("load_reference_data", stdout=io.StringIO())
    occupied = [
        (model._meta.verbose_name_plural, model.objects.count())
        for model in (PlanOfAction, Action, ProgressUpdate, Submission)
    ]
    occupied = [f"{n} {name}" for name, n in occupied if n]
    if occupied:
        raise ScaleDataError(
            "The database already holds " + ", ".join(occupied) + "; generate into an empty "
            "workspace (a new database, or manage.py flush then load_reference_data)."
        )
    result = ScaleResult()
    with transaction.atomic():
        rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
        writer = _Writer(rng, actions_per_plan, updates_per_action, result)
        chosen = writer.parliaments(parliaments)
        for start in range(0, len(chosen), CHUNK):
            writer.chunk(chosen[start : start + CHUNK])
            if progress:
                progress(min(start + CHUNK, len(chosen)), len(chosen))
    from compact_tracker import pagecache
    from reports.figures import figures_rebuild

    figures_rebuild()  # COPY sends no signals: the dashboards' figures, in a few queries

    pagecache.changed()  # bulk inserts send no signals: every cached page is stale
    result.seconds = time.perf_counter() - started
    return result


class _Writer:
    def __init__(self, rng, actions_per_plan, updates_per_action, result):
        self.rng = rng
        self.actions_per_plan = actions_per_plan
        self.updates_per_action = updates_per_action
        self.result = result
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.cycles = [Cycle.objects.get(code=code) for code in CYCLE_CODES]
        self.commitments = Commitment.objects.in_bulk(field_name="code")
        self.commitment_order = list(
            Commitment.objects.order_by("position").values_list("code", flat=True)
        )
        self.objectives = Objective.objects.in_bulk(field_name="number")
        self.instruments = Instrument.objects.in_bulk(field_name="code")
        self.action_objectives = Action.objectives.through
        self.action_commitments = Action.commitments.through

    # --- helpers ---------------------------------------------------------------------------

    def uid(self):
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def weighted(self, choices, weights):
        return self.rng.choices(choices, weights=weights)[0]

    def zipf(self, items):
        return self.weighted(items, [1 / (rank + 1) for rank in range(len(items))])

    def date_between(self, first, last):
        last = min(last, self.today)
        if last <= first:
            return last
        return first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))

    def insert(self, model, rows):
        """Bulk insert, setting each row's primary key: PostgreSQL's COPY where available
        (several times faster than INSERT … VALUES for large batches), bulk_create elsewhere."""
        if rows:
            if connection.vendor == "postgresql":
                _copy(model, rows, self.now)
            else:
                model.objects.bulk_create(rows, batch_size=BATCH)
            label = model._meta.db_table
            self.result.rows[label] = self.result.rows.get(label, 0) + len(rows)
        return rows

    # --- parliaments ----------------------------------------------------------------------

    def parliaments(self, count):
        real = list(Parliament.objects.filter(is_ipu_member=True).exclude(iso2__startswith="X"))
        real.sort(key=lambda parliament: parliament.iso2)
        if count <= len(real):
            return real[:count]
        regions = [parliament.region for parliament in real] or Region.values
        wanted = [synthetic_code(n) for n in range(1, count - len(real) + 1)]
        existing = set(Parliament.objects.filter(iso2__in=wanted).values_list("iso2", flat=True))
        self.insert(
            Parliament,
            [
                Parliament(
                    name=f"Synthetic parliament {code}",
                    iso2=code,
                    iso3=code,
                    region=self.rng.choice(regions),
                    structure=self.weighted(["unicameral", "bicameral"], [6, 4]),
                    is_ipu_member=True,
                )
                for code in wanted
                if code not in existing
            ],
        )
        synthetic = list(Parliament.objects.filter(iso2__in=wanted).order_by("iso2"))
        return real + synthetic

    # --- one chunk of parliaments ---------------------------------------------------------

    def chunk(self, parliaments):
        rng = self.rng
        plans, actions, links, updates, evidence = [], [], [], [], []
        submissions, accepted_due = [], {}
        for parliament in parliaments:
            status = self.weighted(*zip(*PLAN_STATUSES, strict=True))
            adopted_on = None
            if status in ("adopted", "under_revision"):
                if rng.random() < 0.6:
                    adopted_on = self.date_between(
                        datetime.date(2019, 3, 1), CYCLE_WINDOWS["2019-plan"][1]
                    )
                else:
                    adopted_on = self.date_between(
                        datetime.date(2020, 1, 1), datetime.date(2025, 12, 31)
                    )
            plan = PlanOfAction(
                uid=self.uid(),
                parliament=parliament,
                title=f"Parliamentary plan of action on migration of {parliament.name}",
                summary="How the parliament uses its legislative, budgetary and oversight powers "
                "to implement the Global Compact, following the Rabat outcome document.",
                status=status,
                adopted_on=adopted_on,
                adopting_body=self.weighted(["plenary", "committee", "bureau"], [6, 3, 1])
                if adopted_on
                else "",
                period_start=datetime.date(adopted_on.year + 1, 1, 1) if adopted_on else None,
                period_end=datetime.date(adopted_on.year + 4, 12, 31) if adopted_on else None,
                is_current=True,
                version=rng.randint(1, 4),
            )
            plans.append(plan)
            for number in range(self.actions_per_plan):
                actions.append(self.action(parliament, plan, number, links, updates, evidence))
            states = self.submissions(parliament, status, submissions)
            accepted = [
                cycle
                for cycle, state in zip(self.cycles, states, strict=True)
                if state == "accepted"
            ]
            if accepted:
                accepted_due[parliament.pk] = accepted[-1]

        self.mark_published(plans, actions, updates, evidence, accepted_due)
        self.insert(PlanOfAction, plans)
        for action in actions:
            action.plan_id = action.plan.pk
        self.insert(Action, actions)
        self.insert(
            self.action_objectives,
            [self.action_objectives(action_id=a.pk, objective_id=o) for a, o, _c in links if o],
        )
        self.insert(
            self.action_commitments,
            [self.action_commitments(action_id=a.pk, commitment_id=c) for a, _o, c in links if c],
        )
        for update in updates:
            update.action_id = update.action.pk
        self.insert(ProgressUpdate, updates)
        for item in evidence:
            item.progress_update_id = item.progress_update.pk
        self.insert(Evidence, evidence)
        self.insert(Submission, submissions)
        self.insert(SubmissionEvent, [e for s in submissions for e in submission_events(s)])
        current = {plan.parliament_id: plan for plan in plans}
        self.insert(
            SubmissionComment,
            [
                SubmissionComment(
                    submission=submission,
                    round=submission.round,
                    plan=current[submission.parliament_id],
                    body="Add the period the plan covers and evidence for completed actions.",
                )
                for submission in submissions
                if submission.status == "returned"
            ],
        )
        self.publish(plans, actions, links, updates, evidence, accepted_due)
        self.insert(Ratification, self.ratifications(parliaments))

    def ratifications(self, parliaments):
        """Rabat §7(a) statuses of the synthetic parliaments, for every instrument (the real
        ones keep the reference lists): most party or not party, some signatory, a quarter
        unknown (no row), so the matrix is as wide as the instruments at any scale."""
        rows = []
        synthetic = [p for p in parliaments if p.iso2.startswith("X")]
        # A synthetic parliament kept from an earlier run keeps its statuses.
        known = set(
            Ratification.objects.filter(parliament__in=synthetic).values_list(
                "parliament_id", flat=True
            )
        )
        for parliament in synthetic:
            if parliament.pk in known:
                continue
            for instrument in self.instruments.values():
                status = self.weighted(RATIFICATION_STATUSES, RATIFICATION_WEIGHTS)
                if status is None:
                    continue
                dated = status in ("party", "signatory")
                rows.append(
                    Ratification(
                        uid=self.uid(),
                        parliament=parliament,
                        instrument=instrument,
                        status=status,
                        date=self.date_between(datetime.date(1960, 1, 1), SCALE_LISTS_AS_OF)
                        if dated
                        else None,
                        date_kind=("ratification" if status == "party" else "signature")
                        if dated
                        else "",
                        source="https://example.org/scale-data",
                        as_of=SCALE_LISTS_AS_OF,
                        quality=Ratification.Quality.SECONDARY,
                    )
                )
        return rows

    def action(self, parliament, plan, number, links, updates, evidence):
        rng = self.rng
        title, action_type, codes, numbers, instrument = self.weighted(
            ACTION_TEMPLATES, TEMPLATE_WEIGHTS
        )
        objectives = list(numbers)
        if rng.random() < 0.45:
            objectives.append(self.zipf(OBJECTIVE_POPULARITY))
        codes = list(codes)
        if rng.random() < 0.25:
            codes.append(self.zipf(self.commitment_order))
        start = self.date_between(datetime.date(2019, 1, 1), datetime.date(2022, 12, 1))
        action = Action(
            uid=self.uid(),
            parliament=parliament,
            plan=plan,
            title=title if number < 16 else f"{title} (phase {number // 16 + 1})",
            description="Led by the committee responsible for migration, with the ministry "
            "concerned and civil-society organisations.",
            action_type=action_type,
            instrument=self.instruments.get(instrument) if instrument else None,
            responsible_body=rng.choice(COMMITTEES),
            start_date=start,
            target_date=start + datetime.timedelta(days=365 * rng.randint(1, 3)),
            is_good_practice=rng.random() < 0.03,
            version=rng.randint(1, 3),
        )
        for objective in dict.fromkeys(objectives):
            links.append((action, self.objectives[objective].pk, None))
        for code in dict.fromkeys(codes):
            links.append((action, None, self.commitments[code].pk))
        # Progress moves forward over the cycles; a few actions end withdrawn.
        level = 0
        count = self.updates_per_action
        for index in range(count):
            cycle = self.cycles[min(3, int((index + rng.random()) * 4 / count))]
            first, last = CYCLE_WINDOWS[cycle.code]
            if rng.random() < 0.55:
                level = min(3, level + 1)
            completion = LEVELS[level]
            if index == count - 1 and rng.random() < 0.03:
                completion = Completion.WITHDRAWN
            update = ProgressUpdate(
                uid=self.uid(),
                action=action,
                parliament=parliament,
                date=self.date_between(first, last),
                cycle=cycle,
                completion=completion,
                narrative=PROGRESS_TEXT.get(
                    completion, "Withdrawn: the government withdrew the bill."
                ),
            )
            updates.append(update)
            if rng.random() < 0.2:
                evidence.append(
                    Evidence(
                        uid=self.uid(),
                        progress_update=update,
                        title="Committee report",
                        url=f"https://example.org/reports/{update.uid}",
                    )
                )
            action.completion = completion
        return action

    def submissions(self, parliament, plan_status, rows):
        """One row per cycle the parliament answered or opened; returns each cycle's state."""
        rng = self.rng
        states = []
        for cycle in self.cycles:
            state = None
            if plan_status != "not_started":
                state = self.weighted(STATES, SUBMISSION_STATES[cycle.code])
            states.append(state)
            if state is None:
                continue
            submission = Submission(parliament=parliament, cycle=cycle, status=state)
            if state != "draft":
                due = datetime.datetime.combine(
                    cycle.due_date, datetime.time(10), tzinfo=datetime.UTC
                )
                offset = rng.randint(-120, -1) if rng.random() < 0.7 else rng.randint(1, 150)
                first = min(due + datetime.timedelta(days=offset), self.now)
                submission.first_submitted_at = first
                submission.round = rng.choice([1, 1, 1, 2])
                submission.submitted_at = min(
                    first + datetime.timedelta(days=30 * (submission.round - 1)), self.now
                )
                submission.summary = {"plan": None, "actions": [], "progress_updates": 0}
                if state in ("accepted", "returned"):
                    submission.reviewed_at = min(
                        submission.submitted_at + datetime.timedelta(days=rng.randint(3, 40)),
                        self.now,
                    )
                if state == "returned":
                    submission.review_comment = "Please add evidence for the completed actions."
            rows.append(submission)
        return states

    # --- published copies -----------------------------------------------------------------

    def mark_published(self, plans, actions, updates, evidence, accepted_due):
        """Drafts covered by the parliament's latest accepted submission carry the time and
        version of their publication; a share was edited since, so their copy is older."""
        for draft in [*plans, *actions, *updates, *evidence]:
            parliament_id = (
                draft.progress_update.parliament_id
                if isinstance(draft, Evidence)
                else draft.parliament_id
            )
            cycle = accepted_due.get(parliament_id)
            if cycle is None:
                continue
            if isinstance(draft, Evidence):
                if not draft.progress_update.published_at:
                    continue
            elif isinstance(draft, ProgressUpdate) and draft.cycle.due_date > cycle.due_date:
                continue
            draft.published_at = self.now
            draft.published_version = draft.version
            if draft.version > 1 and self.rng.random() < 0.15:
                draft.published_version = draft.version - 1

    def publish(self, plans, actions, links, updates, evidence, accepted_due):
        """What accepting each parliament's latest accepted submission published: copies of
        the plan, its actions, and progress (with evidence) up to that cycle."""
        now = self.now

        def copy(draft, **changes):
            values = {
                f.attname: getattr(draft, f.attname)
                for f in type(draft)._meta.concrete_fields
                if f.attname not in ("id",)
            }
            values.update(
                is_published_copy=True,
                version=draft.published_version,
                published_version=draft.published_version,
                **changes,
            )
            return type(draft)(**values)

        published_plans = {plan.pk: copy(plan) for plan in plans if plan.published_at}
        self.insert(PlanOfAction, list(published_plans.values()))
        published_actions = {
            action.pk: copy(action, plan_id=published_plans[action.plan_id].pk)
            for action in actions
            if action.published_at
        }
        self.insert(Action, list(published_actions.values()))
        self.insert(
            self.action_objectives,
            [
                self.action_objectives(action_id=published_actions[a.pk].pk, objective_id=o)
                for a, o, _c in links
                if o and a.pk in published_actions
            ],
        )
        self.insert(
            self.action_commitments,
            [
                self.action_commitments(action_id=published_actions[a.pk].pk, commitment_id=c)
                for a, _o, c in links
                if c and a.pk in published_actions
            ],
        )
        published_updates = {
            update.pk: copy(update, action_id=published_actions[update.action_id].pk)
            for update in updates
            if update.published_at
        }
        self.insert(ProgressUpdate, list(published_updates.values()))
        self.insert(
            Evidence,
            [
                copy(item, progress_update_id=published_updates[item.progress_update_id].pk)
                for item in evidence
                if item.progress_update_id in published_updates
            ],
        )
        self.insert(
            PublicationChange,
            [
                PublicationChange(
                    kind=kind,
                    uid=row.uid,
                    parliament_id=row.parliament_id,
                    operation="upsert",
                    at=now,
                )
                for kind, rows in (
                    ("plan", published_plans.values()),
                    ("action", published_actions.values()),
                    ("progress_update", published_updates.values()),
                )
                for row in rows
            ],
        )


def submission_events(submission):
    """The event log of a generated submission: its first submission, a resubmission when
    it is in its second round, and the review (no actors: nobody in the scale data)."""
    if submission.status == "draft":
        return []
    Kind = SubmissionEvent.Kind
    events = [
        SubmissionEvent(
            submission=submission, kind=Kind.SUBMITTED, round=1, at=submission.first_submitted_at
        )
    ]
    if submission.round > 1:
        events.append(
            SubmissionEvent(
                submission=submission,
                kind=Kind.RESUBMITTED,
                round=submission.round,
                at=submission.submitted_at,
            )
        )
    if submission.status in ("accepted", "returned"):
        events.append(
            SubmissionEvent(
                submission=submission,
                kind=submission.status,
                round=submission.round,
                at=submission.reviewed_at,
                text=submission.review_comment,
            )
        )
    return events
