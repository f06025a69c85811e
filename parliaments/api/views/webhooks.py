"""A partner's webhook endpoints through the API: the same as the webhooks page. Each
caller sees and changes only their own; the secret is in the answer that creates one."""

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from parliaments.models import Parliament, Region
from parliaments.webhooks import services, transport
from parliaments.webhooks.models import EVENT_NAMES, WebhookDelivery, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uid", read_only=True)
    url = serializers.URLField(max_length=500, help_text="https, on a public address.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_NAMES), allow_empty=False
    )
    parliaments = serializers.ListField(
        child=serializers.CharField(max_length=5),
        required=False,
        help_text="ISO alpha-2 codes; empty for every parliament.",
    )
    regions = serializers.ListField(
        child=serializers.ChoiceField(choices=Region.choices), required=False
    )
    objectives = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=23), required=False
    )
    secret = serializers.SerializerMethodField(
        help_text="The signing secret: in the answer that creates the endpoint only."
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "parliaments",
            "regions",
            "objectives",
            "is_active",
            "disabled_reason",
            "created_at",
            "secret",
        ]
        read_only_fields = ["disabled_reason", "created_at"]

    def get_secret(self, endpoint) -> str | None:
        return endpoint.secret if self.context.get("show_secret") else None

    def validate_url(self, value):
        try:
            transport.check_url(value)
        except transport.Refused as refused:
            raise serializers.ValidationError(
                f"This address cannot receive webhooks: {refused}."
            ) from None
        return value

    def validate_parliaments(self, value):
        codes = sorted({code.strip().upper() for code in value})
        known = set(Parliament.objects.filter(iso2__in=codes).values_list("iso2", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise serializers.ValidationError(f"Not a parliament's ISO code: {', '.join(unknown)}.")
        return codes


class WebhookDeliverySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uid", read_only=True)
    events = serializers.SerializerMethodField(help_text="How many events it carries.")
    test = serializers.BooleanField(source="is_test", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "state",
            "events",
            "test",
            "attempts",
            "last_status",
            "last_duration_ms",
            "last_error",
            "last_attempt_at",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_events(self, delivery) -> int:
        return len(delivery.events)


class RedeliverSerializer(serializers.Serializer):
    delivery = serializers.UUIDField(help_text="The id of the delivery to send again.")


DELIVERY_STARTED = inline_serializer(
    "WebhookDeliveryStarted", {"delivery": serializers.UUIDField()}
)


class WebhookViewSet(viewsets.ModelViewSet):
    """Your webhook endpoints: register, change, disable (`is_active`), delete; send a
    test event, redeliver (their deliveries: /api/v1/webhook-deliveries/)."""

    serializer_class = WebhookEndpointSerializer
    permission_classes = [drf_permissions.IsAuthenticated]
    lookup_field = "uid"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn without a caller
            return WebhookEndpoint.objects.none()
        return WebhookEndpoint.objects.filter(owner=self.request.user).order_by("-created_at")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        active = data.pop("is_active", True)
        endpoint = services.endpoint_create(owner=request.user, **data)
        if not active:
            services.endpoint_switch(endpoint, on=False)
        answer = self.get_serializer(
            endpoint, context={**self.get_serializer_context(), "show_secret": True}
        )
        return Response(answer.data, status=status.HTTP_201_CREATED)

    @transaction.atomic
    def perform_update(self, serializer):
        before = serializer.instance.is_active
        endpoint = serializer.save()
        if endpoint.is_active != before:
            services.endpoint_switch(endpoint, on=endpoint.is_active)

    @extend_schema(request=None, responses={202: DELIVERY_STARTED})
    @action(detail=True, methods=["post"])
    def test(self, request, **kwargs):
        """Send a test event (the newest published change, marked `"test": true`)."""
        delivery = services.send_test(self.get_object())
        return Response({"delivery": delivery.uid}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=RedeliverSerializer,
        responses={202: DELIVERY_STARTED},
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request, **kwargs):
        """Send a delivery again, after the ones waiting; the endpoint is enabled."""
        asked = RedeliverSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        wanted = asked.validated_data["delivery"]
        delivery = self.get_object().deliveries.filter(uid=wanted).first()
        if delivery is None:
            raise serializers.ValidationError({"delivery": ["No such delivery of this endpoint."]})
        copy = services.redeliver(delivery)
        return Response({"delivery": copy.uid}, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    """The deliveries to your endpoints, newest first (`?endpoint=<id>` for one): state,
    response code, time taken, attempts and the next attempt."""

    serializer_class = WebhookDeliverySerializer
    permission_classes = [drf_permissions.IsAuthenticated]
    lookup_field = "uid"
    filterset_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "endpoint", OpenApiTypes.UUID, description="Only this endpoint's deliveries."
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn without a caller
            return WebhookDelivery.objects.none()
        queryset = WebhookDelivery.objects.filter(endpoint__owner=self.request.user).order_by("-id")
        wanted = self.request.query_params.get("endpoint")
        if wanted is not None and self.action == "list":
            try:
                endpoint = serializers.UUIDField().to_internal_value(wanted)
            except serializers.ValidationError as error:
                raise serializers.ValidationError({"endpoint": error.detail}) from None
            queryset = queryset.filter(endpoint__uid=endpoint)
        return queryset
