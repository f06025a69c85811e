"""What a cycle report contains, as plain data: the one source for every format
(HTML/PDF, XLSX, CSV, JSON). Figures come from reports.selectors (SQL aggregation)."""

import hashlib
import json

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.models import Commitment, Objective, ObjectiveSdgTarget
from compact_tracker.countries import country_name, sort_key
from parliaments.models import Completion, Evidence, Ratification, Region, Submission
from reports import selectors
from reports.content.actions import (
    action_order,
    action_rows,
    good_practice_rows,
    objective_title_rows,
    progress_rows,
)
from reports.content.ratifications import objective_sdg_targets, ratifications_since_rabat
from reports.content.rows import CHUNK_SIZE, Rows
from reports.content.schema import JSON_SCHEMA, JSON_SCHEMA_VERSION

__all__ = ["CHUNK_SIZE", "JSON_SCHEMA", "JSON_SCHEMA_VERSION", "Rows", "build", "data_checksum"]

# Part of the data checksum: raise it when the files a report writes change (wording,
# layout) so that reports built before are not reused for the same data.
LAYOUT_VERSION = 6


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
    evidence = Evidence.objects.filter(progress_update__in=scope.progress_updates()).aggregate(
        n=Count("pk"), last=Max("updated_at")
    )
    plans = (
        scope.current_plans()
        .filter(parliament__in=scope.parliaments())
        .aggregate(n=Count("pk"), last=Max("updated_at"))
    )
    submissions = Submission.objects.filter(parliament__in=scope.parliaments())
    if report.cycle_id:
        submissions = submissions.filter(cycle=report.cycle)
    submissions = submissions.aggregate(n=Count("pk"), last=Max("updated_at"))
    # Rabat §7(a) statuses and the objectives' SDG links are in the report too.
    statuses = Ratification.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    sdg_links = list(ObjectiveSdgTarget.objects.values_list("objective_id", "target_id", "basis"))
    key = json.dumps(
        [
            report.kind,
            report.code,
            report.scope,
            report.region,
            report.parliament_id,
            report.internal,
            report.language,
            actions,
            updates,
            evidence,
            plans,
            submissions,
            statuses,
            sorted(sdg_links),
            JSON_SCHEMA_VERSION,
            LAYOUT_VERSION,
        ],
        default=str,
    )
    return hashlib.sha256(key.encode()).hexdigest()


def _label(value, choices):
    return str(dict(choices).get(value, value or ""))


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
    actions = action_rows(scope, sum(per_parliament_actions.values()), order, cycle)
    progress_narratives = progress_rows(scope, order, cycle, report.internal)
    good_practices = good_practice_rows(scope, order)
    completion = selectors.completion_distribution(scope)
    types = selectors.type_distribution(scope)

    progress(33, _("Counting ratifications since Rabat"))
    ratifications = ratifications_since_rabat(scope) if cycle.kind != "plan" else None
    sdg_targets = objective_sdg_targets()

    progress(35, _("Writing the report"))
    objectives = [
        {
            "number": objective.number,
            "title": objective.localized_title,
            "parliaments": per_objective.get(objective.number, {}).get("parliaments", 0),
            "actions": per_objective.get(objective.number, {}).get("actions", 0),
            "complete": per_objective.get(objective.number, {}).get("complete", 0),
            "sdg_targets": sdg_targets.get(objective.number, []),
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
            "title": commitment.localized_title,
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
    content = {
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
        "progress": progress_narratives,
    }
    if ratifications is not None:
        content["ratifications_since_rabat"] = ratifications
    return content
