"""Dashboards of one GCM objective, one Rabat commitment and one parliament."""

import json

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from commitments.models import Commitment, Objective
from parliaments import selectors as parliament_selectors
from parliaments.models import Parliament, SubmissionEvent, country_name_sql
from parliaments.ratifications.selectors import joined_since_rabat
from reports import charts, selectors
from reports.views.base import COMPLETION_LABELS, DashboardView, Table, dashboard_filter


def _acting_parts(scope, axis, column, actions):
    """Per parliament and completion of the actions on one objective or commitment
    (`actions`), with their good practices (shared by the objective and commitment pages)."""
    per_parliament, completion = selectors.acting_on(scope, axis, column)
    good_practices = actions.filter(is_good_practice=True)
    first = selectors.good_practices_first(scope, axis, column, GOOD_PRACTICES_SHOWN)
    if first is None:
        count = selectors.good_practice_count(scope, axis, column, actions)
    else:
        # Only the parliaments that hold the first ones: not a sort of every good practice.
        parliaments, count = first
        good_practices = good_practices.filter(parliament_id__in=parliaments)
    return {
        "per_parliament": per_parliament,
        "completion": completion,
        "good_practices": list(
            good_practices.select_related("parliament").order_by(
                Parliament.by_name("parliament__"), "title"
            )[:GOOD_PRACTICES_SHOWN]
        ),
        "good_practice_count": count,
        "charts": {
            "completion": json.dumps(
                charts.category_bar(
                    completion, _("Completion of the actions"), charts.COMPLETION_COLOURS
                )
            )
        },
        "tables": [
            Table(
                "parliaments",
                _("Parliaments acting on it"),
                [_("Parliament"), "ISO", _("Actions"), _("Best completion")],
                per_parliament,
            ),
            Table(
                "completion",
                _("Completion of the actions"),
                [_("Completion"), _("Actions")],
                [(label, n) for _v, label, n in completion],
            ),
        ],
    }


# Good practices listed on an objective's or a commitment's page (all are in the action
# list filtered to good practices).
GOOD_PRACTICES_SHOWN = 50


class ObjectiveView(DashboardView):
    template_name = "reports/objective.html"
    part_names = ("per_parliament", "completion", "good_practices", "good_practice_count")
    part_names += ("charts", "tables")

    def get_context_data(self, **kwargs):
        objective = get_object_or_404(Objective, number=self.kwargs["number"])
        filterset = dashboard_filter(self.request)
        scope = selectors.Scope(**filterset.scope_kwargs())
        context = self.with_parts(self.base_context(scope))
        context.update(filter=filterset, objective=objective)
        return super().get_context_data(**context, **kwargs)

    def parts(self, context):
        scope, objective = context["scope"], context["objective"]
        actions = scope.actions().filter(objectives=objective)
        parts = _acting_parts(scope, "objective", objective.number, actions)
        acting = {iso2 for _name, iso2, _n, _best in parts["per_parliament"]}
        statuses = [
            {
                "iso2": iso2,
                "iso_numeric": iso_numeric,
                "name": name,
                "acting": "yes" if iso2 in acting else "no",
            }
            for iso2, iso_numeric, name in scope.parliaments()
            .annotate(shown_name=country_name_sql())
            .order_by(Parliament.by_name())
            .values_list("iso2", "iso_numeric", "shown_name")
        ]
        legend = {
            "yes": (_("Acts on this objective"), "#1f6fb2"),
            "no": (_("No action yet"), "#c9ced3"),
        }
        parts["charts"]["map"] = json.dumps(
            charts.world_map(
                statuses,
                "acting",
                legend,
                _("Parliaments acting on it"),
                link=_parliament_dashboard_link(),
            )
        )
        return parts


def _parliament_dashboard_link():
    base = reverse("reports:parliament", args=["XX"])
    return lambda row: base.replace("XX", row["iso2"])


class CommitmentView(DashboardView):
    template_name = "reports/commitment.html"
    part_names = ("per_parliament", "completion", "good_practices", "good_practice_count")
    part_names += ("ratifications", "joined", "charts", "tables")

    def get_context_data(self, **kwargs):
        commitment = get_object_or_404(Commitment, code=self.kwargs["code"])
        filterset = dashboard_filter(self.request)
        scope = selectors.Scope(**filterset.scope_kwargs())
        context = self.with_parts(self.base_context(scope))
        context.update(filter=filterset, commitment=commitment)
        return super().get_context_data(**context, **kwargs)

    def parts(self, context):
        scope, commitment = context["scope"], context["commitment"]
        actions = scope.actions().filter(commitments=commitment)
        parts = _acting_parts(scope, "commitment", commitment.code, actions)
        parts["ratifications"] = [
            (name, iso2, code, COMPLETION_LABELS.get(level), n)
            for name, iso2, code, level, n in selectors.ratifications_for(scope, commitment)
        ]
        parts["tables"].append(
            Table(
                "ratifications",
                _("Ratification actions by instrument"),
                [_("Parliament"), "ISO", _("Instrument"), _("Completion"), _("Actions")],
                parts["ratifications"],
            )
        )
        # The states that became party since Rabat, and the parliament action each change
        # is credited to (Rabat §7(a)).
        parts["joined"] = joined_since_rabat(
            parliaments=scope.parliaments(),
            instruments=commitment.instruments.all(),
            published=scope.published,
        )
        parts["tables"].append(joined_table(parts["joined"]))
        return parts


def joined_table(joined):
    return Table(
        "joined",
        _("States that joined since Rabat"),
        [_("State"), "ISO", _("Instrument"), _("Date"), _("What the date is")]
        + [_("Credited action"), _("Source")],
        [
            (
                row["name"],
                row["iso2"],
                row["instrument"],
                str(row["date"].year) if row["year_only"] else row["date"],
                row["kind"],
                row["action_title"],
                row["source"],
            )
            for row in joined
        ],
    )


class ParliamentView(DashboardView):
    """One parliament's plan, actions and review history (drafts included)."""

    template_name = "reports/parliament.html"
    part_names = ("plan", "actions", "history", "completion", "charts", "tables")

    def get_context_data(self, **kwargs):
        parliament = get_object_or_404(Parliament, iso2=self.kwargs["iso2"].upper())
        context = self.with_parts(self.base_context(selectors.Scope(parliament=parliament)))
        context["parliament"] = parliament
        return super().get_context_data(**context, **kwargs)

    def parts(self, context):
        scope, parliament = context["scope"], context["parliament"]
        plan = parliament_selectors.current_plan(parliament)
        actions = list(scope.actions().order_by("title"))
        history = list(
            SubmissionEvent.objects.filter(submission__parliament=parliament)
            .select_related("submission__cycle", "actor")
            .order_by("-at", "-id")[:50]
        )
        completion = selectors.completion_distribution(scope)
        return {
            "plan": plan,
            "actions": actions,
            "history": history,
            "completion": completion,
            "charts": {
                "completion": json.dumps(
                    charts.category_bar(
                        completion, _("Completion of the actions"), charts.COMPLETION_COLOURS
                    )
                )
            },
            "tables": [
                Table(
                    "actions",
                    _("Actions"),
                    [_("Action"), _("Type"), _("Completion"), _("Good practice")],
                    [
                        (
                            a.title,
                            a.get_action_type_display(),
                            a.get_completion_display(),
                            a.is_good_practice,
                        )
                        for a in actions
                    ],
                ),
                Table(
                    "submissions",
                    _("Submissions and reviews"),
                    [_("Date"), _("Cycle"), _("Event"), _("By"), _("Note or comment")],
                    [
                        (
                            event.at,
                            event.submission.cycle.code,
                            event.get_kind_display(),
                            event.actor_name,
                            event.text,
                        )
                        for event in history
                    ],
                ),
                Table(
                    "completion",
                    _("Completion of the actions"),
                    [_("Completion"), _("Actions")],
                    [(label, n) for _v, label, n in completion],
                ),
            ],
        }
