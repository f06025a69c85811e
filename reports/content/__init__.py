"""What a cycle report contains, as plain data: the one source for every format
(HTML/PDF, XLSX, CSV, JSON). Figures come from reports.selectors (SQL aggregation)."""

import hashlib
import json

from django.db.models import Case, CharField, Count, Max, Q, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.models import Commitment, Objective
from compact_tracker.countries import country_name, sort_key
from parliaments.models import Action, ActionType, Completion, PlanOfAction, Region
from reports import selectors

JSON_SCHEMA_VERSION = "1"
# Part of the data checksum: raise it when the files a report writes change (wording,
# layout) so that reports built before are not reused for the same data.
LAYOUT_VERSION = 2


def report_scope(report):
    return selectors.Scope(
        published=not report.internal,
        region=report.region or None,
        parliament=report.parliament,
    )


def data_checksum(report):
    """A fingerprint of the data a report would be built from: when it is unchanged, an
    earlier finished report can be reused."""
    scope = report_scope(report)
    actions = scope.actions().aggregate(n=Count("pk"), last=Max("updated_at"))
    updates = scope.progress_updates().aggregate(n=Count("pk"), last=Max("updated_at"))
    plans = (
        scope.current_plans()
        .filter(parliament__in=scope.parliaments())
        .aggregate(n=Count("pk"), last=Max("updated_at"))
    )
    submissions = report.cycle.submissions.filter(parliament__in=scope.parliaments()).aggregate(
        n=Count("pk"), last=Max("updated_at")
    )
    key = json.dumps(
        [
            report.cycle.code,
            report.scope,
            report.region,
            report.parliament_id,
            report.internal,
            report.language,
            actions,
            updates,
            plans,
            submissions,
            JSON_SCHEMA_VERSION,
            LAYOUT_VERSION,
        ],
        default=str,
    )
    return hashlib.sha256(key.encode()).hexdigest()


def _label(value, choices):
    return str(dict(choices).get(value, value or ""))


CHUNK_SIZE = 2000


class Rows:
    """A list too long to hold in memory (the actions annex, the good practices, an
    objective's action titles): each iteration reads the database again, in chunks of
    CHUNK_SIZE rows. `convert` turns a chunk of database rows into the report's items;
    `len()` is the number of items, counted beforehand in SQL."""

    def __init__(self, queryset, total, convert=list):
        self.queryset = queryset
        self.total = total
        self.convert = convert

    def __len__(self):
        return self.total

    def __iter__(self):
        chunk = []
        for row in self.queryset.iterator(chunk_size=CHUNK_SIZE):
            chunk.append(row)
            if len(chunk) == CHUNK_SIZE:
                yield from self.convert(chunk)
                chunk = []
        if chunk:
            yield from self.convert(chunk)

    def head(self, count):
        """The first `count` items, in one query."""
        return list(self.convert(list(self.queryset[:count]))) if count > 0 else []


def build(report, progress=lambda percent, stage: None):
    """The report's content as a dict (see JSON_SCHEMA). `progress(percent, stage)` is
    called as the sections are computed. The long lists (`actions`, `good_practices`,
    IMRF objectives' `action_titles`) are `Rows`: counted here, read when a format is
    written, so memory stays flat whatever the number of actions."""
    scope = report_scope(report)
    cycle = report.cycle
    deadline = selectors.plan_deadline()
    progress_cycle = cycle if cycle.kind != "plan" else None

    progress(10, _("Counting plans of action"))
    adoption = selectors.plan_adoption(scope, deadline)
    statuses = selectors.parliament_statuses(scope, deadline, progress_cycle)

    progress(15, _("Counting reports"))
    compliance = selectors.report_compliance(scope, cycle)
    by_region = {}
    for row in statuses:
        region = by_region.setdefault(row["region"], {"on_time": 0, "late": 0, "none": 0})
        region[row["adoption"]] += 1

    progress(20, _("Aggregating objectives"))
    objective_rows = (
        scope.actions()
        .values("objectives__number")
        .annotate(
            actions=Count("pk", distinct=True),
            parliaments=Count("parliament", distinct=True),
            complete=Count("pk", distinct=True, filter=Q(completion=Completion.COMPLETE)),
        )
        .order_by()
    )
    per_objective = {row["objectives__number"]: row for row in objective_rows}

    progress(25, _("Aggregating commitments"))
    commitment_rows = (
        scope.actions()
        .values("commitments__code")
        .annotate(
            actions=Count("pk", distinct=True), parliaments=Count("parliament", distinct=True)
        )
        .order_by()
    )
    per_commitment = {row["commitments__code"]: row for row in commitment_rows}
    per_parliament_actions = dict(
        scope.actions().values_list("parliament__iso2").annotate(n=Count("pk")).order_by()
    )

    progress(30, _("Listing actions"))
    order = action_order(scope)
    actions = action_rows(scope, sum(per_parliament_actions.values()), order)
    good_practices = good_practice_rows(scope, order)
    completion = selectors.completion_distribution(scope)
    types = selectors.type_distribution(scope)

    progress(35, _("Writing the report"))
    objectives = [
        {
            "number": objective.number,
            "title": objective.localized_title,
            "parliaments": per_objective.get(objective.number, {}).get("parliaments", 0),
            "actions": per_objective.get(objective.number, {}).get("actions", 0),
            "complete": per_objective.get(objective.number, {}).get("complete", 0),
            "action_titles": objective_title_rows(
                scope,
                objective.number,
                per_objective.get(objective.number, {}).get("actions", 0),
                order,
            )
            if cycle.kind == "imrf"
            else [],
        }
        for objective in Objective.objects.order_by("number")
    ]
    commitments = [
        {
            "code": commitment.code,
            "title": commitment.title,
            "parliaments": per_commitment.get(commitment.code, {}).get("parliaments", 0),
            "actions": per_commitment.get(commitment.code, {}).get("actions", 0),
        }
        for commitment in Commitment.objects.order_by("position")
    ]
    # Names in the report's language, in its alphabetical order.
    parliaments = [
        {
            "iso2": row["iso2"],
            "name": country_name(row["iso2"], row["name"]),
            "region": row["region"],
            "plan_status": row["plan_status"] or "",
            "plan_adopted_on": row["adopted_on"].isoformat() if row["adopted_on"] else None,
            "plan": row["adoption"],
            "report": row["report"],
            "actions": per_parliament_actions.get(row["iso2"], 0),
        }
        for row in statuses
    ]
    parliaments.sort(key=lambda p: (sort_key(p["name"]), p["iso2"]))
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "report": {
            "cycle": cycle.code,
            "cycle_title": cycle.localized_title,
            "due_date": cycle.due_date.isoformat(),
            "scope": report.scope,
            "scope_label": country_name(report.parliament.iso2, report.parliament.name)
            if report.parliament_id
            else str(report.scope_label),
            "internal": report.internal,
            "language": report.language,
            "version": report.version,
            "generated_at": timezone.now().isoformat(),
        },
        "summary": {
            "parliaments": len(parliaments),
            "plan_adoption": adoption,
            "report_compliance": compliance,
            "completion": {key: n for key, _l, n in completion},
            "action_types": {key: n for key, _l, n in types},
            "plan_deadline": deadline.isoformat(),
        },
        "adoption_by_region": [
            {"region": region, "region_label": _label(region, Region.choices), **counts}
            for region, counts in sorted(by_region.items())
        ],
        "parliaments": parliaments,
        "parliaments_without_plan": [p["name"] for p in parliaments if p["plan"] == "none"],
        "objectives": objectives,
        "commitments": commitments,
        "good_practices": good_practices,
        "actions": actions,
    }


def action_order(scope):
    """The order of every list of actions in a report: by the parliament's name in the
    report's language (as the parliaments table), then title (pk breaks ties). Names that
    sort differently from their stored English name get their key from a CASE."""
    whens = []
    for pk, iso2, name in scope.parliaments().values_list("pk", "iso2", "name"):
        key = sort_key(country_name(iso2, name))
        if key != name.lower():
            whens.append(When(parliament_id=pk, then=Value(key)))
    by_name = Lower("parliament__name")
    if whens:
        by_name = Case(*whens, default=by_name, output_field=CharField())
    return (by_name, "parliament_id", "title", "pk")


ACTION_FIELDS = (
    "pk",
    "parliament__iso2",
    "parliament__name",
    "title",
    "action_type",
    "completion",
    "instrument__code",
    "target_date",
    "is_good_practice",
)


def action_rows(scope, total, order):
    """The actions annex: one dict per action (see `_action`), read in chunks; each chunk
    fetches its actions' commitment codes and objective numbers in two queries."""
    queryset = scope.actions().order_by(*order).values_list(*ACTION_FIELDS)
    return Rows(queryset, total, _actions_chunk)


def good_practice_rows(scope, order):
    types = dict(ActionType.choices)
    queryset = (
        scope.actions()
        .filter(is_good_practice=True)
        .order_by(*order)
        .values_list("parliament__iso2", "parliament__name", "title", "action_type")
    )

    def convert(rows):
        return [
            {
                "parliament": country_name(iso2, name),
                "title": title,
                "type": str(types.get(kind, kind)),
            }
            for iso2, name, title, kind in rows
        ]

    return Rows(queryset, queryset.count(), convert)


def objective_title_rows(scope, number, total, order):
    """The "Parliament: title" of each action on objective `number` (IMRF cycles)."""
    queryset = (
        scope.actions()
        .filter(objectives__number=number)
        .order_by(*order)
        .values_list("parliament__iso2", "parliament__name", "title")
    )
    return Rows(
        queryset,
        total,
        lambda rows: [f"{country_name(iso2, name)}: {title}" for iso2, name, title in rows],
    )


def _codes_by_action(ids):
    """{action id: [commitment codes]} and {action id: [objective numbers]}, each list in
    the related model's own order (as `action.commitments.all()` gives them)."""
    commitments, objectives = {}, {}
    links = (
        Action.commitments.through.objects.filter(action_id__in=ids)
        .order_by(*(f"commitment__{field}" for field in Commitment._meta.ordering))
        .values_list("action_id", "commitment__code")
    )
    for action_id, code in links:
        commitments.setdefault(action_id, []).append(code)
    links = (
        Action.objectives.through.objects.filter(action_id__in=ids)
        .order_by(*(f"objective__{field}" for field in Objective._meta.ordering))
        .values_list("action_id", "objective__number")
    )
    for action_id, number in links:
        objectives.setdefault(action_id, []).append(number)
    return commitments, objectives


def _actions_chunk(rows):
    commitments, objectives = _codes_by_action([row[0] for row in rows])
    types, completions = dict(ActionType.choices), dict(Completion.choices)
    return [
        _action(row, commitments.get(row[0], []), objectives.get(row[0], []), types, completions)
        for row in rows
    ]


def _action(row, commitments, objectives, types, completions):
    pk, iso2, name, title, action_type, completion, instrument, target_date, good_practice = row
    return {
        "parliament": iso2,
        "parliament_name": country_name(iso2, name),
        "title": title,
        "type": action_type,
        "type_label": str(types.get(action_type, action_type)),
        "completion": completion,
        "completion_label": str(completions.get(completion, completion)),
        "commitments": commitments,
        "objectives": objectives,
        "instrument": instrument,
        "target_date": target_date.isoformat() if target_date else None,
        "good_practice": good_practice,
    }


STATUS = {"type": "string", "enum": ["on_time", "late", "none"]}
# Missing dates are null; present ones are ISO 8601 (YYYY-MM-DD).
DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
COUNTS = {
    "type": "object",
    "required": ["on_time", "late", "none"],
    "properties": {k: {"type": "integer", "minimum": 0} for k in ("on_time", "late", "none")},
}
JSON_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Compact Tracker cycle report",
    "type": "object",
    "required": [
        "schema_version",
        "report",
        "summary",
        "parliaments",
        "objectives",
        "commitments",
        "actions",
    ],
    "properties": {
        "schema_version": {"const": JSON_SCHEMA_VERSION},
        "report": {
            "type": "object",
            "required": ["cycle", "scope", "language", "version", "generated_at"],
            "properties": {
                "cycle": {"type": "string"},
                "scope": {"enum": ["global", "region", "parliament"]},
                "language": {"enum": ["en", "fr"]},
                "version": {"type": "integer", "minimum": 1},
                "internal": {"type": "boolean"},
                "generated_at": {"type": "string", "format": "date-time"},
            },
        },
        "summary": {
            "type": "object",
            "required": ["parliaments", "plan_adoption", "report_compliance", "completion"],
            "properties": {
                "parliaments": {"type": "integer", "minimum": 0},
                "plan_adoption": COUNTS,
                "report_compliance": COUNTS,
                "completion": {"type": "object", "additionalProperties": {"type": "integer"}},
            },
        },
        "parliaments": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["iso2", "name", "region", "plan", "report", "actions"],
                "properties": {
                    "iso2": {"type": "string", "pattern": "^([A-Z]{2}|X[0-9]{4})$"},
                    "name": {"type": "string", "description": "in the report's language"},
                    "region": {"enum": list(Region.values)},
                    "plan_status": {"enum": ["", *PlanOfAction.Status.values]},
                    "plan_adopted_on": DATE_OR_NULL,
                    "plan": STATUS,
                    "report": STATUS,
                    "actions": {"type": "integer", "minimum": 0},
                },
            },
        },
        "objectives": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["number", "title", "parliaments", "actions"],
                "properties": {"number": {"type": "integer", "minimum": 1, "maximum": 23}},
            },
        },
        "commitments": {
            "type": "array",
            "items": {"type": "object", "required": ["code", "actions"]},
        },
        "actions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "parliament",
                    "title",
                    "type",
                    "completion",
                    "commitments",
                    "objectives",
                ],
                "properties": {
                    "parliament": {"type": "string", "description": "ISO 3166 alpha-2"},
                    "parliament_name": {"type": "string"},
                    "type": {"enum": list(ActionType.values)},
                    "completion": {"enum": list(Completion.values)},
                    "instrument": {"type": ["string", "null"]},
                    "target_date": DATE_OR_NULL,
                    "good_practice": {"type": "boolean"},
                },
            },
        },
    },
}
