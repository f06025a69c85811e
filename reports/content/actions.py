"""The long lists of a report, read in chunks: the actions annex (each action with its
completion at the start and the end of the cycle), the progress narratives of the cycle
with their evidence, the good practices and the IMRF objectives' action titles."""

from django.conf import settings
from django.db.models import Case, CharField, Value, When
from django.db.models.functions import Lower
from django.urls import reverse

from commitments.models import Commitment, Objective
from compact_tracker.countries import country_name, sort_key
from parliaments.models import (
    Action,
    ActionType,
    Completion,
    Evidence,
    ProgressUpdate,
    shown_language_sql,
    shown_text_sql,
)
from reports.content.rows import Rows


def action_order(scope):
    """The order of every list of actions in a report: by the parliament's name in the
    report's language (as the parliaments table), then title (pk breaks ties). Names that
    sort differently from their stored English name get their key from a CASE."""
    whens = []
    for pk, iso2, name in scope.parliaments().values_list("pk", "iso2", "name"):
        key = sort_key(country_name(iso2, name))
        if key != name.lower():
            whens.append(When(parliament_id=pk, then=Value(key)))
    by_name = Lower("parliament__name")
    if whens:
        by_name = Case(*whens, default=by_name, output_field=CharField())
    return (by_name, "parliament_id", "title", "pk")


def action_fields():
    """The annex's columns; titles in the report's language where the parliament gave
    them, else as written, with their language."""
    return (
        "pk",
        "uid",
        "parliament__iso2",
        "parliament__name",
        shown_text_sql("title"),
        shown_language_sql("title"),
        "action_type",
        "completion",
        "instrument__code",
        "target_date",
        "is_good_practice",
    )


def action_rows(scope, total, order, cycle):
    """The actions annex: one dict per action (see `_action`), read in chunks; each chunk
    fetches its actions' commitment codes and objective numbers in two queries, and its
    progress up to the cycle in one."""
    queryset = scope.actions().order_by(*order).values_list(*action_fields())
    return Rows(queryset, total, lambda rows: _actions_chunk(rows, cycle))


def progress_rows(scope, order, cycle, internal):
    """The progress narratives recorded for `cycle`: one dict per progress update, in the
    annex's order of actions and then by date, each keyed by its action's id and carrying
    its evidence (see `_progress`). Read by chunks of actions: two queries a chunk."""
    actions = scope.actions().order_by(*order).values_list("pk", "uid")
    updates = ProgressUpdate.objects.filter(
        is_published_copy=scope.published, cycle=cycle, action__in=scope.actions()
    )
    return Rows(actions, updates.count(), lambda rows: _progress_chunk(rows, cycle, internal))


def good_practice_rows(scope, order):
    types = dict(ActionType.choices)
    queryset = (
        scope.actions()
        .filter(is_good_practice=True)
        .order_by(*order)
        .values_list(
            "parliament__iso2",
            "parliament__name",
            shown_text_sql("title"),
            shown_language_sql("title"),
            "action_type",
        )
    )

    def convert(rows):
        return [
            {
                "parliament": country_name(iso2, name),
                "title": title,
                "title_language": language,
                "type": str(types.get(kind, kind)),
            }
            for iso2, name, title, language, kind in rows
        ]

    return Rows(queryset, queryset.count(), convert)


def objective_title_rows(scope, number, total, order):
    """The "Parliament: title" of each action on objective `number` (IMRF cycles)."""
    queryset = (
        scope.actions()
        .filter(objectives__number=number)
        .order_by(*order)
        .values_list("parliament__iso2", "parliament__name", shown_text_sql("title"))
    )
    return Rows(
        queryset,
        total,
        lambda rows: [f"{country_name(iso2, name)}: {title}" for iso2, name, title in rows],
    )


def _codes_by_action(ids):
    """{action id: [commitment codes]} and {action id: [objective numbers]}, each list in
    the related model's own order (as `action.commitments.all()` gives them)."""
    commitments, objectives = {}, {}
    links = (
        Action.commitments.through.objects.filter(action_id__in=ids)
        .order_by(*(f"commitment__{field}" for field in Commitment._meta.ordering))
        .values_list("action_id", "commitment__code")
    )
    for action_id, code in links:
        commitments.setdefault(action_id, []).append(code)
    links = (
        Action.objectives.through.objects.filter(action_id__in=ids)
        .order_by(*(f"objective__{field}" for field in Objective._meta.ordering))
        .values_list("action_id", "objective__number")
    )
    for action_id, number in links:
        objectives.setdefault(action_id, []).append(number)
    return commitments, objectives


def _completions(ids, cycle):
    """{action id: (completion at the start of `cycle`, at its end)}: the completion of the
    latest progress update of an earlier cycle, and of the latest up to this one (None
    where there is none). Cycles are ordered by their due dates."""
    found = {}
    updates = (
        ProgressUpdate.objects.filter(action_id__in=ids, cycle__due_date__lte=cycle.due_date)
        .order_by("action_id", "date", "created_at")
        .values_list("action_id", "cycle__due_date", "completion")
    )
    for action_id, due_date, completion in updates:
        start, _end = found.get(action_id, (None, None))
        if due_date < cycle.due_date:
            start = completion
        found[action_id] = (start, completion)
    return found


def _actions_chunk(rows, cycle):
    ids = [row[0] for row in rows]
    commitments, objectives = _codes_by_action(ids)
    completions = _completions(ids, cycle)
    types, completions_labels = dict(ActionType.choices), dict(Completion.choices)
    return [
        _action(
            row,
            commitments.get(row[0], []),
            objectives.get(row[0], []),
            completions.get(row[0], (None, None)),
            types,
            completions_labels,
        )
        for row in rows
    ]


def _action(row, commitments, objectives, start_end, types, completions):
    (
        _pk,
        uid,
        iso2,
        name,
        title,
        title_language,
        action_type,
        completion,
        instrument,
        target_date,
        good_practice,
    ) = row
    start, end = start_end
    return {
        "id": str(uid),
        "parliament": iso2,
        "parliament_name": country_name(iso2, name),
        "title": title,
        "title_language": title_language,
        "type": action_type,
        "type_label": str(types.get(action_type, action_type)),
        "completion": completion,
        "completion_label": str(completions.get(completion, completion)),
        "completion_at_start": start,
        "completion_at_start_label": str(completions[start]) if start else "",
        "completion_at_end": end,
        "completion_at_end_label": str(completions[end]) if end else "",
        "commitments": commitments,
        "objectives": objectives,
        "instrument": instrument,
        "target_date": target_date.isoformat() if target_date else None,
        "good_practice": good_practice,
    }


def evidence_url(pk, has_file, is_public, internal):
    """Where a reader of the report may open an evidence file, or None: the secretariat's
    internal reports link every file (its download page asks them to sign in); a
    published report links only the files the parliament marked public."""
    if not has_file or not (internal or is_public):
        return None
    return settings.SITE_URL.rstrip("/") + reverse("parliaments:evidence_download", args=[pk])


def _progress_chunk(rows, cycle, internal):
    uids = dict(rows)
    updates = list(
        ProgressUpdate.objects.filter(action_id__in=uids, cycle=cycle)
        .order_by("date", "created_at", "pk")
        .values_list(
            "pk",
            "action_id",
            "parliament__iso2",
            "parliament__name",
            "date",
            "completion",
            shown_text_sql("narrative"),
            shown_language_sql("narrative"),
        )
    )
    evidence = {}
    files = Evidence.objects.filter(progress_update_id__in=[u[0] for u in updates]).order_by("pk")
    for update_id, pk, title, file, url, original_name, is_public in files.values_list(
        "progress_update_id", "pk", "title", "file", "url", "original_name", "is_public"
    ):
        if file:
            item = {
                "kind": "file",
                "title": title or original_name,
                "url": evidence_url(pk, True, is_public, internal),
                "public": is_public,
            }
        else:
            item = {"kind": "link", "title": title or url, "url": url, "public": True}
        evidence.setdefault(update_id, []).append(item)
    by_action = {}
    completions = dict(Completion.choices)
    for pk, action_id, iso2, name, date, completion, narrative, language in updates:
        by_action.setdefault(action_id, []).append(
            {
                "action": str(uids[action_id]),
                "parliament": iso2,
                "parliament_name": country_name(iso2, name),
                "date": date.isoformat(),
                "completion": completion,
                "completion_label": str(completions.get(completion, completion)),
                "narrative": narrative,
                "narrative_language": language,
                "evidence": evidence.get(pk, []),
            }
        )
    return [item for pk, _uid in rows for item in by_action.get(pk, [])]
