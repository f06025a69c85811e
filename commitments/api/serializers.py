from rest_framework import serializers

from commitments.models import Commitment, Cycle, Instrument, Objective


class ObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objective
        fields = ["number", "title", "title_fr", "title_fr_status", "short_label", "gcm_paragraph"]


class InstrumentSerializer(serializers.ModelSerializer):
    objectives = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)

    class Meta:
        model = Instrument
        fields = ["code", "name", "category", "adopted_on", "in_force_on", "note", "objectives"]


class CommitmentSerializer(serializers.ModelSerializer):
    framework = serializers.SlugRelatedField(slug_field="code", read_only=True)
    objectives = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    instruments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "code",
            "framework",
            "paragraph",
            "title",
            "text",
            "due_date",
            "objectives",
            "instruments",
        ]


class CycleSerializer(serializers.ModelSerializer):
    # null for a cycle the secretariat added without a Rabat commitment.
    commitment = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Cycle
        fields = [
            "code",
            "title",
            "title_fr",
            "kind",
            "due_date",
            "due_date_precision",
            "commitment",
            "source",
            "reporters",
        ]
