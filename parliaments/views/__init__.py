"""Pages of the parliament workspace, the secretariat's review, and the public pages of
published plans and actions. Views are thin: visibility comes from selectors, rules from
permissions, writes from services.

One module per page family: workspace, submissions (and review), cycles, public, people; helpers
and mixins hold what they share. The URL confs import the views from here."""

from parliaments.views.cycles import CycleFormView, CycleListView
from parliaments.views.people import InviteView, PasswordResetView, StartView, TokenListView
from parliaments.views.public import (
    PublicActionListView,
    PublicActionView,
    PublicParliamentListView,
    PublicParliamentView,
)
from parliaments.views.ratifications import (
    RatificationProposalView,
    RatificationProposeView,
    RatificationStatusView,
)
from parliaments.views.submissions import (
    ActionStarView,
    ReviewDetailView,
    ReviewQueueView,
    SubmissionTakeView,
    SubmissionView,
)
from parliaments.views.workspace import (
    ActionCreateView,
    ActionDetailView,
    ActionListView,
    ActionSpreadsheetView,
    ActionUpdateView,
    EvidenceDownloadView,
    PlanCreateView,
    PlanDocumentView,
    PlanUpdateView,
    ProgressCreateView,
    ProgressDeleteView,
    ProgressEditView,
    WorkspaceHomeView,
)

__all__ = [
    "ActionCreateView",
    "ActionDetailView",
    "ActionListView",
    "ActionSpreadsheetView",
    "ActionStarView",
    "ActionUpdateView",
    "CycleFormView",
    "CycleListView",
    "EvidenceDownloadView",
    "InviteView",
    "PasswordResetView",
    "PlanCreateView",
    "PlanDocumentView",
    "PlanUpdateView",
    "ProgressCreateView",
    "ProgressDeleteView",
    "ProgressEditView",
    "PublicActionListView",
    "PublicActionView",
    "PublicParliamentListView",
    "PublicParliamentView",
    "RatificationProposalView",
    "RatificationProposeView",
    "RatificationStatusView",
    "ReviewDetailView",
    "StartView",
    "SubmissionTakeView",
    "ReviewQueueView",
    "SubmissionView",
    "TokenListView",
    "WorkspaceHomeView",
]
