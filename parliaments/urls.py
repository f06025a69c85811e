from django.urls import path

from parliaments import views

app_name = "parliaments"

urlpatterns = [
    # Workspace of a parliament's staff
    path("workspace/", views.WorkspaceHomeView.as_view(), name="home"),
    path("workspace/plan/new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("workspace/plan/<int:pk>/edit/", views.PlanUpdateView.as_view(), name="plan_edit"),
    path("workspace/actions/", views.ActionListView.as_view(), name="action_list"),
    path("workspace/actions/new/", views.ActionCreateView.as_view(), name="action_create"),
    path(
        "workspace/actions/spreadsheet/",
        views.ActionSpreadsheetView.as_view(),
        name="action_spreadsheet",
    ),
    path("workspace/actions/<int:pk>/", views.ActionDetailView.as_view(), name="action_detail"),
    path("workspace/actions/<int:pk>/edit/", views.ActionUpdateView.as_view(), name="action_edit"),
    path(
        "workspace/actions/<int:pk>/progress/new/",
        views.ProgressCreateView.as_view(),
        name="progress_create",
    ),
    path("workspace/actions/<int:pk>/star/", views.ActionStarView.as_view(), name="action_star"),
    path(
        "workspace/submissions/<slug:cycle_code>/",
        views.SubmissionView.as_view(),
        name="submission",
    ),
    # Rabat §7(a): the state's status per instrument, reported by the parliament
    path(
        "workspace/ratifications/",
        views.RatificationStatusView.as_view(),
        name="ratification_status",
    ),
    path(
        "workspace/ratifications/report/",
        views.RatificationProposeView.as_view(),
        name="ratification_propose",
    ),
    # Files, served after a permission check
    path(
        "workspace/progress/<int:pk>/edit/", views.ProgressEditView.as_view(), name="progress_edit"
    ),
    path(
        "workspace/progress/<int:pk>/delete/",
        views.ProgressDeleteView.as_view(),
        name="progress_delete",
    ),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence_download"),
    path("plans/<int:pk>/document/", views.PlanDocumentView.as_view(), name="plan_document"),
    # Secretariat review
    path("review/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("cycles/", views.CycleListView.as_view(), name="cycle_list"),
    path("cycles/new/", views.CycleFormView.as_view(), name="cycle_create"),
    path("cycles/<slug:cycle_code>/edit/", views.CycleFormView.as_view(), name="cycle_edit"),
    path("review/<int:pk>/", views.ReviewDetailView.as_view(), name="review_detail"),
    path("review/<int:pk>/take/", views.SubmissionTakeView.as_view(), name="review_take"),
    path(
        "review/ratifications/<int:pk>/",
        views.RatificationProposalView.as_view(),
        name="ratification_proposal",
    ),
    # Public pages of published data
    path("actions/", views.PublicActionListView.as_view(), name="public_actions"),
    path("parliaments/", views.PublicParliamentListView.as_view(), name="public_parliaments"),
    path("parliaments/<str:iso2>/", views.PublicParliamentView.as_view(), name="public_parliament"),
    path(
        "parliaments/<str:iso2>/actions/<uuid:uid>/",
        views.PublicActionView.as_view(),
        name="public_action",
    ),
]
