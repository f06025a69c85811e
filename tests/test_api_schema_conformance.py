"""Every list and detail answer of the API matches the schema it publishes at /api/schema/,
nullability and enums included, for each kind of caller: a client generated from the
schema (openapi-python-client, see .ci/generated-client) must read every record.

The data is the demo's plus what the demo lacks: cycle reports of every scope (a global
one has neither region nor parliament), a queued one, a cycle with no commitment, evidence
that is a file, and a withdrawal in the changes feed."""

import datetime
import io
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30ReadValidator
from rest_framework import serializers

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Evidence, Parliament, ProgressUpdate, PublicationChange
from reports.models import Report

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "partner", "editor.ma", "secretariat"]

# Path parameter -> the key of a list item holding its value.
LOOKUP_KEYS = {"uid": "id"}
# Lists are validated whole (up to 500 rows); details for their first rows.
DETAILS_PER_LIST = 5
# Reads that are not for every caller: the status each refused caller must get (its body
# is still checked against the shared error schema), and the parameters a read needs.
REFUSED = {
    "/api/v1/submissions/due/": {"anonymous": 401, "partner": 403},
    "/api/v1/webhooks/": {"anonymous": 401},  # a caller's own endpoints
    "/api/v1/webhook-deliveries/": {"anonymous": 401},
}
PARAMETERS = {"/api/v1/submissions/due/": {"parliament": "MA"}}


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--allow-without-debug", stdout=io.StringIO())
    cycle = Cycle.objects.get(code="2021-progress")
    done = {"status": Report.Status.SUCCEEDED, "formats": ["json"], "progress": 100}
    Report.objects.create(cycle=cycle, scope="global", language="en", **done)
    Report.objects.create(cycle=cycle, scope="region", region="africa", language="fr", **done)
    morocco = Parliament.objects.get(iso2="MA")
    Report.objects.create(
        cycle=cycle, scope="parliament", parliament=morocco, language="en", **done
    )
    Report.objects.create(
        cycle=cycle, scope="parliament", parliament=morocco, internal=True, language="en", **done
    )
    Report.objects.create(cycle=cycle, scope="global", language="fr", formats=["pdf"])
    Cycle.objects.create(
        code="2034-imrf",
        title="International Migration Review Forum 2034",
        kind="imrf",
        due_date=datetime.date(2034, 5, 1),
        commitment=None,
    )
    update = ProgressUpdate.objects.published().order_by("id").first()
    Evidence.objects.create(
        progress_update=update,
        is_published_copy=True,
        file=ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf"),
        content_type="application/pdf",
        size=16,
    )
    PublicationChange.objects.create(
        kind="action", uid=update.action.uid, parliament=update.parliament, operation="delete"
    )
    # A webhook endpoint with a delivery given up and one waiting, for each signed-in caller.
    from django.contrib.auth import get_user_model

    from parliaments.webhooks.models import WebhookDelivery, WebhookEndpoint

    for user in get_user_model().objects.filter(username__in=PERSONAS):
        endpoint = WebhookEndpoint.objects.create(
            owner=user, url="https://partner.example.org/hooks", events=["action.published"]
        )
        WebhookDelivery.objects.create(
            endpoint=endpoint, state="failed", attempts=30, last_status=500, last_error="500"
        )
        WebhookDelivery.objects.create(endpoint=endpoint, events=[[1, "test"]], is_test=True)


def caller(username):
    client = Client()
    if username != "anonymous":
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(username=username)
        _token, key = services.api_token_create(user=user, name="schema conformance")
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    return client


def response_validator(schema, operation):
    """A validator for the operation's 200 JSON body. OpenAPI 3.0 `nullable` and
    `readOnly`/`writeOnly` are read as OpenAPI means them (openapi-schema-validator). Objects
    that list their properties accept no others: an undocumented field is a mismatch too."""
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    components = _closed(schema["components"])
    root = {"components": components, "allOf": [body]}
    return OAS30ReadValidator(root, format_checker=FORMATS)


FORMATS = FormatChecker()


@FORMATS.checks("uri")
def _is_absolute_uri(value):
    # jsonschema checks "uri" only with rfc3987 installed; without it, "" would match both
    # branches of a blank URL field's oneOf (a URI, or an empty string).
    return not isinstance(value, str) or bool(urlsplit(value).scheme)


def _closed(node):
    if isinstance(node, dict):
        node = {key: _closed(value) for key, value in node.items()}
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [_closed(item) for item in node]
    return node


def mismatches(validator, body, where):
    return [
        f"{where}: {'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}"
        for error in validator.iter_errors(body)
    ]


def list_and_detail_operations(schema):
    """(list path, its operation, detail path or None, its operation, path parameter)."""
    paths = schema["paths"]
    found = []
    for path, operations in paths.items():
        if "{" in path or "get" not in operations:
            continue
        detail = next(
            (
                (other, ops["get"])
                for other, ops in paths.items()
                if "get" in ops
                and other.startswith(path)
                and other.count("{") == 1
                and other[len(path) :].count("/") == 1
            ),
            (None, None),
        )
        parameter = detail[0][len(path) + 1 : -2] if detail[0] else None
        found.append((path, operations["get"], *detail, parameter))
    return found


@pytest.fixture
def unthrottled(monkeypatch):
    from compact_tracker.api import AnonThrottle, UserThrottle

    rates = {"anon": "100000/minute", "user": "100000/minute"}
    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(UserThrottle, "THROTTLE_RATES", rates)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_list_and_detail_answer_matches_the_published_schema(demo, unthrottled, persona):
    client = caller(persona)
    schema = client.get("/api/schema/?format=json").json()
    operations = list_and_detail_operations(schema)
    assert len(operations) >= 10, [path for path, *_rest in operations]

    problems = []
    called = 0
    for list_path, list_operation, detail_path, detail_operation, parameter in operations:
        response = client.get(
            list_path, {"page_size": 500, "limit": 500, **PARAMETERS.get(list_path, {})}
        )
        refused = REFUSED.get(list_path, {}).get(persona)
        if refused is not None:
            assert response.status_code == refused, (list_path, response.content[:300])
            error_schema = {"components": schema["components"]}
            error_schema["$ref"] = "#/components/schemas/Error"
            validator = OAS30ReadValidator(error_schema, format_checker=FORMATS)
            problems += mismatches(validator, response.json(), list_path)
            called += 1
            continue
        assert response.status_code == 200, (list_path, response.content[:300])
        body = response.json()
        problems += mismatches(response_validator(schema, list_operation), body, list_path)
        called += 1
        if detail_path is None:
            continue
        rows = body["results"]
        assert rows, f"no {list_path} for {persona}: the data should cover every endpoint"
        validator = response_validator(schema, detail_operation)
        key = LOOKUP_KEYS.get(parameter, parameter)
        for row in rows[:DETAILS_PER_LIST]:
            url = detail_path.replace(f"{{{parameter}}}", str(row[key]))
            response = client.get(url)
            assert response.status_code == 200, (url, response.content[:300])
            problems += mismatches(validator, response.json(), url)
            called += 1
    assert not problems, f"{len(problems)} mismatches in {called} answers:\n" + "\n".join(
        sorted(set(problems))[:60]
    )


# --- The same fault found without data: what the model allows, the field must declare. ----


def api_serializers():
    from commitments.api.urls import router as commitments
    from parliaments.api.urls import router as parliaments
    from reports.api.urls import router as reports

    seen = []
    pending = [
        viewset.serializer_class()
        for router in (commitments, parliaments, reports)
        for _prefix, viewset, _basename in router.registry
    ]
    while pending:
        serializer = pending.pop()
        seen.append(serializer)
        for field in serializer.fields.values():
            nested = getattr(field, "child", field)
            if isinstance(nested, serializers.Serializer):
                pending.append(type(nested)())
    return seen


def test_every_answered_field_allows_the_empty_values_its_model_column_holds():
    """A nullable column answered by a field without allow_null is documented as never
    null; a blank choice column answered by a read-only ChoiceField (DRF drops allow_blank
    for read-only fields) is documented as an enum without "". Either breaks clients
    generated from the schema the day such a row exists."""
    faults = []
    for serializer in api_serializers():
        if not isinstance(serializer, serializers.ModelSerializer):
            continue
        model = serializer.Meta.model
        for name, field in serializer.fields.items():
            if field.write_only or field.source == "*" or "." in field.source:
                continue
            try:
                column = model._meta.get_field(field.source)
            except FieldDoesNotExist:
                continue  # a property or a method: covered by the conformance test above
            if column.is_relation and column.auto_created:
                continue  # a reverse relation: a list, never null
            where = f"{type(serializer).__name__}.{name}"
            if column.null and not column.many_to_many and not field.allow_null:
                faults.append(f"{where}: {model.__name__}.{column.name} is nullable")
            blank_choice = column.blank and isinstance(field, serializers.ChoiceField)
            if blank_choice and not field.allow_blank and field.to_representation("") == "":
                faults.append(f"{where}: {model.__name__}.{column.name} may be blank")
    assert not faults, "\n".join(faults)
