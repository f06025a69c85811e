"""Rabat §7(a) from the workspace: a parliament's staff see their state's status for each
instrument and report a change with its source; the secretariat verifies or declines it."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from commitments.models import Instrument
from parliaments import permissions
from parliaments.ratifications import proposals
from parliaments.ratifications.forms import DeclineForm, RatificationProposalForm
from parliaments.ratifications.models import Ratification, RatificationProposal
from parliaments.views.helpers import _own_parliament, _require_reviewer


class RatificationStatusView(LoginRequiredMixin, TemplateView):
    """The state's status for every instrument, its reports and what became of them."""

    template_name = "parliaments/ratification_status.html"

    def get_context_data(self, **kwargs):
        parliament = _own_parliament(self.request.user)
        recorded = {
            row.instrument_id: row
            for row in Ratification.objects.filter(parliament=parliament).select_related(
                "credited_action"
            )
        }
        reports = list(
            RatificationProposal.objects.filter(parliament=parliament)
            .select_related("instrument", "action", "proposed_by", "decided_by")
            .order_by("-proposed_at")
        )
        waiting = RatificationProposal.State.PENDING
        pending = {r.instrument_id: r for r in reports if r.state == waiting}
        rows = [
            {
                "instrument": instrument,
                "status": recorded.get(instrument.pk),
                "pending": pending.get(instrument.pk),
            }
            for instrument in Instrument.objects.order_by("category", "code")
        ]
        return super().get_context_data(
            parliament=parliament,
            rows=rows,
            reports=reports,
            can_propose=permissions.can_edit_parliament(self.request.user, parliament),
            **kwargs,
        )


class RatificationProposeView(LoginRequiredMixin, FormView):
    """Report a change: "our state deposited its instrument of accession to C190 on …"."""

    template_name = "parliaments/ratification_propose.html"
    form_class = RatificationProposalForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.parliament = _own_parliament(request.user)
            if not permissions.can_edit_parliament(request.user, self.parliament):
                raise PermissionDenied(
                    _("Only this parliament's editors and focal point can report.")
                )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "parliament": self.parliament}

    def get_initial(self):
        initial = {"status": Ratification.Status.PARTY}
        code = self.request.GET.get("instrument", "")
        instrument = Instrument.objects.filter(code=code).first() if code else None
        if instrument is not None:
            initial["instrument"] = instrument
            actions = list(proposals.ratification_actions(self.parliament, instrument)[:2])
            if len(actions) == 1:
                initial["action"] = actions[0]
        action_id = self.request.GET.get("action", "")
        if action_id.isdigit():
            action = proposals.ratification_actions(self.parliament).filter(pk=action_id).first()
            if action is not None:
                initial.update(action=action, instrument=action.instrument)
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(parliament=self.parliament, **kwargs)

    def form_valid(self, form):
        try:
            proposal = proposals.propose(form.instance, self.request.user)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "Your report on %(code)s was sent to the IPU secretariat. The status changes "
                "once they have checked it against the source."
            )
            % {"code": proposal.instrument.code},
        )
        return redirect("parliaments:ratification_status")


class RatificationProposalView(LoginRequiredMixin, FormView):
    """The secretariat's page for one report: what the parliament says, what is recorded,
    the source to check; verify it, or decline it with a reason."""

    template_name = "parliaments/ratification_proposal.html"
    form_class = DeclineForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require_reviewer(request.user)
            self.proposal = get_object_or_404(
                RatificationProposal.objects.select_related(
                    "parliament", "instrument", "action", "proposed_by", "decided_by"
                ),
                pk=kwargs["pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        proposal = self.proposal
        return super().get_context_data(
            proposal=proposal,
            current=Ratification.objects.filter(
                parliament=proposal.parliament, instrument=proposal.instrument
            ).first(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if request.POST.get("decision") == "verify":
            try:
                row = proposals.verify(self.proposal.pk, request.user)
            except proposals.AlreadyDecided:
                return self._already_decided()
            messages.success(
                request,
                _("Verified: %(state)s is recorded as %(status)s for %(code)s.")
                % {
                    "state": row.parliament.localized_name,
                    "status": row.get_status_display().lower(),
                    "code": row.instrument.code,
                },
            )
            return redirect(self._next())
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            proposals.decline(self.proposal.pk, self.request.user, form.cleaned_data["reason"])
        except proposals.AlreadyDecided:
            return self._already_decided()
        messages.success(self.request, _("Declined; the parliament is told why."))
        return redirect(self._next())

    def _already_decided(self):
        messages.warning(self.request, _("Someone else decided on this report first."))
        return redirect("parliaments:ratification_proposal", pk=self.proposal.pk)

    def _next(self):
        target = self.request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            return target
        return reverse("parliaments:review_queue")
