from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.OverviewView.as_view(), name="overview"),
    path("dashboard/coverage/", views.CoverageView.as_view(), name="coverage"),
    path("dashboard/objectives/<int:number>/", views.ObjectiveView.as_view(), name="objective"),
    path("dashboard/commitments/<str:code>/", views.CommitmentView.as_view(), name="commitment"),
    path("dashboard/regions/<str:region>/", views.RegionView.as_view(), name="region"),
    path("dashboard/parliaments/<str:iso2>/", views.ParliamentView.as_view(), name="parliament"),
    path("progress/", views.PublicSummaryView.as_view(), name="public_summary"),
    path("ratifications/", views.RatificationMatrixView.as_view(), name="ratifications"),
    path(
        "ratifications/<str:code>/",
        views.RatificationInstrumentView.as_view(),
        name="ratification_instrument",
    ),
    path("data/", views.DataPackageView.as_view(), name="data_package"),
    path("data/<str:day>/<str:name>", views.data_file, name="data_file"),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path(
        "reports/profiles/<str:iso2>/",
        views.ProfileRequestView.as_view(),
        name="profile_request",
    ),
    path("reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("reports/<int:pk>/<str:file_format>/", views.report_file, name="report_file"),
]
