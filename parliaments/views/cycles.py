"""The secretariat's reporting cycles: the list with who has answered, and the form that
opens a cycle or changes one (code, titles, due date and its precision, the commitment it
answers, who reports)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from commitments.models import Cycle
from parliaments import selectors, services
from parliaments.forms import CycleForm
from parliaments.models import Parliament, Submission
from parliaments.views.helpers import _require_reviewer


class CycleListView(LoginRequiredMixin, TemplateView):
    """Every cycle, soonest due last: who reports, how many answered, how many accepted."""

    template_name = "parliaments/cycle_list.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require_reviewer(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        cycles = (
            Cycle.objects.select_related("commitment")
            .annotate(
                listed=Count("listed_parliaments", distinct=True),
                answered=Count(
                    "submissions",
                    filter=Q(submissions__status__in=selectors.REPORTED),
                    distinct=True,
                ),
                accepted=Count(
                    "submissions",
                    filter=Q(submissions__status=Submission.Status.ACCEPTED),
                    distinct=True,
                ),
            )
            .order_by("due_date", "code")
        )
        return super().get_context_data(
            cycles=cycles,
            members=Parliament.objects.filter(is_ipu_member=True).count(),
            today=timezone.localdate(),
            **kwargs,
        )


class CycleFormView(LoginRequiredMixin, FormView):
    """Open a cycle (no code in the URL) or change one."""

    template_name = "parliaments/cycle_form.html"
    form_class = CycleForm

    def dispatch(self, request, *args, **kwargs):
        self.cycle = None
        if request.user.is_authenticated:
            _require_reviewer(request.user)
            if "cycle_code" in kwargs:
                self.cycle = get_object_or_404(Cycle, code=kwargs["cycle_code"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.cycle}

    def get_context_data(self, **kwargs):
        return super().get_context_data(cycle=self.cycle, **kwargs)

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in CycleForm.Meta.fields}
        try:
            if self.cycle is None:
                cycle = services.cycle_open(
                    actor=self.request.user, parliaments=form.cleaned_data["parliaments"], **data
                )
                messages.success(
                    self.request,
                    _(
                        "Cycle “%(code)s” opened. Its focal points are reminded before it is "
                        "due and every week while it is overdue."
                    )
                    % {"code": cycle.code},
                )
            else:
                cycle = services.cycle_update(
                    actor=self.request.user,
                    cycle=self.cycle,
                    parliaments=form.cleaned_data["parliaments"],
                    **data,
                )
                messages.success(self.request, _("Cycle “%(code)s” saved.") % {"code": cycle.code})
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        return redirect("parliaments:cycle_list")
