"""A partner's webhook endpoints on the site: register one (its secret shown once), read
each one's delivery log, send a test event, redeliver, switch it off and on, delete it."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from parliaments.webhooks import services
from parliaments.webhooks.forms import EndpointForm
from parliaments.webhooks.models import WebhookEndpoint

DELIVERIES_PER_PAGE = 50


class WebhookListView(LoginRequiredMixin, FormView):
    template_name = "registration/webhooks.html"
    form_class = EndpointForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            endpoints=self.request.user.webhook_endpoints.order_by("-created_at"), **kwargs
        )

    def form_valid(self, form):
        endpoint = services.endpoint_create(owner=self.request.user, **form.cleaned_data)
        return self.render_to_response(
            self.get_context_data(form=EndpointForm(), new_endpoint=endpoint)
        )


class WebhookDetailView(LoginRequiredMixin, TemplateView):
    template_name = "registration/webhook_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.endpoint = get_object_or_404(
                WebhookEndpoint, uid=kwargs["uid"], owner=request.user
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        deliveries = self.endpoint.deliveries.order_by("-id")
        page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(endpoint=self.endpoint, page=page, **kwargs)

    def post(self, request, *args, **kwargs):
        endpoint = self.endpoint
        action = request.POST.get("action")
        if action == "test":
            services.send_test(endpoint)
            messages.success(request, _("A test event is on its way."))
        elif action == "redeliver":
            delivery = endpoint.deliveries.filter(uid=request.POST.get("delivery") or None).first()
            if delivery is None:
                messages.error(request, _("No such delivery of this endpoint."))
            else:
                services.redeliver(delivery)
                messages.success(request, _("Sent again, after the deliveries before it."))
        elif action in ("disable", "enable"):
            services.endpoint_switch(endpoint, on=action == "enable")
            messages.success(
                request, _("Endpoint enabled.") if action == "enable" else _("Endpoint disabled.")
            )
        elif action == "delete":
            endpoint.delete()
            messages.success(request, _("Endpoint deleted."))
            return redirect("webhooks")
        return redirect("webhook_detail", uid=endpoint.uid)
