"""Optimistic concurrency for plans and actions: what changed since the version a user
started from, and the three-way merge of a save made from that older version.

The *base* is the version the user opened; *theirs* is the record as it is now; *yours*
(mine) is what the user sends. Base values are read from django-simple-history: each
historical row carries `version`, and the links of an action (commitments, objectives) are
tracked as historical m2m rows of that record. Nothing here writes; the services lock the
row, call `three_way`, and write."""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _


@dataclass
class Change:
    field: str
    label: str
    then: object
    now: object


@dataclass
class Conflict:
    """A field both the user and someone else changed, to different values. Values are
    for display: choice labels, related objects' names, dates."""

    field: str
    label: str
    base: object
    yours: object
    theirs: object


@dataclass
class StaleEdit(Exception):
    """The record changed since the user opened it. Nothing was saved.

    `changes` lists what others changed since `expected_version`; `conflicts` the fields
    the caller changed that someone else also changed, differently; `yours` the names of
    the fields the caller changed."""

    obj: object
    expected_version: int
    changes: list = field(default_factory=list)
    changed_by: object = None
    changed_at: object = None
    conflicts: list = field(default_factory=list)
    yours: list = field(default_factory=list)

    def __str__(self):
        return _("This record was changed by someone else since you opened it.")


@dataclass
class Merged:
    """Set on a record saved from an older version (as `record.merged`): what others
    changed meanwhile, all of it kept."""

    changes: list
    changed_by: object
    changed_at: object


@dataclass
class Merge:
    """The outcome of `three_way`: `apply` holds the caller's own changes (name → value as
    sent), to write on top of the current record."""

    changes: list
    changed_by: object
    changed_at: object
    apply: dict = field(default_factory=dict)
    yours: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)

    def stale(self, obj, expected_version):
        return StaleEdit(
            obj,
            expected_version,
            self.changes,
            self.changed_by,
            self.changed_at,
            self.conflicts,
            self.yours,
        )


def _history_at(obj, version):
    """The last historical row of `obj` at `version` (an m2m change writes one more row at
    the same version; the last one holds the links as saved), or None."""
    return obj.history.filter(version=version).order_by("-history_date", "-history_id").first()


def changes_since(obj, version):
    """What changed on `obj` after `version`, read from its history: (changes, who, when)."""
    history = obj.history.order_by("-history_date", "-history_id")
    latest = history.first()
    then = _history_at(obj, version)
    if latest is None or then is None:
        return [], getattr(latest, "history_user", None), getattr(latest, "history_date", None)
    delta = latest.diff_against(then)
    changes = []
    for change in delta.changes:
        model_field = obj._meta.get_field(change.field)
        old, new = change.old, change.new
        if model_field.many_to_many:
            key = model_field.m2m_reverse_field_name()
            old = _display(model_field, frozenset(item[key] for item in old or []))
            new = _display(model_field, frozenset(item[key] for item in new or []))
        elif model_field.choices:
            choices = dict(model_field.flatchoices)
            old, new = choices.get(old, old), choices.get(new, new)
        changes.append(Change(change.field, str(model_field.verbose_name), old, new))
    return changes, latest.history_user, latest.history_date


def _normal(model_field, value):
    """A value in a form that compares equal however it arrived: from a form, the API, the
    spreadsheet, the current row or a historical row."""
    if model_field.many_to_many:
        return frozenset(getattr(item, "pk", item) for item in value or ())
    if isinstance(model_field, models.FileField):
        return getattr(value, "name", value) or ""
    if model_field.is_relation:
        value = getattr(value, "pk", value)
    if value == "" or value is None:  # a blank text and an empty date are the same
        return None
    return value


def _current(obj, model_field):
    if model_field.many_to_many:
        return frozenset(getattr(obj, model_field.name).values_list("pk", flat=True))
    return _normal(model_field, getattr(obj, model_field.attname))


def _recorded(record, model_field):
    if model_field.many_to_many:
        key = model_field.m2m_reverse_field_name()
        return frozenset(getattr(record, model_field.name).values_list(f"{key}_id", flat=True))
    return _normal(model_field, getattr(record, model_field.attname))


def _display(model_field, value):
    """A normalised value as people read it."""
    if value is None or value == "":
        return None
    if model_field.many_to_many:
        related = model_field.related_model.objects.filter(pk__in=value)
        return ", ".join(sorted(str(item) for item in related))
    if model_field.is_relation:
        return str(model_field.related_model.objects.filter(pk=value).first() or value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return value


def three_way(obj, base_version, sent):
    """Merge `sent` (field name → value) made from `base_version` with `obj` as it is now.

    For each field sent: equal to the base → not the caller's change, the current value
    stays; changed by the caller only → applied; changed by both to the same value → fine;
    changed by both differently → a Conflict. When the base version is not in the history,
    every sent value that differs from the current one is a conflict."""
    changes, who, when = changes_since(obj, base_version)
    result = Merge(changes, who, when)
    record = _history_at(obj, base_version)
    for name, value in sent.items():
        model_field = obj._meta.get_field(name)
        mine, theirs = _normal(model_field, value), _current(obj, model_field)
        base = _recorded(record, model_field) if record is not None else None
        if record is not None and mine == base:
            continue
        result.yours.append(name)
        if record is not None and theirs == base:
            result.apply[name] = value
        elif theirs != mine:
            result.conflicts.append(
                Conflict(
                    name,
                    str(model_field.verbose_name),
                    _display(model_field, base),
                    _display(model_field, mine),
                    _display(model_field, theirs),
                )
            )
    return result
