"""Public pages of published parliaments and actions, for everyone."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView
from django_filters.views import FilterView

from compact_tracker.safe_export import SafeExportMixin
from compact_tracker.tables import RequestConfig, SingleTableMixin
from parliaments import selectors
from parliaments.filters import ActionFilterSet, ParliamentFilterSet
from parliaments.models import Action, Parliament
from parliaments.ratifications import selectors as ratification_selectors
from parliaments.tables import ActionTable, PublishedParliamentTable, public_action_url
from parliaments.views.helpers import LIST_PAGE_SIZE


class PublicActionListView(SafeExportMixin, SingleTableMixin, FilterView):
    """Published actions of every parliament, for everyone."""

    template_name = "parliaments/public_action_list.html"
    filterset_class = ActionFilterSet
    table_class = ActionTable
    paginate_by = LIST_PAGE_SIZE
    export_formats = ("csv", "xlsx")
    export_name = "published-actions"

    def get_queryset(self):
        return selectors.action_list(None)

    def get_table_kwargs(self):
        return {"detail_url": public_action_url}


class PublicParliamentListView(SafeExportMixin, SingleTableMixin, FilterView):
    """Parliaments that published something, with their plan's status; for everyone."""

    template_name = "parliaments/public_parliament_list.html"
    filterset_class = ParliamentFilterSet
    table_class = PublishedParliamentTable
    paginate_by = 50
    export_formats = ("csv", "xlsx")
    export_name = "parliaments"

    def get_queryset(self):
        return selectors.published_parliaments()


class PublicParliamentView(TemplateView):
    template_name = "parliaments/public_parliament.html"

    def get_context_data(self, **kwargs):
        parliament = get_object_or_404(Parliament, iso2=self.kwargs["iso2"].upper())
        actions = selectors.action_list(None).filter(parliament=parliament)
        table = ActionTable(actions, detail_url=public_action_url, exclude=["parliament"])
        RequestConfig(self.request, paginate={"per_page": LIST_PAGE_SIZE}).configure(table)
        return super().get_context_data(
            parliament=parliament,
            plan=selectors.current_plan(parliament, published=True),
            table=table,
            submissions=selectors.submission_visible_to(None)
            .filter(parliament=parliament)
            .select_related("cycle"),
            **kwargs,
        )


class PublicActionView(TemplateView):
    template_name = "parliaments/public_action.html"

    def get_context_data(self, **kwargs):
        try:
            action = selectors.action_get(None, uid=self.kwargs["uid"])
        except Action.DoesNotExist:
            raise Http404 from None
        if action.parliament.iso2 != self.kwargs["iso2"].upper():
            raise Http404
        return super().get_context_data(
            action=action,
            credits=ratification_selectors.credits_of(action),
            **kwargs,
        )
