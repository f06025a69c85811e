"""Cycle reports: the list and request form, a report's page, its build status and
its files."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from parliaments import permissions
from parliaments.models import Parliament
from reports import selectors
from reports import services as report_services
from reports.forms import ReportRequestForm
from reports.models import Report
from reports.render import CONTENT_TYPES


class ReportListView(FormView):
    """Reports anyone may see, newest first, with every version; a form to request one."""

    template_name = "reports/report_list.html"
    form_class = ReportRequestForm

    def can_request(self):
        return permissions.can_request_report(self.request.user)

    def get_initial(self):
        """?cycle=<code> picks the cycle (the link from the reporting cycles page)."""
        cycle = self.request.GET.get("cycle")
        return {"cycle": cycle} if cycle else {}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if not permissions.is_secretariat(self.request.user):
            kwargs["own_parliament"] = permissions.parliament_of(self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        reports = selectors.report_visible_to(self.request.user).order_by("-created_at")[:200]
        return super().get_context_data(reports=reports, can_request=self.can_request(), **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.can_request():
            raise PermissionDenied(
                _("Only the secretariat and parliaments' staff request reports.")
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            report, created = report_services.report_request(
                actor=self.request.user,
                cycle=data["cycle"],
                scope=data["scope"],
                region=data["region"],
                parliament=data["parliament"],
                internal=data["internal"],
                language=data["language"],
                formats=data["formats"],
            )
        except report_services.ReportError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        except ValidationError as error:  # the model's rules (scope, region, internal)
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Report queued: it is being built.")
            if created
            else _("This report already exists for the same data: here it is."),
        )
        return redirect(report)


class ProfileRequestView(LoginRequiredMixin, View):
    """Build a parliament's country profile (POST): from its published data, or from its
    drafts with internal=1. Its staff and the secretariat may; the page that follows shows
    the build's progress, then the files."""

    def post(self, request, iso2):
        parliament = get_object_or_404(Parliament, iso2=iso2.upper())
        internal = request.POST.get("internal") == "1"
        if not permissions.can_request_report(
            request.user,
            scope="parliament",
            parliament=parliament,
            internal=internal,
            kind=Report.Kind.PROFILE,
        ):
            raise PermissionDenied(
                _("Only the parliament's staff and the secretariat build its country profile.")
            )
        report, created = report_services.profile_request(
            actor=request.user,
            parliament=parliament,
            internal=internal,
            language=get_language(),
        )
        messages.success(
            request,
            _("Country profile queued: it is being built.")
            if created
            else _("This profile already exists for the same data: here it is."),
        )
        return redirect(report)


class ReportDetailView(TemplateView):
    template_name = "reports/report_detail.html"

    def get_context_data(self, **kwargs):
        report = get_object_or_404(
            selectors.report_visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        versions = selectors.report_versions(
            report, selectors.report_visible_to(self.request.user)
        ).order_by("-version")
        return super().get_context_data(
            report=report,
            versions=versions,
            can_retry=permissions.is_secretariat(self.request.user)
            and report.status == Report.Status.FAILED,
            **kwargs,
        )

    def post(self, request, pk):
        if not permissions.can_retry_report(request.user):
            raise PermissionDenied(_("Only the secretariat retries reports."))
        report = get_object_or_404(Report, pk=pk)
        if report_services.report_requeue(report.pk):
            messages.success(request, _("The report is queued again."))
        return redirect(report)


def report_status(request, pk):
    """JSON for the progress bar: status, percent, stage, and the files once done."""
    report = get_object_or_404(selectors.report_visible_to(request.user), pk=pk)
    return JsonResponse(
        {
            "status": report.status,
            "status_label": str(report.status_label),
            "progress": report.progress,
            "stage": report.stage,
            "error": report.error,
            "files": [
                {
                    "format": f.format,
                    "url": reverse("reports:report_file", args=[report.pk, f.format]),
                }
                for f in report.files.all()
            ],
        }
    )


def report_file(request, pk, file_format):
    """A report file, after the same visibility check as the page."""
    report = get_object_or_404(selectors.report_visible_to(request.user), pk=pk)
    stored = get_object_or_404(report.files, format=file_format)

    return FileResponse(
        stored.file.open("rb"),
        as_attachment=file_format != "html",
        filename=stored.file.name.rsplit("/", 1)[-1],
        content_type=CONTENT_TYPES[file_format],
    )
