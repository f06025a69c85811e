"""{% what_has_been_done %}: the public home's answer to "what have parliaments done?",
above its reference lists: headline figures, the map, the latest published actions, the
starred good practices and the next cycle due. Published data only, kept in the page
cache with the published data (the public summary's scope), so the home stays as fast as
the public summary. A tag of the reports app: the commitments app's home view imports
neither reports nor parliaments."""

import json

from django import template
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.models import Cycle
from compact_tracker import pagecache
from parliaments.models import Action, Submission
from reports import charts, selectors
from reports.views.overview import adoption_labels, cycle_deadlines, map_link

register = template.Library()

LATEST_SHOWN = 5


def home_summary():
    """The figures and lists of the home's summary, from published data."""
    scope = selectors.Scope(published=True)
    today = timezone.localdate()
    deadline, progress_cycle = cycle_deadlines()
    statuses = selectors.parliament_statuses(scope, deadline, progress_cycle)
    with_plan = sum(1 for row in statuses if row["adoption"] != "none")
    accepted = dict(
        Submission.objects.filter(status=Submission.Status.ACCEPTED, parliament__is_ipu_member=True)
        .values_list("cycle")
        .annotate(n=Count("pk"))
        .order_by()
    )
    cycles = list(Cycle.objects.filter(due_date__lt=today).order_by("due_date"))
    adopted = adoption_labels()
    legend = {key: (label, charts.STATUS_COLOURS[key]) for key, label in adopted.items()}
    published = Action.objects.published().select_related("parliament")
    return {
        "members": len(statuses),
        "with_plan": with_plan,
        "reports": [(cycle, accepted.get(cycle.pk, 0)) for cycle in cycles],
        "completion": selectors.completion_distribution(scope),
        "map": json.dumps(
            charts.world_map(
                statuses, "adoption", legend, _("Plan of action status"), link=map_link(scope)
            )
        ),
        "map_rows": statuses,
        "latest": list(published.order_by("-published_at", "-pk")[:LATEST_SHOWN]),
        "good_practices": list(
            published.filter(is_good_practice=True).order_by("-published_at", "-pk")[:LATEST_SHOWN]
        ),
        "next_due": Cycle.objects.filter(due_date__gte=today).order_by("due_date").first(),
        "today": today,
        "summary_url": reverse("reports:public_summary"),
    }


@register.simple_tag(takes_context=True)
def what_has_been_done(context):
    request = context["request"]
    section = pagecache.Section(request, name="home-summary", scopes=[pagecache.PUBLISHED])

    def build():
        return render_to_string("reports/_home_summary.html", home_summary(), request=request)

    return section.get_or_build(build)
