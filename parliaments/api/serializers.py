"""API shapes. Records are addressed by stable identifiers: parliaments by ISO alpha-2,
objectives by number, commitments/cycles/instruments by code, and plans, actions and
progress updates by their uid (the same for a draft and its published copy)."""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commitments.models import Commitment, Cycle, Instrument, Objective
from parliaments import selectors
from parliaments.models import (
    Action,
    Evidence,
    Parliament,
    PlanOfAction,
    ProgressUpdate,
    Submission,
    SubmissionEvent,
)


class ParliamentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="The IPU's English name.")
    names = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The country's name in the interface's other languages (fr, es, ar), from "
        "the Unicode CLDR.",
    )
    localized_name = serializers.CharField(
        read_only=True,
        help_text="The name in the language the request asks for with Accept-Language.",
    )

    class Meta:
        model = Parliament
        fields = [
            "iso2",
            "iso3",
            "name",
            "names",
            "localized_name",
            "region",
            "subregion",
            "structure",
            "is_ipu_member",
        ]


LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class TranslationsField(serializers.Field):
    """A parliament's text in other languages than the one it is written in, keyed by
    language: `{"fr": {"title": "…", "description": "…"}}`. On a write, each language
    given replaces that language's translation (empty strings or null remove it);
    languages not given are kept."""

    model, texts = None, ()

    def __init__(self, **kwargs):
        kwargs.update(source="*", required=False)
        super().__init__(**kwargs)

    def to_representation(self, record):
        return {
            code: {text: getattr(record, f"{text}_in_{code}") for text in self.texts}
            for code in record.translation_languages()
        }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                'Expected an object keyed by language, e.g. {"fr": {...}}.'
            )
        attrs, errors = {}, {}
        for code, texts in data.items():
            if code not in LANGUAGE_CODES:
                errors[str(code)] = [f"Not one of the languages: {', '.join(LANGUAGE_CODES)}."]
                continue
            texts = {} if texts is None else texts
            if not isinstance(texts, dict):
                errors[code] = [f"Expected an object with {', '.join(self.texts)}."]
                continue
            unknown = sorted(str(key) for key in set(texts) - set(self.texts))
            if unknown:
                errors[code] = [f"Unknown field(s): {', '.join(unknown)}."]
                continue
            for text in self.texts:
                value = texts.get(text) or ""
                if not isinstance(value, str):
                    errors[code] = [f"{text}: expected a string."]
                    break
                limit = self.model._meta.get_field(f"{text}_in_{code}").max_length
                if limit and len(value) > limit:
                    errors[code] = [f"{text}: at most {limit} characters."]
                    break
                attrs[f"{text}_in_{code}"] = value.strip()
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def _translations_schema(*texts):
    text = {"type": "object", "properties": {name: {"type": "string"} for name in texts}}
    return {
        "type": "object",
        "additionalProperties": text,
        "description": "The text in other languages (fr, es, ar, en), keyed by language. "
        "On a write, each language given replaces its translation; null removes it.",
        "example": {"fr": dict.fromkeys(texts, "…")},
    }


@extend_schema_field(_translations_schema("title", "summary"))
class PlanTranslationsField(TranslationsField):
    model, texts = PlanOfAction, ("title", "summary")


@extend_schema_field(_translations_schema("title", "description"))
class ActionTranslationsField(TranslationsField):
    model, texts = Action, ("title", "description")


@extend_schema_field(_translations_schema("narrative"))
class ProgressTranslationsField(TranslationsField):
    model, texts = ProgressUpdate, ("narrative",)


class PublishableSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uid", read_only=True)
    parliament = serializers.SlugRelatedField(slug_field="iso2", read_only=True)
    is_published = serializers.BooleanField(source="is_published_copy", read_only=True)
    version = serializers.IntegerField(
        required=False,
        help_text="On update: the version you read. A newer version on the server answers 409.",
    )

    class Meta:
        read_only_fields = ["published_at", "updated_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        # The model's rule (Publishable.check_translations), reported under `translations`.
        model = self.Meta.model
        written = attrs.get("language") or getattr(self.instance, "language", None) or "en"
        values = {
            column: attrs.get(column, getattr(self.instance, column, ""))
            for column in model.translation_columns()
        }
        errors = [
            f"{column.rsplit('_in_', 1)[1]}: {message}"
            for column, message in model.check_translations(values, written).items()
        ]
        if errors:
            raise serializers.ValidationError({"translations": errors})
        return attrs


class PlanSerializer(PublishableSerializer):
    document = serializers.SerializerMethodField()
    translations = PlanTranslationsField()
    adopted_on_time = serializers.BooleanField(read_only=True)

    class Meta(PublishableSerializer.Meta):
        model = PlanOfAction
        fields = [
            "id",
            "parliament",
            "title",
            "summary",
            "language",
            "translations",
            "status",
            "adopted_on",
            "adopted_on_time",
            "adopting_body",
            "period_start",
            "period_end",
            "document",
            "document_url",
            "is_current",
            "is_published",
            "version",
            "published_at",
            "updated_at",
        ]
        read_only_fields = ["is_current", "published_at", "updated_at"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_document(self, plan):
        if not plan.document:
            return None
        request = self.context.get("request")
        url = reverse("parliaments:plan_document", args=[plan.pk])
        return request.build_absolute_uri(url) if request else url


class OwnDraftField(serializers.SlugRelatedField):
    """A link to a draft the caller may see (selectors' `*_visible_to`): for a parliament's
    staff, their own parliament's drafts; any other id is "does not exist", whoever owns
    it. `queryset` stays the model's drafts, for the schema."""

    def __init__(self, visible_to, **kwargs):
        self.visible_to = visible_to
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.visible_to(self.context["request"].user).drafts()


class ActionSerializer(PublishableSerializer):
    plan = OwnDraftField(
        selectors.plan_visible_to,
        slug_field="uid",
        queryset=PlanOfAction.objects.drafts(),
        required=False,
        help_text="The plan's id; defaults to the parliament's current plan.",
    )
    commitments = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        queryset=Commitment.objects.all(),
        help_text='Rabat commitment codes, e.g. ["R7a.1"]. At least one.',
    )
    objectives = serializers.SlugRelatedField(
        slug_field="number",
        many=True,
        queryset=Objective.objects.all(),
        help_text="GCM objective numbers, e.g. [6, 7]. At least one.",
    )
    instrument = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Instrument.objects.all(),
        required=False,
        allow_null=True,
        help_text="For a ratification: the instrument's code, e.g. ICRMW.",
    )
    translations = ActionTranslationsField()

    class Meta(PublishableSerializer.Meta):
        model = Action
        fields = [
            "id",
            "parliament",
            "plan",
            "title",
            "description",
            "language",
            "translations",
            "action_type",
            "commitments",
            "objectives",
            "instrument",
            "responsible_body",
            "start_date",
            "target_date",
            "completion",
            "is_good_practice",
            "is_published",
            "version",
            "published_at",
            "updated_at",
        ]
        read_only_fields = ["is_good_practice", "published_at", "updated_at"]


class EvidenceSerializer(serializers.ModelSerializer):
    file = serializers.SerializerMethodField(
        help_text="Where to download the file; null for a link, and for a published file "
        "its parliament did not mark public (unless you are its staff or the secretariat)."
    )
    public = serializers.BooleanField(
        source="is_public",
        read_only=True,
        help_text="Whether anyone may open the file once published.",
    )

    class Meta:
        model = Evidence
        fields = ["title", "url", "file", "public", "content_type", "size"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_file(self, evidence):
        request = self.context.get("request")
        if not selectors.can_open_evidence_file(getattr(request, "user", None), evidence):
            return None
        url = reverse("parliaments:evidence_download", args=[evidence.pk])
        return request.build_absolute_uri(url) if request else url


class LinkSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    url = serializers.URLField(max_length=500)


class ProgressUpdateSerializer(PublishableSerializer):
    action = OwnDraftField(
        selectors.action_visible_to,
        slug_field="uid",
        queryset=Action.objects.drafts(),
        help_text="The action's id.",
    )
    cycle = serializers.SlugRelatedField(slug_field="code", queryset=Cycle.objects.all())
    evidence = EvidenceSerializer(many=True, read_only=True)
    links = LinkSerializer(many=True, write_only=True, required=False, help_text="Evidence links.")
    translations = ProgressTranslationsField()

    class Meta(PublishableSerializer.Meta):
        model = ProgressUpdate
        fields = [
            "id",
            "parliament",
            "action",
            "date",
            "cycle",
            "completion",
            "narrative",
            "language",
            "translations",
            "evidence",
            "links",
            "is_published",
            "version",
            "published_at",
            "updated_at",
        ]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        action = attrs.get("action") or getattr(self.instance, "action", None)
        cycle = attrs.get("cycle")
        if action and cycle and not selectors.reports_in(action.parliament, cycle):
            raise serializers.ValidationError(
                {"cycle": ["This parliament does not report in this cycle."]}
            )
        return attrs


class SubmissionEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name", read_only=True)

    class Meta:
        model = SubmissionEvent
        fields = ["kind", "round", "at", "actor", "text"]
        read_only_fields = fields


class SubmissionSerializer(serializers.ModelSerializer):
    parliament = serializers.SlugRelatedField(slug_field="iso2", read_only=True)
    cycle = serializers.SlugRelatedField(slug_field="code", read_only=True)
    is_late = serializers.BooleanField(read_only=True, allow_null=True)
    events = SubmissionEventSerializer(many=True, read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id",
            "uid",
            "parliament",
            "cycle",
            "status",
            "round",
            "first_submitted_at",
            "submitted_at",
            "reviewed_at",
            "is_late",
            "review_comment",
            "events",
            "updated_at",
        ]
        read_only_fields = fields


class SubmissionOpenSerializer(serializers.Serializer):
    cycle = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Cycle.objects.all(),
        help_text="The cycle's code, e.g. `2022-imrf` (see /api/v1/cycles/).",
    )


class DueCycleSerializer(serializers.Serializer):
    cycle = serializers.CharField(source="cycle.code")
    title = serializers.CharField(source="cycle.localized_title")
    due_date = serializers.DateField(source="cycle.due_date")
    days_left = serializers.IntegerField(help_text="Negative when overdue.")
    is_next_due = serializers.BooleanField(
        help_text="The first cycle the parliament still has to send."
    )
    status = serializers.ChoiceField(
        choices=[("not_started", "Not started"), *Submission.Status.choices],
        help_text="The submission's status, or `not_started` when none is open.",
    )
    submission = serializers.IntegerField(
        source="submission.pk", allow_null=True, default=None, help_text="Its id, or null."
    )
    round = serializers.IntegerField(source="submission.round", allow_null=True, default=None)
    first_submitted_at = serializers.DateTimeField(
        source="submission.first_submitted_at", allow_null=True, default=None
    )
    is_late = serializers.BooleanField(source="submission.is_late", allow_null=True, default=None)


class DueCyclesSerializer(serializers.Serializer):
    parliament = serializers.CharField(help_text="ISO 3166 alpha-2 code.")
    today = serializers.DateField()
    results = DueCycleSerializer(many=True)


class SubmitSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="An optional cover note to the secretariat, kept in the history as yours.",
    )


class ReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
