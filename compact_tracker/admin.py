"""The admin's model classes, hardened against junk in the address: an object or version
id that is not a number answers 404 (simple_history passes it to the database: a 500),
an add form's `?field=junk` initial value for a relation is dropped (the autocomplete
widget looks it up: a 500), and the history of a deleted record whose related record is
gone too answers 404 instead of failing to name it. A form sent back with junk in an
autocompleted relation shows its error instead of failing to look the junk up (a 500)."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

# A key beyond a 64-bit integer is junk too: SQLite cannot even bind it (OverflowError).
KEY_RANGE = range(-(2**63), 2**63)


def _is_key(target, item):
    """Whether `item` could be a value of the key field `target` at all."""
    try:
        value = target.to_python(item)
    except (ValidationError, ValueError, TypeError):
        return False
    return not isinstance(value, int) or value in KEY_RANGE


class _TolerantAutocomplete:
    """Django's autocomplete widget looks the submitted values up to show them: a value
    that is not a key at all ('%', 'api') raised ValueError. Those are left out; the
    form's own error says the choice is not valid."""

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field
        kept = [item for item in value if _is_key(target, item)]
        return super().optgroups(name, kept, attr)


class _TolerantAutocompleteSelect(_TolerantAutocomplete, AutocompleteSelect):
    pass


class _TolerantAutocompleteSelectMultiple(_TolerantAutocomplete, AutocompleteSelectMultiple):
    pass


def _tolerant(formfield):
    widget = getattr(formfield, "widget", None)
    if isinstance(widget, AutocompleteSelectMultiple):
        widget.__class__ = _TolerantAutocompleteSelectMultiple
    elif isinstance(widget, AutocompleteSelect):
        widget.__class__ = _TolerantAutocompleteSelect
    return formfield


class JunkTolerantAdminMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _tolerant(super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return _tolerant(super().formfield_for_manytomany(db_field, request, **kwargs))

    def _valid_pk(self, object_id):
        if not _is_key(self.model._meta.pk, unquote(object_id)):
            raise Http404

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            target = field.target_field if field.is_relation else field
            items = value if isinstance(value, list) else [value]
            if not all(_is_key(target, item) for item in items):
                del initial[name]
        return initial


class ModelAdmin(JunkTolerantAdminMixin, admin.ModelAdmin):
    pass


class HistoryAdmin(JunkTolerantAdminMixin, SimpleHistoryAdmin):
    def history_view(self, request, object_id, extra_context=None):
        self._valid_pk(object_id)
        try:
            return super().history_view(request, object_id, extra_context)
        except ObjectDoesNotExist:  # a deleted record whose related record is gone too
            raise Http404 from None

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._valid_pk(object_id)
        if not str(version_id).isdigit():
            raise Http404
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        except ObjectDoesNotExist:
            raise Http404 from None
