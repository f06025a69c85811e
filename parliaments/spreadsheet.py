"""The spreadsheet round trip for low-bandwidth parliaments: download the actions as an
XLSX pre-filled with ids and versions, edit offline, upload. Every row is validated by the
same ActionForm as the web page; nothing is applied unless the whole file is valid, and
only rows that differ from the current data are applied. A row from an older version is
merged with the site's later changes: only the cells the user changed are applied, and a
cell the site changed too, differently, is a row error.

Text that a spreadsheet would run as a formula is written with a leading quote
(compact_tracker.safe_export) and the import takes exactly that quote off again, so a
title typed as "=1+1" comes back as "=1+1"."""

import copy
import datetime
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from commitments.models import Commitment, Instrument, Objective
from compact_tracker.safe_export import unneutralise, xlsx_row
from compact_tracker.uploads import MB, UnsafeArchive, XlsxLimits, check_xlsx
from parliaments import services
from parliaments.forms import ActionForm
from parliaments.models import Action, ActionType, Completion

COLUMNS = [
    ("id", 38),
    ("version", 9),
    ("title", 50),
    ("description", 60),
    ("action_type", 16),
    ("commitments", 18),
    ("objectives", 14),
    ("instrument", 12),
    ("responsible_body", 30),
    ("start_date", 12),
    ("target_date", 12),
    ("completion", 14),
]
HEADERS = [name for name, _width in COLUMNS]
MAX_ROWS = 5000
# What an uploaded file may hold before anything parses it (compact_tracker.uploads). A
# download of 5,000 actions with 400-character descriptions unpacks to about 5.5 MB,
# compressed about 13 to 1.
UPLOAD_LIMITS = XlsxLimits(
    max_total=16 * MB,
    max_ratio=100,
    max_members=200,
    max_rows=MAX_ROWS,
    max_columns=50,
    max_strings=MAX_ROWS * len(COLUMNS) + 2000,
)
EDITABLE = [
    "title",
    "description",
    "action_type",
    "commitments",
    "objectives",
    "instrument",
    "responsible_body",
    "start_date",
    "target_date",
    "completion",
]


def actions_workbook(actions):
    """An XLSX of `actions` (with commitments and objectives prefetched) and a sheet of the
    allowed values. Returns bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Actions"
    sheet.append(xlsx_row(sheet, HEADERS))
    for column, (_name, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "C2"
    for action in actions:
        sheet.append(
            xlsx_row(
                sheet,
                [
                    str(action.uid),
                    action.version,
                    action.title,
                    action.description,
                    action.action_type,
                    ", ".join(c.code for c in action.commitments.all()),
                    ", ".join(str(o.number) for o in action.objectives.all()),
                    action.instrument.code if action.instrument else "",
                    action.responsible_body,
                    action.start_date,
                    action.target_date,
                    action.completion,
                ],
            )
        )
    for row in sheet.iter_rows(min_row=2, min_col=10, max_col=11):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"

    lists = book.create_sheet("Allowed values")
    lists.append(
        xlsx_row(
            lists,
            [
                "action_type",
                "meaning",
                "",
                "completion",
                "meaning",
                "",
                "commitment",
                "title",
                "",
                "instrument",
                "name",
            ],
        )
    )
    types = [(code, str(label)) for code, label in ActionType.choices]
    levels = [(code, str(label)) for code, label in Completion.choices]
    commitments = [(c.code, c.localized_title) for c in Commitment.objects.order_by("position")]
    instruments = [(i.code, i.localized_name) for i in Instrument.objects.order_by("code")]
    for index in range(max(len(types), len(levels), len(commitments), len(instruments))):
        row = []
        for source in (types, levels, commitments, instruments):
            row += list(source[index]) if index < len(source) else ["", ""]
            row.append("")
        lists.append(xlsx_row(lists, row[:-1]))
    for letter, source in (("A", types), ("D", levels)):
        validation = DataValidation(
            type="list",
            formula1=f"='Allowed values'!${letter}$2:${letter}${len(source) + 1}",
            allow_blank=False,
            showErrorMessage=True,
        )
        sheet.add_data_validation(validation)
        column = "E" if letter == "A" else "L"
        validation.add(f"{column}2:{column}{MAX_ROWS + 1}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class RowChange:
    row: int
    action: Action | None  # None for a new action
    data: dict
    commitments: list
    objectives: list
    expected_version: int | None
    changes: list = field(default_factory=list)  # (field label, before, after)


@dataclass
class ImportPlan:
    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (row, field label, message)
    unchanged: int = 0

    @property
    def is_valid(self):
        return not self.errors


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def plan_import(content, parliament):
    """Read an uploaded XLSX and work out, row by row, what it would change for
    `parliament`. Nothing is written. Errors name the row and the field."""
    result = ImportPlan()
    try:
        check_xlsx(content, UPLOAD_LIMITS)  # the stored file of a confirmation, too
    except UnsafeArchive as error:
        result.errors.append((None, "", str(error)))
        return result
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or foreign file
        result.errors.append((None, "", _("This is not an XLSX workbook that can be read.")))
        return result
    sheet = book["Actions"] if "Actions" in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(value) for value in next(rows, ())]
    missing = [name for name in HEADERS if name not in header]
    if missing:
        result.errors.append(
            (
                1,
                "",
                _("Missing columns: %(columns)s. Start from a downloaded file.")
                % {"columns": ", ".join(missing)},
            )
        )
        return result
    position = {name: header.index(name) for name in HEADERS}

    drafts = {
        str(action.uid): action
        for action in Action.objects.filter(parliament=parliament, is_published_copy=False)
        .select_related("instrument")
        .prefetch_related("commitments", "objectives")
    }
    commitment_pks = dict(Commitment.objects.values_list("code", "pk"))
    objective_pks = {str(n): pk for n, pk in Objective.objects.values_list("number", "pk")}
    instrument_pks = dict(Instrument.objects.values_list("code", "pk"))
    labels = {name: str(ActionForm.base_fields[name].label or name) for name in EDITABLE}
    labels.update(
        {
            name: str(Action._meta.get_field(name).verbose_name)
            for name in EDITABLE
            if name not in ("commitments", "objectives", "instrument")
        }
    )

    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            result.errors.append(
                (number, "", _("Too many rows: at most %(max)s.") % {"max": MAX_ROWS})
            )
            break
        # The download prefixed text a spreadsheet would run with a quote: take it off.
        cells = {
            name: _text(unneutralise(values[position[name]]))
            if position[name] < len(values)
            else ""
            for name in HEADERS
        }
        if not any(cells[name] for name in EDITABLE):
            continue  # an empty row
        errors_before = len(result.errors)
        action = None
        if cells["id"]:
            action = drafts.get(cells["id"])
            if action is None:
                result.errors.append((number, "id", _("No action of your parliament has this id.")))
                continue
            if not cells["version"].isdigit() or not 0 < int(cells["version"]) <= action.version:
                result.errors.append(
                    (
                        number,
                        "version",
                        _(
                            "The version cell must stay as downloaded (now version %(now)s, "
                            "file has %(file)s)."
                        )
                        % {"now": action.version, "file": cells["version"] or "—"},
                    )
                )
                continue

        def codes(name, lookup, number=number, cells=cells):
            found, unknown = _codes(cells[name], lookup)
            result.errors.extend(
                (number, labels[name], _("Unknown code “%(code)s”.") % {"code": code})
                for code in unknown
            )
            return found

        data = {
            "title": cells["title"],
            "description": cells["description"],
            "action_type": cells["action_type"],
            "commitments": codes("commitments", commitment_pks),
            "objectives": codes("objectives", objective_pks),
            "instrument": "",
            "responsible_body": cells["responsible_body"],
            "start_date": cells["start_date"],
            "target_date": cells["target_date"],
            "completion": cells["completion"],
            "version": action.version if action else None,
        }
        if cells["instrument"]:
            if cells["instrument"] in instrument_pks:
                data["instrument"] = instrument_pks[cells["instrument"]]
            else:
                result.errors.append(
                    (
                        number,
                        labels["instrument"],
                        _("Unknown code “%(code)s”.") % {"code": cells["instrument"]},
                    )
                )
        if len(result.errors) > errors_before:
            continue
        form = ActionForm(
            data=data, instance=Action(parliament=parliament) if action is None else _copy(action)
        )
        if not form.is_valid():
            for name, messages in form.errors.items():
                label = labels.get(name, "") if name != "__all__" else ""
                result.errors.extend((number, label, message) for message in messages)
            continue
        cleaned = {name: form.cleaned_data[name] for name in EDITABLE}
        commitments, objectives = list(cleaned.pop("commitments")), list(cleaned.pop("objectives"))
        base_version = int(cells["version"]) if action else None
        change = RowChange(number, action, cleaned, commitments, objectives, base_version)
        if action is not None:
            mine = cleaned, commitments, objectives
            if base_version != action.version:
                mine = _own_changes(action, base_version, *mine, labels, result.errors, number)
                if mine is None:
                    continue
            change.changes = _differences(action, *mine, labels)
            if not change.changes:
                result.unchanged += 1
                continue
        result.changes.append(change)
    return result


def _own_changes(action, base_version, data, commitments, objectives, labels, errors, number):
    """A row from a file downloaded at `base_version`, older than the action now: the cells
    still equal to that version's values are not the user's changes. Returns what the user
    changed (data, commitments, objectives; None for links left alone), or None after
    adding a row error for each field the user and the site both changed differently."""
    sent = {**data, "commitments": commitments, "objectives": objectives}
    merge = services.merge_preview(action, base_version=base_version, sent=sent)
    for conflict in merge.conflicts:
        errors.append(
            (
                number,
                labels[conflict.field],
                _(
                    "Changed on the site too since the file was downloaded: the file was "
                    "downloaded with “%(base)s”, the site now has “%(theirs)s”, your file "
                    "has “%(yours)s”. Type the site's value to keep it, or set the row's "
                    "version to %(now)s to keep yours."
                )
                % {
                    "base": _text(conflict.base) or "—",
                    "theirs": _text(conflict.theirs) or "—",
                    "yours": _text(conflict.yours) or "—",
                    "now": action.version,
                },
            )
        )
    if merge.conflicts:
        return None
    mine = {name: value for name, value in data.items() if name in merge.apply}
    return mine, merge.apply.get("commitments"), merge.apply.get("objectives")


def _copy(action):
    """A detached copy for form validation, so validating never touches the real row."""
    return copy.copy(action)


def _codes(text, lookup):
    """Split "R7a.1, R8.1" and map each code through `lookup`: (found, unknown codes)."""
    found, unknown = [], []
    for code in (part.strip() for part in text.replace(";", ",").split(",")):
        if not code:
            continue
        if code in lookup:
            found.append(lookup[code])
        else:
            unknown.append(code)
    return found, unknown


def _differences(action, data, commitments, objectives, labels):
    changes = []
    for name, value in data.items():
        before = getattr(action, name)
        if (before or None) != (value or None):
            changes.append(
                (
                    labels[name],
                    _text(getattr(before, "code", before)),
                    _text(getattr(value, "code", value)),
                )
            )
    if commitments is not None:
        before = sorted(c.code for c in action.commitments.all())
        after = sorted(c.code for c in commitments)
        if before != after:
            changes.append((labels["commitments"], ", ".join(before), ", ".join(after)))
    if objectives is None:
        return changes
    before = sorted(o.number for o in action.objectives.all())
    after = sorted(o.number for o in objectives)
    if before != after:
        changes.append(
            (labels["objectives"], ", ".join(map(str, before)), ", ".join(map(str, after)))
        )
    return changes


@transaction.atomic
def apply_import(plan, *, actor, parliament, current_plan):
    """Apply every change of a valid ImportPlan in one transaction. Each row is merged with
    what the site has now (only the cells the user changed are applied); a row that now
    collides with a change made on the site raises services.StaleEdit and nothing is
    applied."""
    if not plan.is_valid:
        raise ValueError("Refusing to apply an import with errors.")
    applied = 0
    for change in plan.changes:
        if change.action is None:
            services.action_create(
                actor=actor,
                plan=current_plan,
                commitments=change.commitments,
                objectives=change.objectives,
                **change.data,
            )
        else:
            services.action_update(
                actor=actor,
                action=change.action,
                expected_version=change.expected_version,
                commitments=change.commitments,
                objectives=change.objectives,
                merge=True,
                **change.data,
            )
        applied += 1
    return applied
