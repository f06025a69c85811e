"""The whole published dataset as a Frictionless Data Package: `datapackage.json` with a
Table Schema for each CSV (parliaments, plans, actions, their links to objectives and
commitments, progress updates, evidence links, accepted submissions, treaty statuses) and
the licence the data is published under.

What it holds is what the API shows a visitor, read through the same selectors, so every
table has the row count of its API list. Built nightly by Celery (reports.tasks) and on
demand (`manage.py publish_datapackage`); each build is kept under its date
(`datapackage/<YYYY-MM-DD>/` in the media storage) and `datapackage/LATEST` names the
newest, which /data/latest/ serves at a stable URL."""

import csv
import datetime
import io
import json
import zipfile

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from parliaments import selectors
from parliaments.models import Action, Evidence, Parliament
from parliaments.ratifications.models import Ratification

FOLDER = "datapackage"
LATEST = f"{FOLDER}/LATEST"
NAME = "compact-tracker"


def _string(name, description, **extra):
    return {"name": name, "type": "string", "description": description, **extra}


def _date(name, description):
    return {"name": name, "type": "date", "description": description}


def _uuid(name, description, required=True):
    field = {"name": name, "type": "string", "format": "uuid", "description": description}
    if required:
        field["constraints"] = {"required": True}
    return field


ISO2 = {"pattern": "^([A-Z]{2}|X[0-9]{4})$"}


def tables():
    """(name, title, fields, primary key, foreign keys, rows) for each resource; rows is a
    function giving tuples in the order of the fields."""
    visitor = AnonymousUser()
    plans = selectors.plan_visible_to(visitor)
    actions = selectors.action_visible_to(visitor)
    updates = selectors.progress_update_visible_to(visitor)
    evidence = Evidence.objects.filter(progress_update__in=updates)
    action_links = Action.objects.filter(pk__in=actions.values("pk"))
    return [
        (
            "parliaments",
            "IPU member parliaments and the other parliaments the tracker knows",
            [
                _string("iso2", "ISO 3166 alpha-2 code", constraints={"required": True, **ISO2}),
                _string("iso3", "ISO 3166 alpha-3 code"),
                _string("name", "Country name in English"),
                _string("region", "UN M49 region"),
                _string("subregion", "UN M49 sub-region"),
                _string("structure", "unicameral or bicameral"),
                {"name": "is_ipu_member", "type": "boolean", "description": "IPU member"},
            ],
            "iso2",
            [],
            lambda: Parliament.objects.order_by("iso2").values_list(
                "iso2", "iso3", "name", "region", "subregion", "structure", "is_ipu_member"
            ),
        ),
        (
            "plans",
            "Published plans of action",
            [
                _uuid("id", "The plan's id, as in the API"),
                _string("parliament", "ISO alpha-2 code of the parliament"),
                _string("title", "Title, in the language it was written in"),
                _string("language", "The language it was written in"),
                _string("status", "Status of the plan"),
                _date("adopted_on", "Adoption date"),
                _string("adopting_body", "Who adopted it"),
                _date("period_start", "Period covered from"),
                _date("period_end", "Period covered until"),
                {"name": "is_current", "type": "boolean", "description": "The current plan"},
                _string("summary", "Summary"),
                _string("document_url", "Link to the plan's document"),
            ],
            "id",
            [{"fields": "parliament", "reference": {"resource": "parliaments", "fields": "iso2"}}],
            lambda: plans.order_by("parliament__iso2", "uid").values_list(
                "uid",
                "parliament__iso2",
                "title",
                "language",
                "status",
                "adopted_on",
                "adopting_body",
                "period_start",
                "period_end",
                "is_current",
                "summary",
                "document_url",
            ),
        ),
        (
            "actions",
            "Published actions of the plans",
            [
                _uuid("id", "The action's id, as in the API"),
                _string("parliament", "ISO alpha-2 code of the parliament"),
                _uuid("plan", "The plan's id"),
                _string("title", "Title, in the language it was written in"),
                _string("language", "The language it was written in"),
                _string("description", "Description"),
                _string("action_type", "Type of action"),
                _string("instrument", "Code of the instrument a ratification is about"),
                _string("responsible_body", "Responsible committee or body"),
                _date("start_date", "Start date"),
                _date("target_date", "Target date"),
                _string("completion", "Completion"),
                {"name": "good_practice", "type": "boolean", "description": "Good practice"},
            ],
            "id",
            [
                {
                    "fields": "parliament",
                    "reference": {"resource": "parliaments", "fields": "iso2"},
                },
                {"fields": "plan", "reference": {"resource": "plans", "fields": "id"}},
            ],
            lambda: actions.order_by("parliament__iso2", "uid").values_list(
                "uid",
                "parliament__iso2",
                "plan__uid",
                "title",
                "language",
                "description",
                "action_type",
                "instrument__code",
                "responsible_body",
                "start_date",
                "target_date",
                "completion",
                "is_good_practice",
            ),
        ),
        (
            "action_objectives",
            "Which GCM objectives each action serves",
            [_uuid("action", "The action's id"), {"name": "objective", "type": "integer"}],
            ["action", "objective"],
            [{"fields": "action", "reference": {"resource": "actions", "fields": "id"}}],
            lambda: (
                action_links.filter(objectives__isnull=False)
                .order_by("uid", "objectives__number")
                .values_list("uid", "objectives__number")
            ),
        ),
        (
            "action_commitments",
            "Which Rabat commitments each action answers",
            [_uuid("action", "The action's id"), _string("commitment", "Commitment code")],
            ["action", "commitment"],
            [{"fields": "action", "reference": {"resource": "actions", "fields": "id"}}],
            lambda: (
                action_links.filter(commitments__isnull=False)
                .order_by("uid", "commitments__position")
                .values_list("uid", "commitments__code")
            ),
        ),
        (
            "progress_updates",
            "Published progress reported on the actions",
            [
                _uuid("id", "The progress update's id, as in the API"),
                _uuid("action", "The action's id"),
                _string("parliament", "ISO alpha-2 code of the parliament"),
                _string("cycle", "The reporting cycle"),
                _date("date", "When it happened"),
                _string("completion", "Completion reached"),
                _string("narrative", "What happened, in the language it was written in"),
                _string("language", "The language it was written in"),
            ],
            "id",
            [{"fields": "action", "reference": {"resource": "actions", "fields": "id"}}],
            lambda: updates.order_by("parliament__iso2", "uid").values_list(
                "uid",
                "action__uid",
                "parliament__iso2",
                "cycle__code",
                "date",
                "completion",
                "narrative",
                "language",
            ),
        ),
        (
            "evidence_links",
            "Evidence of the progress updates: links, and files their parliament made public",
            [
                _uuid("progress_update", "The progress update's id"),
                _string("kind", "link or file"),
                _string("title", "Title"),
                _string("url", "Where to read it; empty for a file not made public"),
            ],
            None,
            [
                {
                    "fields": "progress_update",
                    "reference": {"resource": "progress_updates", "fields": "id"},
                }
            ],
            lambda: _evidence_rows(evidence),
        ),
        (
            "submissions",
            "Reports accepted by the IPU secretariat, per parliament and cycle",
            [
                _string("parliament", "ISO alpha-2 code of the parliament"),
                _string("cycle", "The reporting cycle"),
                _string("status", "accepted"),
                {"name": "round", "type": "integer", "description": "Rounds of review"},
                {"name": "first_submitted_at", "type": "datetime"},
                {"name": "submitted_at", "type": "datetime"},
                {"name": "reviewed_at", "type": "datetime"},
            ],
            ["parliament", "cycle"],
            [{"fields": "parliament", "reference": {"resource": "parliaments", "fields": "iso2"}}],
            lambda: (
                selectors.submission_visible_to(visitor)
                .order_by("parliament__iso2", "cycle__due_date")
                .values_list(
                    "parliament__iso2",
                    "cycle__code",
                    "status",
                    "round",
                    "first_submitted_at",
                    "submitted_at",
                    "reviewed_at",
                )
            ),
        ),
        (
            "ratifications",
            "Rabat §7(a): each state's status for an instrument a list says something about",
            [
                _uuid("id", "The status's id, as in the API"),
                _string("parliament", "ISO alpha-2 code of the state's parliament"),
                _string("instrument", "Instrument code"),
                _string("status", "party, signatory, not_party or unknown"),
                _date("date", "Date of the act"),
                _string("date_kind", "What the date is"),
                _string("date_precision", "day, or year (only the year is known)"),
                _string("source", "Where the status comes from"),
                _date("as_of", "The date the source was current"),
                _string("quality", "V: official list; V2: secondary copy; P: parliament"),
                _uuid("credited_action", "The action the change is credited to", False),
            ],
            "id",
            [{"fields": "parliament", "reference": {"resource": "parliaments", "fields": "iso2"}}],
            lambda: (
                Ratification.objects.order_by("parliament__iso2", "instrument__code")
                .annotate(credited=F("credited_action__uid"))
                .values_list(
                    "uid",
                    "parliament__iso2",
                    "instrument__code",
                    "status",
                    "date",
                    "date_kind",
                    "date_precision",
                    "source",
                    "as_of",
                    "quality",
                    "credited",
                )
            ),
        ),
    ]


def _evidence_rows(evidence):
    """A link's URL; a file's download address when its parliament made it public (the
    file itself is not in the package), else empty."""
    base = settings.SITE_URL.rstrip("/")
    rows = evidence.order_by("progress_update__uid", "created_at", "pk").values_list(
        "pk", "progress_update__uid", "title", "url", "is_public"
    )
    for pk, update, title, url, public in rows:
        if url:
            yield (update, "link", title, url)
        else:
            link = base + reverse("parliaments:evidence_download", args=[pk]) if public else ""
            yield (update, "file", title, link)


def _cell(value):
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def build(day=None):
    """Write the package for `day` (today by default) under datapackage/<day>/, point
    LATEST at it, and return {"day", "rows": {resource: count}}."""
    day = day or timezone.localdate()
    folder = f"{FOLDER}/{day.isoformat()}"
    resources, counts, files = [], {}, {}
    for name, title, fields, key, foreign, rows in tables():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([field["name"] for field in fields])
        count = 0
        for row in rows():
            writer.writerow([_cell(value) for value in row])
            count += 1
        counts[name] = count
        data = buffer.getvalue().encode("utf-8")
        files[f"{name}.csv"] = data
        schema = {"fields": fields}
        if key:
            schema["primaryKey"] = key
        if foreign:
            schema["foreignKeys"] = foreign
        resources.append(
            {
                "name": name,
                "title": title,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(data),
                "schema": schema,
            }
        )
    descriptor = {
        "profile": "tabular-data-package",
        "name": NAME,
        "title": "Compact Tracker: what parliaments do about the Rabat commitments (GCM)",
        "description": "Everything Compact Tracker publishes: the plans of action parliaments "
        "adopted after the Rabat parliamentary meeting of December 2018 to help implement the "
        "Global Compact for Safe, Orderly and Regular Migration, their actions, the progress "
        "reported, the reports the IPU secretariat accepted, and who is party to the "
        "instruments of Rabat §7(a).",
        "version": day.isoformat(),
        "created": timezone.now().replace(microsecond=0).isoformat(),
        "homepage": settings.SITE_URL,
        "licenses": [settings.DATA_PACKAGE_LICENSE],
        "resources": resources,
    }
    files["datapackage.json"] = json.dumps(descriptor, ensure_ascii=False, indent=2).encode()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, data in files.items():
            zipped.writestr(f"{NAME}-{day.isoformat()}/{name}", data)
    files[f"{NAME}-{day.isoformat()}.zip"] = archive.getvalue()
    for name, data in files.items():
        _put(f"{folder}/{name}", data)
    _put(LATEST, day.isoformat().encode())
    return {"day": day.isoformat(), "rows": counts}


def _put(path, data):
    """Replace the file at `path` (the storage would otherwise pick another name)."""
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(data))


def latest_day():
    """The day of the newest package, or None before the first build."""
    if not default_storage.exists(LATEST):
        return None
    with default_storage.open(LATEST) as handle:
        text = handle.read().decode().strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def archived_days():
    """The days a package was built, newest first."""
    try:
        folders, _files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return []
    days = []
    for name in folders:
        try:
            days.append(datetime.date.fromisoformat(name))
        except ValueError:
            continue
    return sorted(days, reverse=True)
