"""Loading reference data from files in the repository without losing admin edits.

Each reference model remembers, per field, the value it last received from the file
(`reference_values`). On a later load a field is set to the file's value only when its
current value is still the one last loaded, i.e. nobody changed it in the admin. A field
the secretariat edited is kept and reported; rows the secretariat added are left alone.
Running a load twice therefore changes nothing the second time.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.dispatch import Signal

from compact_tracker import pagecache

_MISSING = object()

# Sent after sync_reference_rows created or updated rows of `sender` (bulk writes send no
# model signals): an app that keeps something derived from them listens (reports: the
# region totals follow the parliaments' regions and membership).
rows_changed = Signal()


class ReferenceDataModel(models.Model):
    """Base for rows that arrive from reference files (objectives, parliaments, …)."""

    # The field that names a row in the reference files (e.g. "number", "code").
    REFERENCE_KEY = "code"

    reference_values = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Values last loaded from the reference files; used to detect admin edits.",
    )

    class Meta:
        abstract = True


def _jsonable(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return sorted(_jsonable(item) for item in value)
    return value


@dataclass
class SyncResult:
    model: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_edits: list = field(default_factory=list)

    def __str__(self):
        text = (
            f"{self.model}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )
        if self.kept_edits:
            text += f", {len(self.kept_edits)} admin edits kept ({', '.join(self.kept_edits[:5])}"
            text += ", …)" if len(self.kept_edits) > 5 else ")"
        return text


def sync_reference_rows(model, *, key, rows, fk=None, m2m=None):
    """Create or update `model` rows from `rows` (dicts), matched on the field `key`.

    In a row, a foreign key (named in `fk`) or a many-to-many field (named in `m2m`)
    holds natural keys; `fk` and `m2m` map each such field to a dict {natural key:
    instance}. Every row written is validated first (lengths, choices, formats), so a bad
    file raises ValidationError instead of half-loading. Returns a SyncResult. The caller
    owns the transaction.
    """
    fk, m2m = fk or {}, m2m or {}
    queryset = model.objects.select_related(*fk).prefetch_related(*m2m)
    existing = {getattr(obj, key): obj for obj in queryset}
    result = SyncResult(model=str(model._meta.verbose_name_plural))
    to_create, to_update, update_fields, m2m_writes = [], [], set(), []

    for row in rows:
        file_values = {name: _jsonable(value) for name, value in row.items()}
        obj = existing.get(row[key])
        if obj is None:
            obj = model(reference_values=file_values)
            for name, value in row.items():
                if name in m2m:
                    m2m_writes.append((obj, name, value))
                else:
                    _assign(obj, name, value, fk)
            to_create.append(obj)
            result.created += 1
            continue

        changed = False
        for name, value in row.items():
            current = _current(obj, name, fk, m2m)
            if current == file_values[name]:
                continue
            last_loaded = obj.reference_values.get(name, _MISSING)
            if last_loaded is not _MISSING and current != last_loaded:
                result.kept_edits.append(f"{row[key]}.{name}")
                continue
            changed = True
            if name in m2m:
                m2m_writes.append((obj, name, value))
            else:
                _assign(obj, name, value, fk)
                update_fields.add(name)
        if changed or obj.reference_values != file_values:
            obj.reference_values = file_values
            update_fields.add("reference_values")
            to_update.append(obj)
        result.updated += changed
        result.unchanged += not changed

    for obj in to_create + to_update:
        try:
            obj.clean_fields(exclude=[*m2m, "reference_values"])
        except ValidationError as error:
            problems = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
            )
            raise ValidationError(f"{model.__name__} {getattr(obj, key)}: {problems}") from error
    model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(to_update, sorted(update_fields))
    if to_create or to_update:
        pagecache.changed(pagecache.REFERENCE)  # bulk writes send no signal
        rows_changed.send(sender=model)
    for obj, name, keys in m2m_writes:
        getattr(obj, name).set([m2m[name][k] for k in keys])
    return result


def _assign(obj, name, value, fk):
    if name in fk:
        value = fk[name][value] if value is not None else None
    setattr(obj, name, value)


def _current(obj, name, fk, m2m):
    """The row's current value of `name`, in the form the reference files use."""
    if name in m2m:
        return _jsonable([getattr(rel, rel.REFERENCE_KEY) for rel in getattr(obj, name).all()])
    value = getattr(obj, name)
    if name in fk:
        return getattr(value, value.REFERENCE_KEY) if value is not None else None
    return _jsonable(value)
