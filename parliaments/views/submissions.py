"""A parliament's report for a cycle, and the secretariat's review: queue, detail, and
the good-practice star."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from commitments.models import Cycle
from parliaments import permissions, review, selectors, services
from parliaments.forms import ReviewForm
from parliaments.models import Submission
from parliaments.views.helpers import _own_parliament, _require_reviewer


class ActionStarView(LoginRequiredMixin, View):
    def post(self, request, pk):
        if not permissions.can_star_good_practice(request.user):
            raise PermissionDenied(_("This page is for the IPU secretariat."))
        action = get_object_or_404(selectors.action_visible_to(request.user).drafts(), pk=pk)
        value = request.POST.get("value") == "1"
        services.action_set_good_practice(actor=request.user, action=action, value=value)
        messages.success(
            request,
            _("Marked as a good practice.") if value else _("Good-practice star removed."),
        )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("parliaments:action_detail", args=[pk])
        return redirect(target)


class SubmissionView(LoginRequiredMixin, TemplateView):
    """What the parliament's report for a cycle will send; the focal point submits it."""

    template_name = "parliaments/submission.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.parliament = _own_parliament(request.user)
            self.cycle = get_object_or_404(Cycle, code=kwargs["cycle_code"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        submission = (
            Submission.objects.filter(parliament=self.parliament, cycle=self.cycle)
            .select_related("cycle", "submitted_by")
            .first()
        )
        plan, actions, updates_count = selectors.submission_preview(self.parliament, self.cycle)
        comments = selectors.submission_comments_by_item(submission)
        return super().get_context_data(
            parliament=self.parliament,
            cycle=self.cycle,
            submission=submission,
            plan=plan,
            plan_comments=comments.get("plan", []),
            rows=[(action, comments.get(action.pk, []), None) for action in actions],
            updates_count=updates_count,
            can_submit=permissions.can_submit_for(self.request.user, self.parliament),
            events=selectors.submission_events(submission) if submission else [],
            today=timezone.localdate(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not permissions.can_submit_for(request.user, self.parliament):
            raise PermissionDenied(_("Only the focal point submits for the parliament."))
        submission = services.submission_for(self.parliament, self.cycle)
        try:
            services.submission_submit(
                actor=request.user,
                submission=submission,
                note=request.POST.get("note", ""),
            )
        except services.InvalidTransition as error:
            messages.error(request, str(error))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Submitted to the IPU secretariat."))
        return redirect("parliaments:submission", cycle_code=self.cycle.code)


class ReviewQueueView(LoginRequiredMixin, TemplateView):
    template_name = "parliaments/review_queue.html"

    def get_context_data(self, **kwargs):
        _require_reviewer(self.request.user)
        return super().get_context_data(
            queue=selectors.review_queue(),
            recent=selectors.recently_reviewed(),
            today=timezone.localdate(),
            **kwargs,
        )


class ReviewDetailView(LoginRequiredMixin, FormView):
    template_name = "parliaments/review_detail.html"
    form_class = ReviewForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _require_reviewer(request.user)
            try:
                self.submission = selectors.submission_get(kwargs["pk"])
            except Submission.DoesNotExist:
                raise Http404 from None
            self.plan, self.actions, self.updates_count = selectors.submission_preview(
                self.submission.parliament, self.submission.cycle
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "plan": self.plan, "actions": self.actions}

    def get_context_data(self, **kwargs):
        form = kwargs.get("form") or self.get_form()
        items = review.review_items(self.submission, self.plan, self.actions)
        return super().get_context_data(
            submission=self.submission,
            plan=self.plan,
            plan_field=form["comment_plan"] if self.plan else None,
            plan_changes=items["plan_changes"],
            review_rows=[
                (action, changes, flags, form[f"comment_action_{action.pk}"])
                for action, changes, flags in items["rows"]
            ],
            counts=items["counts"],
            updates_count=self.updates_count,
            can_star=permissions.can_star_good_practice(self.request.user),
            events=selectors.submission_events(self.submission),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            if form.cleaned_data["decision"] == ReviewForm.ACCEPT:
                services.submission_accept(
                    actor=self.request.user,
                    submission=self.submission,
                    comment=form.cleaned_data["comment"],
                )
                messages.success(self.request, _("Accepted: the report is now published."))
            else:
                services.submission_return(
                    actor=self.request.user,
                    submission=self.submission,
                    comment=form.cleaned_data["comment"],
                    item_comments=form.item_comments(),
                )
                messages.success(self.request, _("Returned to the parliament with your comments."))
        except services.InvalidTransition as error:
            messages.error(self.request, str(error))
        except ValidationError as error:  # the service's rules, e.g. a return needs comments
            form.add_error(None, error)
            return self.form_invalid(form)
        return redirect("parliaments:review_queue")
