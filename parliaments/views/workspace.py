"""The workspace of a parliament's staff: home, plan of action, actions, progress, the
spreadsheet round trip, and the evidence and plan document downloads."""

import re
import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView

from compact_tracker import pagecache
from compact_tracker.safe_export import SafeExportMixin
from compact_tracker.tables import RequestConfig, SingleTableMixin
from parliaments import permissions, review, selectors, services, spreadsheet
from parliaments.filters import ActionFilterSet
from parliaments.forms import (
    ActionForm,
    PlanForm,
    ProgressUpdateEditForm,
    ProgressUpdateForm,
    SpreadsheetUploadForm,
)
from parliaments.models import Action, ProgressUpdate
from parliaments.ratifications import selectors as ratification_selectors
from parliaments.tables import ActionTable, workspace_action_url
from parliaments.views.helpers import LIST_PAGE_SIZE, _own_parliament, _require_edit
from parliaments.views.mixins import StaleEditMixin


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
        # once per version of the parliament's drafts (and the reference data) and day,
        # and kept in the cache; another parliament's edits leave it as it is.
        names = ["next_cycle", "days_left", "days_overdue", "plan", "submissions", "table"]
        return super().get_context_data(
            parliament=parliament,
            section=pagecache.Section(
                self.request,
                f"workspace:{parliament.pk}",
                scopes={pagecache.drafts_of(parliament.pk)},
            ),
            **pagecache.lazy_parts(parts, [*names, "activity"]),
            **kwargs,
        )


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
            plan=self.plan,
            changes=review.plan_changes(self.plan),
            history=selectors.plan_history(self.plan),
            **kwargs,
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


def _file_download(stored, original_name, content_type):
    """An uploaded file as an attachment: under the name its uploader gave (without
    control characters, with the extension of its detected type; Django quotes it), as
    its detected type, and never sniffed by the browser."""
    extension = stored.name.rsplit(".", 1)[-1] if "." in stored.name else "bin"
    name = original_name or stored.name.rsplit("/", 1)[-1]  # rows from before names were kept
    name = re.sub(r"[\x00-\x1f\x7f/\\]+", "_", name).strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    response = FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"{stem or 'download'}.{extension}",
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class PlanDocumentView(View):
    def get(self, request, pk):
        plan = get_object_or_404(selectors.plan_visible_to(request.user), pk=pk)
        if not plan.document:
            raise Http404
        return _file_download(plan.document, plan.document_name, plan.document_content_type)


class ActionListView(LoginRequiredMixin, SafeExportMixin, SingleTableMixin, FilterView):
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
            changes=review.action_changes(action),
            comments=selectors.open_review_comments(action),
            can_edit=permissions.can_edit_parliament(user, action.parliament),
            can_star=permissions.can_star_good_practice(user),
            credits=ratification_selectors.credits_of(action),
            **kwargs,
        )


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

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "parliament": self.action.parliament}

    def get_context_data(self, **kwargs):
        return super().get_context_data(action=self.action, **kwargs)

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in ProgressUpdateForm.Meta.fields}
        try:
            services.progress_update_create(
                actor=self.request.user,
                action=self.action,
                files=form.cleaned_data["files"],
                files_public=form.cleaned_data["files_public"],
                links=form.cleaned_data["links"],
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Progress recorded."))
        return redirect("parliaments:action_detail", pk=self.action.pk)


class ProgressEditView(LoginRequiredMixin, FormView):
    """Correct a draft progress update (its staff). Saved from an older version than the
    current one, nothing is written: the form comes back with the editor's text and the
    current version, saying who saved meanwhile, so that saving again is a choice."""

    template_name = "parliaments/progress_edit.html"
    form_class = ProgressUpdateEditForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.update = get_object_or_404(
                selectors.progress_update_visible_to(request.user)
                .drafts()
                .select_related("action", "parliament"),
                pk=kwargs["pk"],
            )
            _require_edit(request.user, self.update.parliament)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": self.update,
            "parliament": self.update.parliament,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(update=self.update, action=self.update.action, **kwargs)

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in ProgressUpdateEditForm.Meta.fields}
        try:
            services.progress_update_update(
                actor=self.request.user,
                update=ProgressUpdate.objects.get(pk=self.update.pk),
                expected_version=form.cleaned_data["version"],
                files=form.cleaned_data["files"],
                links=form.cleaned_data["links"],
                files_public=form.cleaned_data["files_public"],
                remove_evidence=list(form.cleaned_data.get("remove_evidence") or []),
                **data,
            )
        except services.StaleEdit as error:
            current = error.obj
            post = self.request.POST.copy()
            post["version"] = current.version
            form = self.get_form_class()(
                post,
                instance=ProgressUpdate.objects.get(pk=current.pk),
                parliament=self.update.parliament,
            )
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Not saved: %(who)s saved this progress update since you opened it. "
                    "Your text is below; save again to replace theirs, or cancel to keep it."
                )
                % {"who": getattr(error.changed_by, "get_full_name", lambda: "")() or _("someone")},
            )
            return self.form_invalid(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Progress update corrected."))
        return redirect("parliaments:action_detail", pk=self.update.action_id)


class ProgressDeleteView(LoginRequiredMixin, TemplateView):
    """Delete a draft progress update and its evidence, after a confirmation."""

    template_name = "parliaments/progress_delete.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.update = get_object_or_404(
                selectors.progress_update_visible_to(request.user)
                .drafts()
                .select_related("action", "parliament", "cycle"),
                pk=kwargs["pk"],
            )
            _require_edit(request.user, self.update.parliament)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(update=self.update, action=self.update.action, **kwargs)

    def post(self, request, *args, **kwargs):
        version = request.POST.get("version", "")
        try:
            services.progress_update_delete(
                actor=request.user,
                update=self.update,
                expected_version=int(version) if version.isdigit() else -1,
            )
        except services.StaleEdit:
            messages.error(
                request,
                _("Not deleted: someone changed this progress update meanwhile. Check it first."),
            )
            return redirect("parliaments:action_detail", pk=self.update.action_id)
        messages.success(request, _("Progress update deleted."))
        return redirect("parliaments:action_detail", pk=self.update.action_id)


class EvidenceDownloadView(View):
    """Serve an evidence file to the people who may open it (selectors.
    evidence_file_visible_to), and to no one else."""

    def get(self, request, pk):
        evidence = get_object_or_404(selectors.evidence_file_visible_to(request.user), pk=pk)
        if not evidence.file:
            raise Http404
        return _file_download(evidence.file, evidence.original_name, evidence.content_type)


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
