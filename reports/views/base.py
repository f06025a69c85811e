"""What every dashboard shares: the secretariat-only base view with its lazy, cached
parts and ?export= downloads, and the named tables pages show and export."""

import html
from functools import partial

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from compact_tracker import pagecache
from parliaments import permissions
from parliaments.models import Completion, Parliament, Region
from reports import exports
from reports.filters import DashboardFilterSet

COMPLETION_LABELS = dict(Completion.choices)


REGION_LABELS = dict(Region.choices)


# Longest table a dashboard shows; longer ones show their first rows and are downloaded
# whole. Every IPU member parliament (180) fits.
TABLE_ROWS_SHOWN = 200


class Table:
    """A named table shown on a page (its first `limit` rows) and downloadable (whole).
    `rows` may be a function giving them, called on first use: a table that the page
    does not show whole (the coverage matrices) is then computed only when downloaded."""

    def __init__(self, name, title, headers, rows, limit=TABLE_ROWS_SHOWN):
        self.name, self.title, self.headers, self._rows = name, title, headers, rows
        self.limit = limit

    @property
    def rows(self):
        if callable(self._rows):
            self._rows = self._rows()
        return self._rows

    @property
    def shown(self):
        return self.rows[: self.limit]

    @property
    def truncated(self):
        return len(self.rows) > self.limit

    def body_html(self):
        """The shown rows as <tr> elements, each value as the template would show it
        (localized, escaped; None as a dash, booleans as yes or no). Built directly: 200
        rows through the template engine take ~20 ms, most of a cold dashboard."""
        words = {True: escape(_("yes")), False: escape(_("no"))}
        shown = {}  # a date or a number is localized once per table (1,800 rows at S10)

        def cell(value):
            if value is None:
                return "—"
            if value is True or value is False:
                return words[value]
            if isinstance(value, str):  # html.escape, as Django's escape without its wrapper
                return value if hasattr(value, "__html__") else html.escape(value)
            # A lazy label (a region's, a status's) is translated once per table, not once
            # per row: hashing it would translate it too.
            key = ("lazy", id(value)) if isinstance(value, Promise) else (type(value), value)
            if key not in shown:
                shown[key] = conditional_escape(localize(value))
            return shown[key]

        rows = "".join(
            "<tr>" + "".join(f"<td>{cell(value)}</td>" for value in row) + "</tr>"
            for row in self.shown
        )
        if not rows:
            rows = (
                f'<tr><td colspan="{len(self.headers)}">{escape(_("Nothing to show."))}</td></tr>'
            )
        return mark_safe(rows)  # noqa: S308 - every value is escaped above


class DashboardView(TemplateView):
    """Base: the secretariat only (unless public); answers ?export= with a download.

    A page's figures, charts and tables come from `parts()`, named in `part_names`. They
    reach the template as lazy values, and the template shows them inside a
    `{% pagesection section %}` (compact_tracker.pagecache.Section): parts() runs only when
    that section is not cached (the first view after a change to the data it shows).
    Exports always compute."""

    published = False
    secretariat_only = True
    part_names = ()

    def dispatch(self, request, *args, **kwargs):
        if self.secretariat_only:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not permissions.is_secretariat(request.user):
                raise PermissionDenied(_("The dashboards are for the IPU secretariat."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        name, file_format = request.GET.get("export"), request.GET.get("format", "csv")
        if name:
            table = next((t for t in list(context["tables"]) if t.name == name), None)
            if table is None or file_format not in exports.FORMATS:
                raise Http404
            return exports.table_response(table.name, table.headers, table.rows, file_format)
        return self.render_to_response(context)

    def base_context(self, scope):
        return {
            "today": timezone.localdate(),
            "scope": scope,
            "published": self.published,
            "regions": Region.choices,
            "section": pagecache.Section(self.request, scopes=self.cache_scopes(scope)),
        }

    def cache_scopes(self, scope):
        """What the page shows, so what empties its cached section: published data for the
        public summary, one parliament's drafts for its page, everyone's drafts otherwise."""
        if scope.published:
            return {pagecache.PUBLISHED}
        if scope.parliament is not None:
            return {pagecache.drafts_of(scope.parliament.pk)}
        return {pagecache.DRAFTS}

    def parts(self, context):
        """{name: value} for every name in part_names."""
        raise NotImplementedError

    def with_parts(self, context):
        """Add the parts to the context as lazy values, computed together on first use."""
        context.update(pagecache.lazy_parts(partial(self.parts, context), self.part_names))
        return context


def dashboard_filter(request):
    return DashboardFilterSet(request.GET or None, queryset=Parliament.objects.none())
