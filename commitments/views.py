"""Public pages about what was promised: the home page, one page per objective and per
commitment. They read through selectors and cost a fixed number of queries."""

from django.utils import timezone
from django.views.generic import TemplateView

from commitments import selectors


class HomeView(TemplateView):
    template_name = "commitments/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            commitments=selectors.commitment_list(),
            objectives=selectors.objective_list(),
            cycles=selectors.cycle_list(),
            today=timezone.localdate(),
            **kwargs,
        )


class ObjectiveDetailView(TemplateView):
    template_name = "commitments/objective_detail.html"

    def get_context_data(self, **kwargs):
        objective = selectors.objective_get(self.kwargs["number"])
        return super().get_context_data(objective=objective, **kwargs)


class CommitmentDetailView(TemplateView):
    template_name = "commitments/commitment_detail.html"

    def get_context_data(self, **kwargs):
        commitment = selectors.commitment_get(self.kwargs["code"])
        return super().get_context_data(commitment=commitment, today=timezone.localdate(), **kwargs)
