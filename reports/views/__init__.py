"""The secretariat's dashboards and the public summary. Figures come from
reports.selectors (SQL aggregation), charts from reports.charts (Vega-Lite specs); every
table on a page can be downloaded as CSV or XLSX (?export=<table>&format=csv|xlsx).

One module per page family: overview (with the public summary and regions), coverage,
detail (one objective, commitment or parliament), ratifications (Rabat §7(a): who is
party to which instrument) and cycle_reports; base holds what the
dashboards share. The URL conf imports the views from here."""

from reports.views.coverage import CoverageView
from reports.views.cycle_reports import (
    ProfileRequestView,
    ReportDetailView,
    ReportListView,
    report_file,
    report_status,
)
from reports.views.data import DataPackageView, data_file
from reports.views.detail import CommitmentView, ObjectiveView, ParliamentView
from reports.views.overview import OverviewView, PublicSummaryView, RegionView
from reports.views.ratifications import RatificationInstrumentView, RatificationMatrixView

__all__ = [
    "CommitmentView",
    "DataPackageView",
    "CoverageView",
    "ObjectiveView",
    "OverviewView",
    "ParliamentView",
    "ProfileRequestView",
    "PublicSummaryView",
    "RatificationInstrumentView",
    "RatificationMatrixView",
    "RegionView",
    "ReportDetailView",
    "ReportListView",
    "data_file",
    "report_file",
    "report_status",
]
