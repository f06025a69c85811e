"""{% published_actions objective=... %} / {% published_actions commitment=... %}: the
published actions behind a GCM objective or a Rabat commitment, for its public page, with
filters (search, region, type, completion), sorting and pages. A tag of the parliaments
app, so that the commitments app's views need not import it."""

from django import template
from django.core.paginator import EmptyPage
from django.urls import reverse
from django_tables2 import RequestConfig

from parliaments import selectors
from parliaments.filters import ActionFilterSet
from parliaments.ratifications import selectors as ratification_selectors
from parliaments.tables import ActionTable, public_action_url

register = template.Library()

SHOWN_FILTERS = ("search", "region", "action_type", "completion")
PAGE_SIZE = 25


def _page_number(value):
    """A page number from the query, 1 for anything else (a fuzzer's "-1", "x")."""
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


@register.inclusion_tag("parliaments/_published_actions.html", takes_context=True)
def published_actions(context, objective=None, commitment=None):
    request = context["request"]
    actions = selectors.action_list(None)
    if objective is not None:
        actions = actions.filter(objectives=objective)
        everything = f"{reverse('parliaments:public_actions')}?objective={objective.number}"
    else:
        actions = actions.filter(commitments=commitment)
        everything = f"{reverse('parliaments:public_actions')}?commitment={commitment.code}"
    data = {key: request.GET[key] for key in SHOWN_FILTERS if request.GET.get(key)}
    filterset = ActionFilterSet(data, queryset=actions.distinct())
    table = ActionTable(
        filterset.qs if filterset.is_valid() else actions.none(), detail_url=public_action_url
    )
    RequestConfig(request, paginate=False).configure(table)  # the sort, from ?sort=
    try:
        table.paginate(page=_page_number(request.GET.get("page")), per_page=PAGE_SIZE)
    except EmptyPage:  # beyond the last page: the last one
        table.paginate(page=table.paginator.num_pages, per_page=PAGE_SIZE)
    return {
        "request": request,
        "filter_fields": [filterset.form[name] for name in SHOWN_FILTERS],
        "filtered": bool(data),
        "table": table,
        "everything": everything,
    }


@register.inclusion_tag("reports/_joined.html")
def joined_since_rabat(instruments):
    """The states that joined `instruments` since Rabat, with the published action each
    change is credited to (a commitment's public page)."""
    return {"joined": ratification_selectors.joined_since_rabat(instruments=instruments)}
