from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from translated_fields.admin import TranslatedFieldAdmin

from compact_tracker.admin import HistoryAdmin, ModelAdmin
from parliaments.models import (
    Action,
    ApiToken,
    CycleParliament,
    DigestSettings,
    Evidence,
    Follow,
    FollowCursor,
    Notification,
    OutboxMessage,
    Parliament,
    PlanOfAction,
    Profile,
    ProgressUpdate,
    PublicationChange,
    Ratification,
    RatificationProposal,
    Submission,
    SubmissionComment,
    SubmissionEvent,
    WebhookCursor,
    WebhookDelivery,
    WebhookEndpoint,
)


@admin.register(Parliament)
class ParliamentAdmin(ModelAdmin):
    list_display = ["name", "iso2", "iso3", "region", "subregion", "structure", "is_ipu_member"]
    list_filter = ["region", "structure", "is_ipu_member", "membership_evidence"]
    search_fields = ["name", "=iso2", "=iso3", "subregion"]
    ordering = ["name"]


@admin.register(CycleParliament)
class CycleParliamentAdmin(ModelAdmin):
    """Who reports in a cycle open to listed parliaments (set on the site's cycle form)."""

    list_display = ["cycle", "parliament"]
    list_filter = ["cycle"]
    search_fields = ["parliament__name", "=parliament__iso2", "cycle__code"]
    list_select_related = ["cycle", "parliament"]
    autocomplete_fields = ["parliament"]


@admin.register(Profile)
class ProfileAdmin(HistoryAdmin):
    list_display = ["user", "role", "parliament"]
    list_filter = ["role", "parliament__region"]
    search_fields = ["user__username", "user__email", "parliament__name", "=parliament__iso2"]
    autocomplete_fields = ["user", "parliament"]
    list_select_related = ["user", "parliament"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["parliament"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "email", "first_name", "last_name", "role", "is_active"]
    list_filter = [*UserAdmin.list_filter, "profile__role"]
    list_select_related = ["profile"]

    @admin.display(description="role", ordering="profile__role")
    def role(self, user):
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else "—"


class PublishableAdmin(TranslatedFieldAdmin, HistoryAdmin):
    """Drafts and published copies side by side; copies are written only by acceptance.
    A text's translations are labelled with their language ("Title [fr]")."""

    readonly_fields = ["uid", "is_published_copy", "published_at", "version"]
    list_select_related = ["parliament"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published_copy:
            return False
        return super().has_change_permission(request, obj)


@admin.register(PlanOfAction)
class PlanOfActionAdmin(PublishableAdmin):
    list_display = [
        "title",
        "parliament",
        "status",
        "adopted_on",
        "is_current",
        "is_published_copy",
    ]
    list_filter = ["status", "is_current", "is_published_copy", "parliament__region"]
    search_fields = ["title", "summary", "parliament__name", "=parliament__iso2"]
    autocomplete_fields = ["parliament"]
    date_hierarchy = "adopted_on"


@admin.register(Action)
class ActionAdmin(PublishableAdmin):
    list_display = [
        "title",
        "parliament",
        "action_type",
        "completion",
        "is_good_practice",
        "is_published_copy",
        "updated_at",
    ]
    list_filter = [
        "action_type",
        "completion",
        "is_good_practice",
        "is_published_copy",
        "parliament__region",
        "objectives",
    ]
    search_fields = ["title", "description", "parliament__name", "=parliament__iso2"]
    autocomplete_fields = ["parliament", "plan", "instrument"]
    filter_horizontal = ["commitments", "objectives"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(PublishableAdmin):
    list_display = ["action", "parliament", "date", "cycle", "completion", "is_published_copy"]
    list_filter = ["cycle", "completion", "is_published_copy", "parliament__region"]
    search_fields = ["narrative", "action__title", "parliament__name"]
    autocomplete_fields = ["action", "parliament"]
    list_select_related = ["action", "parliament", "cycle"]
    date_hierarchy = "date"


@admin.register(Evidence)
class EvidenceAdmin(PublishableAdmin):
    list_display = ["__str__", "progress_update", "content_type", "size", "is_published_copy"]
    list_filter = ["content_type", "is_published_copy"]
    search_fields = ["title", "original_name", "url"]
    autocomplete_fields = ["progress_update"]
    list_select_related = ["progress_update__action"]


class SubmissionCommentInline(admin.TabularInline):
    model = SubmissionComment
    extra = 0
    fields = ["round", "plan", "action", "body", "author", "created_at"]
    readonly_fields = fields


class SubmissionEventInline(admin.TabularInline):
    model = SubmissionEvent
    extra = 0
    fields = ["at", "kind", "round", "actor", "text"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SubmissionEvent)
class SubmissionEventAdmin(ModelAdmin):
    """The submission's history is a log: read it here, never rewrite it."""

    list_display = ["submission", "kind", "round", "actor", "at"]
    list_filter = ["kind"]
    search_fields = ["text", "submission__parliament__name"]
    list_select_related = ["submission__parliament", "submission__cycle", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(HistoryAdmin):
    list_display = ["parliament", "cycle", "status", "round", "submitted_at", "reviewed_at"]
    list_filter = ["status", "cycle", "parliament__region"]
    search_fields = ["parliament__name", "=parliament__iso2", "review_comment"]
    list_select_related = ["parliament", "cycle"]
    readonly_fields = ["summary", "version"]
    inlines = [SubmissionEventInline, SubmissionCommentInline]
    autocomplete_fields = ["parliament"]


@admin.register(SubmissionComment)
class SubmissionCommentAdmin(ModelAdmin):
    list_display = ["submission", "round", "action", "plan", "author", "created_at"]
    search_fields = ["body", "submission__parliament__name"]
    list_select_related = [
        "submission__parliament",
        "submission__cycle",
        "action",
        "plan",
        "author",
    ]
    raw_id_fields = ["submission", "action", "plan"]


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    """The secretariat can see and revoke tokens; keys are never stored, so never shown."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # tokens are created by their owner, who must see the key once

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        from django.utils import timezone

        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@admin.register(PublicationChange)
class PublicationChangeAdmin(ModelAdmin):
    list_display = ["id", "operation", "kind", "uid", "parliament", "at"]
    list_filter = ["operation", "kind"]
    search_fields = ["=uid", "parliament__name"]
    list_select_related = ["parliament"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OutboxStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("waiting", _("Waiting")), ("failing", _("Failing")), ("sent", _("Sent"))]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(sent_at__isnull=True, attempts=0)
        if self.value() == "failing":
            return queryset.filter(sent_at__isnull=True, attempts__gt=0)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ModelAdmin):
    """Emails and task dispatches waiting in the outbox (or sent). Read-only: the sweep
    sends them; "send again now" puts a failing one back at the front of the queue."""

    list_display = ["created_at", "kind", "to", "subject", "attempts", "next_attempt_at", "sent_at"]
    list_filter = [OutboxStateFilter, "kind"]
    search_fields = ["to", "subject", "last_error", "task"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["send_again_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send again now"))
    def send_again_now(self, request, queryset):
        count = queryset.filter(sent_at__isnull=True).update(next_attempt_at=timezone.now())
        self.message_user(
            request, _("%(count)s message(s) will be sent at the next sweep.") % {"count": count}
        )


@admin.register(Ratification)
class RatificationAdmin(HistoryAdmin):
    """Who is party to which instrument (Rabat §7(a)), with the source's quality: verified
    in the UN Treaty Collection or NORMLEX, a secondary copy, or a parliament's own word."""

    list_display = [
        "parliament",
        "instrument",
        "status",
        "date",
        "date_kind",
        "quality",
        "as_of",
        "verified_at",
    ]
    list_filter = ["status", "quality", "instrument__category", "instrument", "parliament__region"]
    search_fields = ["parliament__name", "=parliament__iso2", "instrument__code", "note"]
    list_select_related = ["parliament", "instrument"]
    autocomplete_fields = ["parliament"]
    readonly_fields = ["uid", "recorded_by", "verified_by", "verified_at", "updated_at"]
    raw_id_fields = ["credited_action"]
    date_hierarchy = "date"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(RatificationProposal)
class RatificationProposalAdmin(HistoryAdmin):
    """Parliaments' reports of a new status. They are verified or declined on the site
    (the review queue or the matrix), where the status is updated and the action
    credited; here they can be read and searched."""

    list_display = ["parliament", "instrument", "status", "date", "state", "proposed_at"]
    list_filter = ["state", "status", "instrument__category", "parliament__region"]
    search_fields = ["parliament__name", "=parliament__iso2", "instrument__code", "note"]
    list_select_related = ["parliament", "instrument"]
    readonly_fields = [
        "state",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
        "reason",
    ]
    raw_id_fields = ["action"]
    autocomplete_fields = ["parliament"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ModelAdmin):
    """Partners' webhook endpoints (they manage them on their webhooks page); the secret
    is never shown."""

    list_display = ["url", "owner", "is_active", "created_at", "disabled_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "owner__username", "owner__email"]
    exclude = ["secret"]
    readonly_fields = ["uid", "created_at", "disabled_at"]


class ReadOnlyAdmin(ModelAdmin):
    """Rows the app writes: the admin reads them, adds none."""

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name != "body"]


@admin.register(WebhookCursor)
class WebhookCursorAdmin(ReadOnlyAdmin):
    """How far the changes feed has been turned into webhook deliveries."""

    list_display = ["last_change_id"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["uid", "endpoint", "state", "attempts", "last_status", "created_at"]
    list_filter = ["state", "is_test"]
    search_fields = ["=uid", "endpoint__url"]
    list_select_related = ["endpoint"]
    exclude = ["body"]
    readonly_fields = [
        "uid",
        "endpoint",
        "events",
        "is_test",
        "state",
        "attempts",
        "next_attempt_at",
        "last_status",
        "last_duration_ms",
        "last_error",
        "last_attempt_at",
        "delivered_at",
        "created_at",
    ]


@admin.register(Follow)
class FollowAdmin(ModelAdmin):
    """Who follows what (people manage their own on their following page)."""

    list_display = ["user", "parliament", "objective", "commitment", "created_at"]
    search_fields = ["user__username", "user__email", "parliament__name", "commitment__code"]
    list_select_related = ["user", "parliament", "objective", "commitment"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["parliament"]


@admin.register(DigestSettings)
class DigestSettingsAdmin(ModelAdmin):
    list_display = ["user", "frequency", "language", "last_sent_at", "unsubscribed_at"]
    list_filter = ["frequency", "language"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["last_notification_id", "last_sent_at", "unsubscribed_at"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """What the follows produced, per person (written by notify_followers)."""

    list_display = ["user", "event", "title", "parliament", "created_at", "read_at"]
    list_filter = ["event"]
    search_fields = ["user__username", "title"]
    list_select_related = ["user", "parliament"]


@admin.register(FollowCursor)
class FollowCursorAdmin(ReadOnlyAdmin):
    """How far the changes feed has been turned into notifications."""

    list_display = ["last_change_id"]
