"""Following on the site: the follow buttons' target, the page of what one follows with the
digest's frequency, the notifications list, and the digest's one-click unsubscribe."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from commitments.models import Commitment, Objective
from parliaments.following import services
from parliaments.following.models import DigestSettings
from parliaments.models import Parliament

NOTIFICATIONS_PER_PAGE = 50


class FollowForm(forms.Form):
    """What a follow button sends: the kind of thing and its key (ISO code, objective
    number, commitment code)."""

    KINDS = {
        "parliament": (Parliament, "iso2"),
        "objective": (Objective, "number"),
        "commitment": (Commitment, "code"),
    }
    kind = forms.ChoiceField(choices=[(kind, kind) for kind in KINDS])
    key = forms.CharField(max_length=40)
    follow = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        model, field = self.KINDS[data["kind"]]
        key = data["key"].strip()
        if field == "number" and not key.isdigit():
            raise forms.ValidationError(_("No such objective."))
        data["target"] = model.objects.filter(
            **{field: key.upper() if field == "iso2" else key}
        ).first()
        if data["target"] is None:
            raise forms.ValidationError(_("There is nothing to follow at this address."))
        return data


class DigestForm(forms.ModelForm):
    class Meta:
        model = DigestSettings
        fields = ["frequency"]
        widgets = {"frequency": forms.RadioSelect}
        labels = {"frequency": gettext_lazy("Email me what they publish")}


def _safe_next(request, fallback):
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class FollowView(LoginRequiredMixin, View):
    """POST from a follow button: follow or stop following, then back to the page."""

    def post(self, request):
        form = FollowForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(
                " ".join(form.errors.get("__all__", [])) or _("Bad request.")
            )
        data = form.cleaned_data
        target = {data["kind"]: data["target"]}
        name = _name(data["target"])
        if data["follow"]:
            services.follow(request.user, **target)
            messages.success(
                request,
                _("You follow %(name)s: what is published about it appears in your notifications.")
                % {"name": name},
            )
        else:
            services.unfollow(request.user, **target)
            messages.success(request, _("You no longer follow %(name)s.") % {"name": name})
        return redirect(_safe_next(request, "following"))


def _name(target):
    if isinstance(target, Parliament):
        return target.localized_name
    if isinstance(target, Objective):
        return _("objective %(number)s") % {"number": target.number}
    return _("commitment %(code)s") % {"code": target.code}


class FollowingView(LoginRequiredMixin, TemplateView):
    """What the person follows, and how often they are emailed about it."""

    template_name = "following/following.html"

    def get_context_data(self, **kwargs):
        follows = list(
            self.request.user.follows.select_related("parliament", "objective", "commitment")
        )
        settings_row = DigestSettings.objects.filter(user=self.request.user).first()
        kwargs.setdefault(
            "form",
            DigestForm(instance=settings_row or DigestSettings(user=self.request.user)),
        )
        return super().get_context_data(
            parliaments=[f.parliament for f in follows if f.parliament_id],
            objectives=sorted(
                (f.objective for f in follows if f.objective_id), key=lambda o: o.number
            ),
            commitments=[f.commitment for f in follows if f.commitment_id],
            digest=settings_row,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = DigestForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        services.set_frequency(request.user, form.cleaned_data["frequency"], get_language())
        messages.success(request, _("Your email digest is saved."))
        return redirect("following")


class NotificationListView(LoginRequiredMixin, TemplateView):
    """What the person's follows published, newest first, the unread marked."""

    template_name = "following/notifications.html"

    def get_context_data(self, **kwargs):
        notifications = self.request.user.notifications.select_related("parliament")
        unread_only = self.request.GET.get("unread") == "1"
        if unread_only:
            notifications = notifications.filter(read_at=None)
        page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        for item in page:
            item.label = services.event_label(item.event)
        return super().get_context_data(
            page=page,
            unread_only=unread_only,
            follows=self.request.user.follows.exists(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        count = services.mark_read(request.user)
        messages.success(request, _("%(count)s notification(s) marked as read.") % {"count": count})
        return redirect("notifications")


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(View):
    """The digest's unsubscribe link: one click, no sign-in (the signed token names the
    person). GET unsubscribes and says so, with a way back; a POST does the same for a mail
    client's own unsubscribe button (RFC 8058), or subscribes again with `frequency`."""

    def dispatch(self, request, token):
        self.user = services.user_from_token(token)
        if self.user is None:
            return render(request, "following/unsubscribed.html", {"invalid": True}, status=400)
        return super().dispatch(request, token)

    def get(self, request, token):
        services.unsubscribe(self.user)
        return self._page(request, token)

    def post(self, request, token):
        frequency = request.POST.get("frequency")
        if frequency in (DigestSettings.Frequency.DAILY, DigestSettings.Frequency.WEEKLY):
            services.set_frequency(self.user, frequency)
            return self._page(request, token, subscribed=True)
        services.unsubscribe(self.user)
        return self._page(request, token)

    def _page(self, request, token, subscribed=False):
        return render(
            request,
            "following/unsubscribed.html",
            {
                "token": token,
                "subscribed": subscribed,
                "frequency": services.digest_settings(self.user).get_frequency_display(),
            },
        )
