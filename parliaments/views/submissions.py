"""A parliament's report for a cycle, and the secretariat's review: queue, detail, and
the good-practice star."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from commitments.models import Cycle
from compact_tracker.safe_export import csv_writer
from parliaments import permissions, review, selectors, services
from parliaments.filters import ReviewQueueFilterSet
from parliaments.forms import ReviewForm
from parliaments.models import Submission
from parliaments.ratifications import selectors as ratification_selectors
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
            if not selectors.reports_in(self.parliament, self.cycle):
                raise Http404(_("Your parliament does not report in this cycle."))
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
        if request.POST.get("confirm") != "1":
            return self.confirmation(request)
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

    def confirmation(self, request):
        """The step before sending: what the report will send, counted as the reviewer
        will see it (new, changed, unchanged), with the cover note to check."""
        submission = Submission.objects.filter(parliament=self.parliament, cycle=self.cycle).first()
        plan, actions, updates_count = selectors.submission_preview(self.parliament, self.cycle)
        items = review.review_items(
            submission or Submission(parliament=self.parliament, cycle=self.cycle), plan, actions
        )
        note = request.POST.get("note", "")[: services.SUBMIT_NOTE_MAX_LENGTH]
        return TemplateResponse(
            request,
            "parliaments/submission_confirm.html",
            {
                "parliament": self.parliament,
                "cycle": self.cycle,
                "submission": submission,
                "plan": plan,
                "plan_changes": items["plan_changes"],
                "review_rows": items["rows"],
                "counts": items["counts"],
                "updates_count": updates_count,
                "note": note,
                "view": self,
            },
        )


class ReviewQueueView(LoginRequiredMixin, TemplateView):
    """The secretariat's queue: filtered by state, cycle and region, sorted, exported as
    CSV (?export=csv, with the same filters); each row can be taken by a reviewer."""

    template_name = "parliaments/review_queue.html"

    def get(self, request, *args, **kwargs):
        _require_reviewer(request.user)
        self.filterset = ReviewQueueFilterSet(
            request.GET, queryset=selectors.review_list(), user=request.user
        )
        if request.GET.get("export") == "csv":
            return review_queue_csv(self.filterset.qs if self.filterset.is_valid() else [])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        valid = self.filterset.is_valid()
        query = self.request.GET.copy()
        query.pop("sort", None)
        return super().get_context_data(
            filter=self.filterset,
            queue=self.filterset.qs if valid else Submission.objects.none(),
            sort=self.filterset.form.cleaned_data.get("sort") if valid else None,
            query_without_sort=query.urlencode(),
            export_query=self.request.GET.urlencode(),
            recent=selectors.recently_reviewed(),
            ratification_proposals=ratification_selectors.pending_proposals(),
            today=timezone.localdate(),
            **kwargs,
        )


def review_queue_csv(submissions):
    """The queue as the filters give it, one row per submission."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="review-queue.csv"'
    writer = csv_writer(response)
    writer.writerow(
        [
            _("Parliament"),
            "ISO",
            _("Region"),
            _("Cycle"),
            _("Status"),
            _("Round"),
            _("Submitted"),
            _("Days waiting"),
            _("On time"),
            _("Reviewer"),
        ]
    )
    today = timezone.localdate()
    for submission in submissions:
        waiting = (
            (today - submission.submitted_at.date()).days
            if submission.submitted_at and submission.status == Submission.Status.SUBMITTED
            else ""
        )
        reviewer = submission.assigned_to or submission.reviewed_by
        writer.writerow(
            [
                submission.parliament.name,
                submission.parliament.iso2,
                submission.parliament.get_region_display(),
                submission.cycle.code,
                submission.get_status_display(),
                submission.round,
                submission.submitted_at.date().isoformat() if submission.submitted_at else "",
                waiting,
                _("No") if submission.is_late else _("Yes"),
                (reviewer.get_full_name() or reviewer.get_username()) if reviewer else "",
            ]
        )
    return response


class SubmissionTakeView(LoginRequiredMixin, View):
    """POST action=take|release|take_over: a reviewer takes a submission from the queue,
    puts it back, or takes it over from a colleague."""

    def post(self, request, pk):
        _require_reviewer(request.user)
        submission = get_object_or_404(Submission, pk=pk)
        step = request.POST.get("action")
        try:
            if step == "release":
                services.submission_release(actor=request.user, submission=submission)
                messages.success(request, _("Back in the queue for anyone."))
            elif step in ("take", "take_over"):
                services.submission_take(
                    actor=request.user, submission=submission, take_over=step == "take_over"
                )
                messages.success(request, _("You are reviewing this submission."))
            else:
                messages.error(request, _("Choose to take or release the submission."))
        except (services.AlreadyTaken, services.InvalidTransition) as error:
            messages.error(request, str(error))
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("parliaments:review_detail", args=[pk])
        return redirect(target)


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
        holder = self.submission.assigned_to
        if holder is not None and holder != self.request.user:
            form.add_error(
                None,
                _("%(name)s is reviewing this submission. Take it over first if you agreed to.")
                % {"name": holder.get_full_name() or holder.get_username()},
            )
            return self.form_invalid(form)
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
