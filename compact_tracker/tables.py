"""django-tables2 with paging that tolerates junk: `?per_page=-1`, `?page=abc` and the like
show a page instead of raising. Every table view and every RequestConfig in the project
comes from here."""

from django.core.paginator import EmptyPage, PageNotAnInteger
from django_tables2 import RequestConfig as BaseRequestConfig
from django_tables2 import SingleTableMixin as BaseSingleTableMixin

# The most rows one page of a table shows, whatever `per_page` asks for (the downloads
# hold every row).
MAX_PER_PAGE = 500


def _positive_int(value):
    """The whole number in `value` if it is one and at least 1, else None."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number >= 1 else None


class RequestConfig(BaseRequestConfig):
    """Reads sorting and paging from the request like django-tables2's, except that a page
    size below 1 or not a number is ignored, one above MAX_PER_PAGE is capped, and a page
    number below 1 or not a number shows the first page (django-tables2 passes a negative
    page size on to the paginator, which raises EmptyPage: a 500)."""

    def configure(self, table):
        table.request = self.request
        order_by = self.request.GET.getlist(table.prefixed_order_by_field)
        if order_by:
            table.order_by = order_by
        if not self.paginate:
            return table
        paginate = dict(self.paginate) if hasattr(self.paginate, "items") else {}
        paginate.pop("silent", None)
        for arg in ("page", "per_page"):
            number = _positive_int(self.request.GET.get(getattr(table, f"prefixed_{arg}_field")))
            if number is not None:
                paginate[arg] = number
        if "per_page" in paginate:
            paginate["per_page"] = min(paginate["per_page"], MAX_PER_PAGE)
        try:
            table.paginate(**paginate)
        except PageNotAnInteger:
            table.page = table.paginator.page(1)
        except EmptyPage:  # past the last page: show the last one
            table.page = table.paginator.page(table.paginator.num_pages)
        return table


class SingleTableMixin(BaseSingleTableMixin):
    """django-tables2's SingleTableMixin configured by the RequestConfig above."""

    def get_table(self, **kwargs):
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        return RequestConfig(self.request, paginate=self.get_table_pagination(table)).configure(
            table
        )
