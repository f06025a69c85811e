"""Accounts: where each role starts after signing in, the secretariat's invitations, your
own API tokens, and password resets (throttled)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from compact_tracker.security import client_ip, rate_limit_hit
from parliaments import permissions, services
from parliaments.forms import InviteForm


def start_url(user):
    """Where a person works: the secretariat on the overview dashboard, a parliament's
    staff on its workspace, a partner on its API tokens beside the API guide."""
    if permissions.is_secretariat(user):
        return "reports:overview"
    if permissions.is_parliament_staff(user) and permissions.parliament_of(user) is not None:
        return "parliaments:home"
    return "api_tokens"


class StartView(LoginRequiredMixin, View):
    """LOGIN_REDIRECT_URL: after signing in without a `next`, each role lands where it
    works (a `next` parameter still wins: Django's LoginView follows it first)."""

    def get(self, request):
        return redirect(start_url(request.user))


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, throttled per email address and per client address, so
    the form cannot be used to flood someone's inbox or to probe many addresses. The
    answer does not say whether the address has an account."""

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        by_address = rate_limit_hit(
            "password-reset-ip", client_ip(self.request), settings.PASSWORD_RESET_RATE_PER_IP
        )
        by_email = rate_limit_hit(
            "password-reset-email", email, settings.PASSWORD_RESET_RATE_PER_EMAIL
        )
        if not (by_address and by_email):
            form.add_error(
                None,
                _(
                    "Too many password reset requests. Wait an hour before asking again, "
                    "or ask the IPU secretariat for help."
                ),
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


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
