from rest_framework import serializers

from commitments.models import Commitment, Cycle, Instrument, Objective, ObjectiveSdgTarget

LANGUAGE_HELP = (
    "In the language the request asks for with Accept-Language (en, fr, es, ar) when the "
    "reference data has it, else in English"
)


def localized(what="title"):
    return serializers.CharField(read_only=True, help_text=f"The {what}. {LANGUAGE_HELP}.")


def language_of(source, what="title"):
    return serializers.CharField(
        source=source,
        read_only=True,
        help_text=f"The language of localized_{what}: the one asked for, or en when there is "
        "no translation.",
    )


class SdgLinkSerializer(serializers.ModelSerializer):
    target = serializers.CharField(source="target.code", help_text="e.g. 10.c")
    title = serializers.CharField(source="target.title")
    localized_title = serializers.CharField(source="target.localized_title")
    basis = serializers.ChoiceField(
        choices=ObjectiveSdgTarget.Basis.choices,
        help_text="gcm: the Global Compact's own text; editorial: linked by the secretariat.",
    )

    class Meta:
        model = ObjectiveSdgTarget
        fields = ["target", "title", "localized_title", "basis", "source"]


class ObjectiveSerializer(serializers.ModelSerializer):
    localized_title = localized()
    localized_title_language = language_of("title_language")
    sdg_targets = SdgLinkSerializer(source="sdg_links", many=True, read_only=True)

    class Meta:
        model = Objective
        fields = [
            "number",
            "title",
            "title_fr",
            "title_fr_status",
            "title_es",
            "title_es_status",
            "localized_title",
            "localized_title_language",
            "short_label",
            "gcm_paragraph",
            "sdg_targets",
        ]


class InstrumentSerializer(serializers.ModelSerializer):
    objectives = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)

    localized_name = localized("name")
    localized_name_language = language_of("name_language", "name")

    class Meta:
        model = Instrument
        fields = [
            "code",
            "name",
            "name_fr",
            "name_fr_status",
            "localized_name",
            "localized_name_language",
            "category",
            "adopted_on",
            "in_force_on",
            "note",
            "objectives",
        ]


class CommitmentSerializer(serializers.ModelSerializer):
    framework = serializers.SlugRelatedField(slug_field="code", read_only=True)
    objectives = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    instruments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    localized_title = localized()
    localized_title_language = language_of("title_language")

    class Meta:
        model = Commitment
        fields = [
            "code",
            "framework",
            "paragraph",
            "title",
            "title_fr",
            "title_fr_status",
            "localized_title",
            "localized_title_language",
            "text",
            "due_date",
            "objectives",
            "instruments",
        ]


class CycleSerializer(serializers.ModelSerializer):
    # null for a cycle the secretariat added without a Rabat commitment.
    commitment = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    localized_title = localized()

    class Meta:
        model = Cycle
        fields = [
            "code",
            "title",
            "title_fr",
            "localized_title",
            "kind",
            "due_date",
            "due_date_precision",
            "commitment",
            "source",
            "reporters",
        ]
