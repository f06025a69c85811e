"""The JSON Schema of a cycle report's JSON file, published at /api/v1/reports/schema.json
(reports.api) so that partners can validate what they download. Raise JSON_SCHEMA_VERSION
when a field is removed or changes meaning; adding one keeps the version."""

from parliaments.models import ActionType, Completion, PlanOfAction, Region

JSON_SCHEMA_VERSION = "2"

STATUS = {"type": "string", "enum": ["on_time", "late", "none"]}
# Missing dates are null; present ones are ISO 8601 (YYYY-MM-DD).
DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
# Null where no progress update records it.
COMPLETION_OR_NULL = {"enum": [*Completion.values, None]}
COUNTS = {
    "type": "object",
    "required": ["on_time", "late", "none"],
    "properties": {k: {"type": "integer", "minimum": 0} for k in ("on_time", "late", "none")},
}
JSON_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Compact Tracker cycle report",
    "type": "object",
    "required": [
        "schema_version",
        "report",
        "summary",
        "parliaments",
        "objectives",
        "commitments",
        "actions",
        "progress",
    ],
    "properties": {
        "schema_version": {"const": JSON_SCHEMA_VERSION},
        "report": {
            "type": "object",
            "required": ["cycle", "scope", "language", "version", "generated_at"],
            "properties": {
                "cycle": {"type": "string"},
                "scope": {"enum": ["global", "region", "parliament"]},
                "language": {"enum": ["en", "fr"]},
                "version": {"type": "integer", "minimum": 1},
                "internal": {"type": "boolean"},
                "generated_at": {"type": "string", "format": "date-time"},
            },
        },
        "summary": {
            "type": "object",
            "required": ["parliaments", "plan_adoption", "report_compliance", "completion"],
            "properties": {
                "parliaments": {"type": "integer", "minimum": 0},
                "plan_adoption": COUNTS,
                "report_compliance": COUNTS,
                "completion": {"type": "object", "additionalProperties": {"type": "integer"}},
            },
        },
        "parliaments": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["iso2", "name", "region", "plan", "report", "actions"],
                "properties": {
                    "iso2": {"type": "string", "pattern": "^([A-Z]{2}|X[0-9]{4})$"},
                    "name": {"type": "string", "description": "in the report's language"},
                    "region": {"enum": list(Region.values)},
                    "plan_status": {"enum": ["", *PlanOfAction.Status.values]},
                    "plan_adopted_on": DATE_OR_NULL,
                    "plan": STATUS,
                    "report": STATUS,
                    "actions": {"type": "integer", "minimum": 0},
                },
            },
        },
        "objectives": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["number", "title", "parliaments", "actions"],
                "properties": {
                    "number": {"type": "integer", "minimum": 1, "maximum": 23},
                    "sdg_targets": {
                        "description": "SDG targets linked to the objective: `gcm` where the "
                        "Compact's own text links them, `editorial` where the IPU secretariat "
                        "did.",
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["target", "basis"],
                            "properties": {
                                "target": {"type": "string", "examples": ["10.c"]},
                                "basis": {"enum": ["gcm", "editorial"]},
                            },
                        },
                    },
                },
            },
        },
        "commitments": {
            "type": "array",
            "items": {"type": "object", "required": ["code", "actions"]},
        },
        "actions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "id",
                    "parliament",
                    "title",
                    "type",
                    "completion",
                    "commitments",
                    "objectives",
                ],
                "properties": {
                    "id": {
                        "type": "string",
                        "format": "uuid",
                        "description": "the action's id, as in the API and in `progress`",
                    },
                    "parliament": {"type": "string", "description": "ISO 3166 alpha-2"},
                    "parliament_name": {"type": "string"},
                    "type": {"enum": list(ActionType.values)},
                    "completion": {"enum": list(Completion.values)},
                    "completion_at_start": COMPLETION_OR_NULL,
                    "completion_at_end": COMPLETION_OR_NULL,
                    "instrument": {"type": ["string", "null"]},
                    "target_date": DATE_OR_NULL,
                    "good_practice": {"type": "boolean"},
                },
            },
        },
        "ratifications_since_rabat": {
            "description": "Progress and IMRF reports: the states of the report's scope that "
            "became party to a Rabat §7(a) instrument after `since` (7 December 2018), by "
            "instrument and region, each with its source and the parliament action credited.",
            "type": "object",
            "required": ["since", "by_instrument", "states"],
            "properties": {
                "since": {"type": "string", "format": "date"},
                "by_instrument": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["instrument", "joined", "regions"],
                        "properties": {
                            "instrument": {"type": "string"},
                            "name": {"type": "string"},
                            "joined": {"type": "integer", "minimum": 0},
                            "regions": {
                                "type": "object",
                                "additionalProperties": {"type": "integer", "minimum": 0},
                            },
                            "sources_as_of": DATE_OR_NULL,
                        },
                    },
                },
                "states": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["iso2", "instrument", "date", "source", "quality"],
                        "properties": {
                            "iso2": {"type": "string"},
                            "name": {"type": "string"},
                            "region": {"enum": list(Region.values)},
                            "instrument": {"type": "string"},
                            "date": {"type": "string", "format": "date"},
                            "year_only": {"type": "boolean"},
                            "date_kind": {"type": "string"},
                            "source": {"type": "string"},
                            "as_of": DATE_OR_NULL,
                            "quality": {"enum": ["V", "V2", "P"]},
                            "credited_action": {
                                "type": "string",
                                "description": "the title of the parliament action credited "
                                "with the change, or empty",
                            },
                        },
                    },
                },
            },
        },
        "progress": {
            "description": "The progress narratives recorded for the cycle, one per progress "
            "update, in the order of `actions` and then by date.",
            "type": "array",
            "items": {
                "type": "object",
                "required": ["action", "parliament", "date", "completion", "narrative", "evidence"],
                "properties": {
                    "action": {"type": "string", "format": "uuid", "description": "an action's id"},
                    "parliament": {"type": "string", "description": "ISO 3166 alpha-2"},
                    "parliament_name": {"type": "string"},
                    "date": {"type": "string", "format": "date"},
                    "completion": {"enum": list(Completion.values)},
                    "completion_label": {"type": "string"},
                    "narrative": {"type": "string"},
                    "evidence": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["kind", "title", "url", "public"],
                            "properties": {
                                "kind": {"enum": ["file", "link"]},
                                "title": {"type": "string"},
                                "url": {
                                    "type": ["string", "null"],
                                    "format": "uri",
                                    "description": "null for a file the report's reader "
                                    "may not open (not marked public by its parliament)",
                                },
                                "public": {"type": "boolean"},
                            },
                        },
                    },
                },
            },
        },
    },
}
