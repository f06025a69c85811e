"""Shared behaviour of the edit forms: merging a save from an older version."""

from django.contrib import messages
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from parliaments import services


class StaleEditMixin:
    """Saves from an older version are merged with what others saved meanwhile (the
    services' three-way merge). When a field was changed by both, the form comes back at
    the current version: fields only they changed hold their values, fields you changed
    hold yours, and each field you both changed shows the two sides and a required choice.
    """

    def saved(self, record, message):
        merged = getattr(record, "merged", None)
        if merged is not None and merged.changes:
            message = _("Saved. Meanwhile %(who)s changed %(fields)s; their changes were kept.") % {
                "who": _person(merged.changed_by),
                "fields": ", ".join(capfirst(change.label) for change in merged.changes),
            }
        messages.success(self.request, message)

    def stale(self, form, error):
        """Show the conflicts of a save that met `error` (a StaleEdit); nothing was saved."""
        yours = {name: form.cleaned_data[name] for name in error.yours if name in form.fields}
        form = self.get_form_class()(
            instance=error.obj,
            initial={**yours, "opened_version": error.expected_version},
            conflicts=[conflict.field for conflict in error.conflicts],
        )
        messages.error(
            self.request,
            _(
                "Not saved yet: %(who)s changed the same fields as you since you opened this "
                "page. Choose which version to keep for each; your other changes and theirs "
                "are already combined in the form."
            )
            % {"who": _person(error.changed_by)},
        )
        return self.render_to_response(
            self.get_context_data(
                form=form, stale=error, conflicts=self.conflict_panels(form, error.conflicts)
            )
        )

    def form_invalid(self, form):
        """A form with conflict choices shows the two sides again, worked out anew."""
        if not form.conflict_names:
            return super().form_invalid(form)
        sent = {
            name: form.cleaned_data[name]
            for name in form.conflict_names
            if name in form.cleaned_data
        }
        preview = services.merge_preview(
            self.get_form_kwargs()["instance"],
            base_version=form.cleaned_data.get("opened_version") or 1,
            sent=sent,
        )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                stale=preview,
                conflicts=self.conflict_panels(form, preview.conflicts),
            )
        )

    @staticmethod
    def conflict_panels(form, conflicts):
        """(conflict or None, its choice field) for each field to choose for."""
        by_field = {conflict.field: conflict for conflict in conflicts}
        return [(by_field.get(name), form[f"keep_{name}"]) for name in form.conflict_names]


def _person(user):
    if user is None:
        return _("someone else")
    return user.get_full_name() or user.get_username()
