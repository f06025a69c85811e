"""Accounts: the secretariat's invitations, and your own API tokens."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from parliaments import permissions, services
from parliaments.forms import InviteForm


class InviteView(LoginRequiredMixin, FormView):
    """The secretariat invites an editor, focal point, colleague or partner by email."""

    template_name = "registration/invite.html"
    form_class = InviteForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_invite(request.user):
            raise PermissionDenied(_("Only the IPU secretariat invites people."))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            user = services.person_invite(actor=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Invitation sent to %(email)s.") % {"email": user.email})
        return redirect("invite")


class TokenListView(LoginRequiredMixin, TemplateView):
    """Your API tokens: create one (its key is shown once), revoke one."""

    template_name = "registration/tokens.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tokens=self.request.user.api_tokens.order_by("-created_at"), **kwargs
        )

    def post(self, request, *args, **kwargs):
        if "revoke" in request.POST:
            token_id = request.POST.get("revoke", "")
            if token_id.isdigit() and services.api_token_revoke(
                user=request.user, token_id=int(token_id)
            ):
                messages.success(request, _("Token revoked: it no longer works."))
            else:
                messages.error(request, _("No such token of yours."))
            return redirect("api_tokens")
        try:
            token, key = services.api_token_create(user=request.user, name=request.POST.get("name"))
        except ValidationError as error:
            return self.render_to_response(
                self.get_context_data(name_error=" ".join(error.messages))
            )
        return self.render_to_response(self.get_context_data(new_key=key, new_token=token))
