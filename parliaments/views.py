"""Pages of the parliament workspace, the secretariat's review, and the public pages of
published plans and actions. Views are thin: visibility comes from selectors, rules from
permissions, writes from services."""

import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin
from django_tables2.export import ExportMixin

from commitments.models import Cycle
from compact_tracker import pagecache
from parliaments import permissions, selectors, services, spreadsheet
from parliaments.filters import ActionFilterSet, ParliamentFilterSet
from parliaments.forms import (
    ActionForm,
    InviteForm,
    PlanForm,
    ProgressUpdateForm,
    ReviewForm,
    SpreadsheetUploadForm,
)
from parliaments.models import Action, Parliament, Submission
from parliaments.tables import (
    ActionTable,
    PublishedParliamentTable,
    public_action_url,
    workspace_action_url,
)

LIST_PAGE_SIZE = 25


# --- Helpers -------------------------------------------------------------------------------


def _own_parliament(user):
    """The parliament of a staff member; everyone else is refused."""
    parliament = permissions.parliament_of(user)
    if parliament is None:
        raise PermissionDenied(_("This page is for a parliament's editors and focal point."))
    return parliament


def _require_edit(user, parliament):
    if not permissions.can_edit_parliament(user, parliament):
        raise PermissionDenied(_("Only this parliament's editors and focal point can change it."))


def _require_reviewer(user):
    if not permissions.can_review(user):
        raise PermissionDenied(_("This page is for the IPU secretariat."))


class StaleEditMixin:
    """Saves from an older version are merged with what others saved meanwhile (the
    services' three-way merge). When a field was changed by both, the form comes back at
    the current version: fields only they changed hold their values, fields you changed
    hold yours, and each field you both changed shows the two sides and a required choice.
    """

    def saved(self, record, message):
        merged = getattr(record, "merged", None)
        if merged is not None and merged.changes:
            message = _("Saved. Meanwhile %(who)s changed %(fields)s; their changes were kept.") % {
                "who": _person(merged.changed_by),
                "fields": ", ".join(capfirst(change.label) for change in merged.changes),
            }
        messages.success(self.request, message)

    def stale(self, form, error):
        """Show the conflicts of a save that met `error` (a StaleEdit); nothing was saved."""
        yours = {name: form.cleaned_data[name] for name in error.yours if name in form.fields}
        form = self.get_form_class()(
            instance=error.obj,
            initial={**yours, "opened_version": error.expected_version},
            conflicts=[conflict.field for conflict in error.conflicts],
        )
        messages.error(
            self.request,
            _(
                "Not saved yet: %(who)s changed the same fields as you since you opened this "
                "page. Choose which version to keep for each; your other changes and theirs "
                "are already combined in the form."
            )
            % {"who": _person(error.changed_by)},
        )
        return self.render_to_response(
            self.get_context_data(
                form=form, stale=error, conflicts=self.conflict_panels(form, error.conflicts)
            )
        )

    def form_invalid(self, form):
        """A form with conflict choices shows the two sides again, worked out anew."""
        if not form.conflict_names:
            return super().form_invalid(form)
        sent = {
            name: form.cleaned_data[name]
            for name in form.conflict_names
            if name in form.cleaned_data
        }
        preview = services.merge_preview(
            self.get_form_kwargs()["instance"],
            base_version=form.cleaned_data.get("opened_version") or 1,
            sent=sent,
        )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                stale=preview,
                conflicts=self.conflict_panels(form, preview.conflicts),
            )
        )

    @staticmethod
    def conflict_panels(form, conflicts):
        """(conflict or None, its choice field) for each field to choose for."""
        by_field = {conflict.field: conflict for conflict in conflicts}
        return [(by_field.get(name), form[f"keep_{name}"]) for name in form.conflict_names]


def _person(user):
    if user is None:
        return _("someone else")
    return user.get_full_name() or user.get_username()


# --- My parliament ---------------------------------------------------------------------------


class WorkspaceHomeView(LoginRequiredMixin, TemplateView):
    template_name = "parliaments/workspace_home.html"

    def get(self, request, *args, **kwargs):
        if permissions.is_secretariat(request.user):
            return redirect("parliaments:review_queue")
        if permissions.parliament_of(request.user) is None:
            messages.info(request, _("Your account reads published data."))
            return redirect("parliaments:public_parliaments")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        parliament = _own_parliament(self.request.user)
        user = self.request.user

        def parts():
            cycle, days_left = selectors.next_due(parliament, timezone.localdate())
            actions = selectors.action_list(user).drafts().filter(parliament=parliament)
            table = ActionTable(actions, detail_url=workspace_action_url, exclude=["parliament"])
            RequestConfig(self.request, paginate={"per_page": LIST_PAGE_SIZE}).configure(table)
            return {
                "next_cycle": cycle,
                "days_left": days_left,
                "days_overdue": -days_left if days_left is not None else None,
                "plan": selectors.current_plan(parliament),
                "submissions": list(selectors.parliament_submissions(parliament)),
                "table": table,
                "activity": selectors.recent_activity(parliament),
            }

        # The page's content is the same for all the parliament's staff: it is rendered
        # once per data version and day (pagecache.section_key) and kept in the cache.
        names = ["next_cycle", "days_left", "days_overdue", "plan", "submissions", "table"]
        return super().get_context_data(
            parliament=parliament,
            section_timeout=pagecache.TIMEOUT,
            section_key=pagecache.section_key(self.request, f"workspace:{parliament.pk}"),
            **pagecache.lazy_parts(parts, [*names, "activity"]),
            **kwargs,
        )


# --- Plans of action ----------------------------------------------------------------------------


class PlanCreateView(LoginRequiredMixin, FormView):
    template_name = "parliaments/plan_form.html"
    form_class = PlanForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.parliament = _own_parliament(request.user)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in PlanForm.Meta.fields}
        try:
            services.plan_create(actor=self.request.user, parliament=self.parliament, **data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Plan of action saved."))
        return redirect("parliaments:home")


class PlanUpdateView(LoginRequiredMixin, StaleEditMixin, FormView):
    template_name = "parliaments/plan_form.html"
    form_class = PlanForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.plan = get_object_or_404(
                selectors.plan_visible_to(request.user).drafts(), pk=kwargs["pk"]
            )
            _require_edit(request.user, self.plan.parliament)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.plan}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            plan=self.plan, history=selectors.plan_history(self.plan), **kwargs
        )

    def form_valid(self, form):
        kept_theirs = form.kept_theirs()
        data = {
            name: form.cleaned_data[name]
            for name in PlanForm.Meta.fields
            if name not in kept_theirs
        }
        try:
            plan = services.plan_update(
                actor=self.request.user,
                plan=self.plan,
                expected_version=form.cleaned_data["version"],
                merge=True,
                **data,
            )
        except services.StaleEdit as error:
            return self.stale(form, error)
        except ValidationError as error:  # the merged plan breaks a rule
            form.add_error(None, error)
            return self.form_invalid(form)
        self.saved(plan, _("Plan of action saved."))
        return redirect("parliaments:home")


class PlanDocumentView(View):
    def get(self, request, pk):
        plan = get_object_or_404(selectors.plan_visible_to(request.user), pk=pk)
        if not plan.document:
            raise Http404
        return FileResponse(plan.document.open("rb"), as_attachment=True)


# --- Actions ----------------------------------------------------------------------------------


class ActionListView(LoginRequiredMixin, ExportMixin, SingleTableMixin, FilterView):
    """The workspace list: a parliament's own drafts, or every draft for the secretariat."""

    template_name = "parliaments/action_list.html"
    filterset_class = ActionFilterSet
    table_class = ActionTable
    paginate_by = LIST_PAGE_SIZE
    export_formats = ("csv", "xlsx")
    export_name = "actions"

    def get_queryset(self):
        user = self.request.user
        if not permissions.can_use_workspace(user):
            raise PermissionDenied(_("Your account reads published actions: see “Actions”."))
        return selectors.action_list(user).filter(is_published_copy=False)

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        if not permissions.is_secretariat(self.request.user):
            for name in ("country", "region", "parliament"):  # staff see one parliament
                filterset.filters.pop(name, None)
                filterset.form.fields.pop(name, None)
        return filterset

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            is_secretariat=permissions.is_secretariat(self.request.user), **kwargs
        )

    def get_table_kwargs(self):
        kwargs = {"detail_url": workspace_action_url}
        if not permissions.is_secretariat(self.request.user):
            kwargs["exclude"] = ["parliament"]
        return kwargs


class PublicActionListView(ExportMixin, SingleTableMixin, FilterView):
    """Published actions of every parliament, for everyone."""

    template_name = "parliaments/public_action_list.html"
    filterset_class = ActionFilterSet
    table_class = ActionTable
    paginate_by = LIST_PAGE_SIZE
    export_formats = ("csv", "xlsx")
    export_name = "published-actions"

    def get_queryset(self):
        return selectors.action_list(None)

    def get_table_kwargs(self):
        return {"detail_url": public_action_url}


class ActionFormMixin(LoginRequiredMixin, StaleEditMixin):
    template_name = "parliaments/action_form.html"
    form_class = ActionForm

    @staticmethod
    def service_data(form):
        data = {name: form.cleaned_data[name] for name in ActionForm.Meta.fields}
        return data, list(data.pop("commitments")), list(data.pop("objectives"))


class ActionCreateView(ActionFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.parliament = _own_parliament(request.user)
            self.plan = selectors.current_plan(self.parliament)
            if self.plan is None:
                messages.info(request, _("Create your plan of action first; actions belong to it."))
                return redirect("parliaments:plan_create")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        data, commitments, objectives = self.service_data(form)
        try:
            action = services.action_create(
                actor=self.request.user,
                plan=self.plan,
                commitments=commitments,
                objectives=objectives,
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Action added."))
        return redirect("parliaments:action_detail", pk=action.pk)


class ActionUpdateView(ActionFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.action = get_object_or_404(
                selectors.action_visible_to(request.user).drafts(), pk=kwargs["pk"]
            )
            _require_edit(request.user, self.action.parliament)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.action}

    def get_context_data(self, **kwargs):
        return super().get_context_data(action=self.action, **kwargs)

    def form_valid(self, form):
        kept_theirs = form.kept_theirs()
        data = {
            name: form.cleaned_data[name]
            for name in ActionForm.Meta.fields
            if name not in kept_theirs
        }
        try:
            action = services.action_update(
                actor=self.request.user,
                action=self.action,
                expected_version=form.cleaned_data["version"],
                commitments=data.pop("commitments", None),
                objectives=data.pop("objectives", None),
                merge=True,
                **data,
            )
        except services.StaleEdit as error:
            return self.stale(form, error)
        except ValidationError as error:  # the merged action breaks a rule
            form.add_error(None, error)
            return self.form_invalid(form)
        self.saved(action, _("Action saved."))
        return redirect("parliaments:action_detail", pk=self.action.pk)


class ActionDetailView(LoginRequiredMixin, TemplateView):
    template_name = "parliaments/action_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        try:
            action = selectors.action_get(user, pk=self.kwargs["pk"])
        except Action.DoesNotExist:
            raise Http404 from None
        if action.is_published_copy:
            raise Http404  # published copies have their public page
        return super().get_context_data(
            action=action,
            history=selectors.action_history(action),
            comments=selectors.open_review_comments(action),
            can_edit=permissions.can_edit_parliament(user, action.parliament),
            can_star=permissions.can_star_good_practice(user),
            **kwargs,
        )


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


class ProgressCreateView(LoginRequiredMixin, FormView):
    template_name = "parliaments/progress_form.html"
    form_class = ProgressUpdateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.action = get_object_or_404(
                selectors.action_visible_to(request.user).drafts(), pk=kwargs["pk"]
            )
            _require_edit(request.user, self.action.parliament)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        next_cycle, _days = selectors.next_due(self.action.parliament, timezone.localdate())
        return {
            "date": timezone.localdate(),
            "completion": self.action.completion,
            "cycle": next_cycle,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(action=self.action, **kwargs)

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in ProgressUpdateForm.Meta.fields}
        try:
            services.progress_update_create(
                actor=self.request.user,
                action=self.action,
                files=form.cleaned_data["files"],
                links=form.cleaned_data["links"],
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Progress recorded."))
        return redirect("parliaments:action_detail", pk=self.action.pk)


class EvidenceDownloadView(View):
    """Serve an evidence file to people who may see its progress update, and to no one else."""

    def get(self, request, pk):
        evidence = get_object_or_404(selectors.evidence_visible_to(request.user), pk=pk)
        if not evidence.file:
            raise Http404
        return FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=evidence.original_name or None,
            content_type=evidence.content_type or "application/octet-stream",
        )


# --- Submissions -----------------------------------------------------------------------------


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
        return super().get_context_data(
            submission=self.submission,
            plan=self.plan,
            plan_field=form["comment_plan"] if self.plan else None,
            rows=[(action, [], form[f"comment_action_{action.pk}"]) for action in self.actions],
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


# --- Public pages ----------------------------------------------------------------------------


class PublicParliamentListView(ExportMixin, SingleTableMixin, FilterView):
    """Parliaments that published something, with their plan's status; for everyone."""

    template_name = "parliaments/public_parliament_list.html"
    filterset_class = ParliamentFilterSet
    table_class = PublishedParliamentTable
    paginate_by = 50
    export_formats = ("csv", "xlsx")
    export_name = "parliaments"

    def get_queryset(self):
        return selectors.published_parliaments()


class PublicParliamentView(TemplateView):
    template_name = "parliaments/public_parliament.html"

    def get_context_data(self, **kwargs):
        parliament = get_object_or_404(Parliament, iso2=self.kwargs["iso2"].upper())
        actions = selectors.action_list(None).filter(parliament=parliament)
        table = ActionTable(actions, detail_url=public_action_url, exclude=["parliament"])
        RequestConfig(self.request, paginate={"per_page": LIST_PAGE_SIZE}).configure(table)
        return super().get_context_data(
            parliament=parliament,
            plan=selectors.current_plan(parliament, published=True),
            table=table,
            submissions=selectors.submission_visible_to(None)
            .filter(parliament=parliament)
            .select_related("cycle"),
            **kwargs,
        )


class PublicActionView(TemplateView):
    template_name = "parliaments/public_action.html"

    def get_context_data(self, **kwargs):
        try:
            action = selectors.action_get(None, uid=self.kwargs["uid"])
        except Action.DoesNotExist:
            raise Http404 from None
        if action.parliament.iso2 != self.kwargs["iso2"].upper():
            raise Http404
        return super().get_context_data(action=action, **kwargs)


# --- People ---------------------------------------------------------------------------------


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


# --- Spreadsheet round trip ---------------------------------------------------------------------

IMPORT_SESSION_KEY = "action_import"


class ActionSpreadsheetView(LoginRequiredMixin, FormView):
    """Download the actions as XLSX; upload the edited file; preview; then confirm."""

    template_name = "parliaments/action_spreadsheet.html"
    form_class = SpreadsheetUploadForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.parliament = _own_parliament(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if request.GET.get("download"):
            actions = (
                selectors.action_list(request.user)
                .filter(is_published_copy=False, parliament=self.parliament)
                .order_by("created_at")
            )
            response = HttpResponse(
                spreadsheet.actions_workbook(actions),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            filename = f"actions-{self.parliament.iso2}-{timezone.localdate():%Y-%m-%d}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        content = form.cleaned_data["file"].read()
        plan = spreadsheet.plan_import(content, self.parliament)
        if plan.is_valid and plan.changes:
            name = default_storage.save(f"imports/{uuid.uuid4().hex}.xlsx", ContentFile(content))
            self.request.session[IMPORT_SESSION_KEY] = name
        return self.render_to_response(self.get_context_data(form=form, plan=plan))

    def confirm(self):
        name = self.request.session.pop(IMPORT_SESSION_KEY, None)
        if not name or not default_storage.exists(name):
            messages.error(self.request, _("Nothing to apply: upload the file again."))
            return redirect("parliaments:action_spreadsheet")
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
        default_storage.delete(name)
        plan = spreadsheet.plan_import(content, self.parliament)
        if not plan.is_valid:
            return self.render_to_response(self.get_context_data(plan=plan))
        current = selectors.current_plan(self.parliament)
        if current is None and any(change.action is None for change in plan.changes):
            messages.error(self.request, _("Create your plan of action before adding actions."))
            return redirect("parliaments:plan_create")
        try:
            applied = spreadsheet.apply_import(
                plan, actor=self.request.user, parliament=self.parliament, current_plan=current
            )
        except (services.StaleEdit, ValidationError):
            messages.error(
                self.request,
                _(
                    "Nothing was applied: an action changed on the site in the meantime. "
                    "Upload your file again to see how it combines with those changes."
                ),
            )
            return redirect("parliaments:action_spreadsheet")
        messages.success(
            self.request,
            ngettext(
                "%(count)s action updated from the spreadsheet.",
                "%(count)s actions updated from the spreadsheet.",
                applied,
            )
            % {"count": applied},
        )
        return redirect("parliaments:action_list")


# --- API tokens -------------------------------------------------------------------------------


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
