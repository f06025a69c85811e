"""A parliament's country profile: one document to hand to a committee chair. Its plan of
action, every action with its progress over all cycles (narratives and evidence), a
completion chart, the good practices and the submission history; from the published data,
or from the drafts ("internal", marked DRAFT on every page). Built by the worker like a
cycle report (reports.services), as PDF with the same content as HTML and JSON.

A parliament has tens of actions, not thousands: the content is read whole, in a fixed
number of queries."""

import datetime
import json

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.models import Commitment, Objective
from compact_tracker.countries import country_name
from parliaments.models import (
    Action,
    ActionType,
    Completion,
    Evidence,
    PlanOfAction,
    ProgressUpdate,
    Region,
    Submission,
    SubmissionEvent,
)
from reports import charts
from reports.content.actions import evidence_url
from reports.render import _long_date

SCHEMA_VERSION = "1"


def build(report, progress=lambda percent, stage: None):
    """The profile's content as a dict (also the JSON file)."""
    parliament = report.parliament
    published = not report.internal
    completions, types = dict(Completion.choices), dict(ActionType.choices)

    progress(10, _("Reading the plan of action"))
    plan = (
        PlanOfAction.objects.filter(
            parliament=parliament, is_published_copy=published, is_current=True
        )
        .order_by("-created_at")
        .first()
    )

    progress(20, _("Reading the actions and their progress"))
    updates = ProgressUpdate.objects.select_related("cycle").order_by("date", "created_at")
    actions = list(
        Action.objects.filter(parliament=parliament, is_published_copy=published)
        .select_related("instrument")
        .prefetch_related(
            Prefetch("commitments", queryset=Commitment.objects.order_by("position")),
            Prefetch("objectives", queryset=Objective.objects.order_by("number")),
            Prefetch("progress_updates", queryset=updates),
            Prefetch(
                "progress_updates__evidence", queryset=Evidence.objects.order_by("created_at")
            ),
        )
        .order_by("title", "pk")
    )
    action_items = [_action(a, completions, types, report.internal) for a in actions]

    progress(30, _("Reading the submission history"))
    submissions = (
        Submission.objects.filter(parliament=parliament)
        .select_related("cycle")
        .prefetch_related(Prefetch("events", queryset=SubmissionEvent.objects.order_by("at", "pk")))
        .order_by("cycle__due_date")
    )
    if published:  # who reported, and when, is public once accepted; the rest is not
        submissions = submissions.filter(status=Submission.Status.ACCEPTED)
    history = [_submission(s, published) for s in submissions]

    counts = dict.fromkeys(Completion.values, 0)
    for action in actions:
        counts[action.completion] += 1
    return {
        "schema_version": SCHEMA_VERSION,
        "report": {
            "kind": "profile",
            "parliament": parliament.iso2,
            "name": country_name(parliament.iso2, parliament.name),
            "region": parliament.region,
            "region_label": str(dict(Region.choices).get(parliament.region, "")),
            "internal": report.internal,
            "language": report.language,
            "version": report.version,
            "generated_at": timezone.now().isoformat(),
        },
        "plan": _plan(plan) if plan else None,
        "summary": {
            "actions": len(actions),
            "completion": counts,
            "good_practices": sum(1 for a in actions if a.is_good_practice),
            "progress_updates": sum(len(a["progress"]) for a in action_items),
            "reports_accepted": sum(
                1 for s in submissions if s.status == Submission.Status.ACCEPTED
            ),
        },
        "actions": action_items,
        "good_practices": [a for a in action_items if a["good_practice"]],
        "submissions": history,
    }


def _date(value):
    return value.isoformat() if value else None


def _plan(plan):
    return {
        "title": plan.title_in,
        "title_language": plan.language_shown("title"),
        "summary": plan.summary_in,
        "summary_language": plan.language_shown("summary"),
        "status": plan.status,
        "status_label": plan.get_status_display(),
        "adopted_on": _date(plan.adopted_on),
        "adopting_body": plan.get_adopting_body_display() if plan.adopting_body else "",
        "period_start": _date(plan.period_start),
        "period_end": _date(plan.period_end),
    }


def _action(action, completions, types, internal):
    return {
        "id": str(action.uid),
        "title": action.title_in,
        "title_language": action.language_shown("title"),
        "description": action.description_in,
        "description_language": action.language_shown("description"),
        "type": action.action_type,
        "type_label": str(types.get(action.action_type, action.action_type)),
        "commitments": [c.code for c in action.commitments.all()],
        "objectives": [o.number for o in action.objectives.all()],
        "instrument": action.instrument.code if action.instrument_id else None,
        "responsible_body": action.responsible_body,
        "target_date": _date(action.target_date),
        "completion": action.completion,
        "completion_label": str(completions.get(action.completion, action.completion)),
        "good_practice": action.is_good_practice,
        "progress": [
            {
                "date": update.date.isoformat(),
                "cycle": update.cycle.code,
                "cycle_title": update.cycle.localized_title,
                "completion": update.completion,
                "completion_label": str(completions.get(update.completion, update.completion)),
                "narrative": update.narrative_in,
                "narrative_language": update.language_shown("narrative"),
                "evidence": [_evidence(item, internal) for item in update.evidence.all()],
            }
            for update in action.progress_updates.all()
        ],
    }


def _evidence(item, internal):
    if item.file:
        return {
            "kind": "file",
            "title": item.title or item.original_name,
            "url": evidence_url(item.pk, True, item.is_public, internal),
            "public": item.is_public,
        }
    return {"kind": "link", "title": item.title or item.url, "url": item.url, "public": True}


def _submission(submission, published):
    events = [] if published else list(submission.events.all())
    return {
        "cycle": submission.cycle.code,
        "cycle_title": submission.cycle.localized_title,
        "due_date": _date(submission.cycle.due_date),
        "status": submission.status,
        "status_label": submission.get_status_display(),
        "first_submitted_at": _date(submission.first_submitted_at),
        "reviewed_at": _date(submission.reviewed_at),
        "events": [
            {"kind": e.kind, "kind_label": e.get_kind_display(), "at": e.at.isoformat()}
            for e in events
        ],
    }


# --- Writing ------------------------------------------------------------------------------


def _day(value):
    """An ISO date or date-time as the profile's language writes it ("18 June 2019")."""
    if not value:
        return ""
    return _long_date(datetime.datetime.fromisoformat(value).date())


def completion_svg(data):
    """The completion chart, drawn on the server (render.drawn_chart)."""
    from reports.render import drawn_chart

    completions = dict(Completion.choices)
    spec = charts.category_bar(
        [(k, str(completions[k]), n) for k, n in data["summary"]["completion"].items()],
        _("Actions by completion"),
        charts.COMPLETION_COLOURS,
    )
    # Drawn at a fixed width on paper: "pad" grows the canvas to fit the labels, where the
    # page's "fit" would cut the longest one.
    spec = {**spec, "width": 380, "autosize": {"type": "pad"}}
    # Measured in the font the PDF draws it with, so that no label overflows.
    spec["config"] = {**spec.get("config", {}), "font": "DejaVu Sans"}
    return drawn_chart(spec)


def to_html(data, *, for_pdf=False, svg=""):
    plan = data["plan"]
    for action in data["actions"]:
        action["target_date_text"] = _day(action["target_date"])
        for update in action["progress"]:
            update["date_text"] = _day(update["date"])
    for submission in data["submissions"]:
        submission["due_text"] = _day(submission["due_date"])
        submission["submitted_text"] = _day(submission["first_submitted_at"])
        submission["reviewed_text"] = _day(submission["reviewed_at"])
        for event in submission["events"]:
            event["at_text"] = _day(event["at"])
    return render_to_string(
        "reports/profile_document.html",
        {
            "data": data,
            "plan": plan,
            "plan_adopted": _day(plan["adopted_on"]) if plan else "",
            "plan_period": (
                f"{_day(plan['period_start'])} – {_day(plan['period_end'])}"
                if plan and plan["period_start"] and plan["period_end"]
                else ""
            ),
            "generated_on": _day(data["report"]["generated_at"]),
            "completion_rows": [
                (str(dict(Completion.choices)[key]), count)
                for key, count in data["summary"]["completion"].items()
            ],
            "for_pdf": for_pdf,
            "svg": svg,
        },
    )


def write_json(data, path, progress=None):
    with open(path, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=2)


def write_html(data, path, progress=None):
    with open(path, "w", encoding="utf-8") as out:
        out.write(to_html(data))


def write_pdf(data, path, progress=None):
    from weasyprint import HTML

    progress = progress or (lambda fraction: None)
    html = to_html(data, for_pdf=True, svg=completion_svg(data))
    progress(0.3)
    HTML(string=html).write_pdf(path)


WRITERS = {"pdf": write_pdf, "html": write_html, "json": write_json}
