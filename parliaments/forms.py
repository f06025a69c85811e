"""Forms shape and validate what people type; the rules that change state live in
services. Every edit form carries the version it was opened at (optimistic concurrency)."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.validators import URLValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from commitments.models import Commitment, Cycle, Instrument, Objective, reading_language
from compact_tracker.uploads import UnsafeArchive, check_xlsx
from parliaments.models import (
    PARLIAMENT_ROLES,
    Action,
    Evidence,
    Parliament,
    PlanOfAction,
    ProgressUpdate,
    Role,
)
from parliaments.services.cycles import CYCLE_FIELDS
from parliaments.validators import validate_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _formfield(model_field, **kwargs):
    """Links typed without a scheme are taken as https:// (Django 6's default)."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def translated(*names):
    """The translation columns of `names` (`title_in_en`, `title_in_fr`, …)."""
    return [f"{name}_in_{code}" for name in names for code in LANGUAGE_CODES]


class WrittenIn:
    """The `language` a parliament's text is written in: a new text is taken to be in the
    language of the interface it is typed in; a form sent without the field (an older
    page, the spreadsheet import) keeps the record's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("language")
        if field is not None:
            field.required = False
            if not self.instance.pk and "language" not in self.initial:
                self.initial["language"] = reading_language()

    def clean_language(self):
        return (
            self.cleaned_data.get("language")
            or (self.instance.language if self.instance.pk else "")
            or reading_language()
        )


class Translated(WrittenIn):
    """The text's optional translations (`title_in_fr`, `description_in_fr`, …; see
    models.translations), shown per language under "Translations". What they may not be
    (Publishable.check_translations) is the model's rule, applied when the form validates
    the instance."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.translation_names():
            field = self.fields[name]
            original, language = name.rsplit("_in_", 1)
            label = self.fields[original].label if original in self.fields else field.label
            field.label = _("%(field)s in %(language)s") % {
                "field": capfirst(label),
                "language": get_language_info(language)["name_translated"],
            }
            field.help_text = ""
            direction = "rtl" if get_language_info(language)["bidi"] else "ltr"
            field.widget.attrs.update({"lang": language, "dir": direction})
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3

        # The original may be in a script that runs the other way from the interface's.
        for name in self.instance.TRANSLATED_TEXTS:
            if name in self.fields:
                self.fields[name].widget.attrs["dir"] = "auto"

    def translation_names(self):
        return [
            name
            for name in self.fields
            if "_in_" in name and name.rsplit("_in_", 1)[1] in LANGUAGE_CODES
        ]

    def translation_groups(self):
        """[(code, name in the reader's language, [bound fields])], one per language."""
        names = self.translation_names()
        return [
            (code, label, [self[name] for name in names if name.endswith(f"_in_{code}")])
            for code, label in settings.LANGUAGES
        ]

    def has_translations(self):
        return any(self[name].value() or self[name].errors for name in self.translation_names())


class VersionedForm(Translated, forms.ModelForm):
    """Adds a hidden `version`: the version of the record the user started from.

    After a save met a conflict (a field both the user and someone else changed), the form
    comes back with `conflicts` (those fields' names), `opened_version` (the version the
    conflicts were worked out from) and, per field, a required choice `keep_<field>`."""

    YOURS, THEIRS = "yours", "theirs"

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    conflicts = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, conflicts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        if conflicts is None:
            conflicts = (self.data.get("conflicts") or "").split(",") if self.is_bound else ()
        if not self.instance.pk:
            conflicts = ()  # a new record has nobody else's changes
        self.conflict_names = [name for name in conflicts if name in self._meta.fields]
        if not self.is_bound and self.conflict_names:
            self.initial["conflicts"] = ",".join(self.conflict_names)
        for name in self.conflict_names:
            self.fields[f"keep_{name}"] = forms.ChoiceField(
                label=_("Which %(field)s to keep")
                % {"field": str(self.fields[name].label).lower()},
                choices=[
                    (self.YOURS, _("Keep yours (as in the form)")),
                    (self.THEIRS, _("Keep theirs")),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose which version to keep.")},
            )

    def kept_theirs(self):
        """The conflicting fields for which the user chose the other person's value."""
        return [
            name
            for name in self.conflict_names
            if self.cleaned_data.get(f"keep_{name}") == self.THEIRS
        ]

    def edit_fields(self):
        """The record's fields, without the hidden ones, the conflict choices and the
        translations (`translation_groups`)."""
        translations = set(self.translation_names())
        return [self[name] for name in self._meta.fields if name not in translations]


class PlanForm(VersionedForm):
    class Meta:
        model = PlanOfAction
        formfield_callback = _formfield
        fields = [
            "title",
            "summary",
            "language",
            *translated("title", "summary"),
            "status",
            "adopted_on",
            "adopting_body",
            "period_start",
            "period_end",
            "document",
            "document_url",
        ]
        widgets = {
            "adopted_on": DATE_INPUT,
            "period_start": DATE_INPUT,
            "period_end": DATE_INPUT,
            "summary": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "document": _("PDF, DOCX, XLSX, ODT, PNG or JPEG, at most 10 MB."),
            "document_url": _("Or a link to the plan on the parliament's website."),
        }

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document and hasattr(document, "content_type"):  # a new upload
            validate_upload(document)
        return document


class SearchableSelectMultiple(forms.SelectMultiple):
    """A multi-select that static/js/action-form.js turns into a searchable Tom Select
    (static/vendor/tom-select-2.6.2). Without JavaScript it stays a plain list box."""

    def __init__(self, attrs=None, *, placeholder=""):
        super().__init__({"size": 8, **(attrs or {})})
        self.placeholder = placeholder

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-placeholder"] = str(self.placeholder)
        widget_attrs["data-remove-label"] = str(_("Remove"))
        widget_attrs["data-no-results"] = str(_("Nothing matches."))
        return context


class CommitmentChoiceWidget(SearchableSelectMultiple):
    """The Rabat commitments grouped by the outcome document's paragraph. Each option
    carries the objectives the commitment serves, so the form can suggest them. The
    commitments and their links are read when the widget is drawn, not when a form is only
    validated (the spreadsheet import validates one form per row)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, placeholder=_("Type a code or a word to find a commitment"))

    @cached_property
    def objectives_by_commitment(self):
        by_commitment = {}
        links = Commitment.objectives.through.objects.values_list(
            "commitment_id", "objective__number"
        )
        for commitment_id, number in links:
            by_commitment.setdefault(commitment_id, []).append(number)
        return by_commitment

    def optgroups(self, name, value, attrs=None):
        by_paragraph = {}
        for commitment in Commitment.objects.order_by("position"):
            by_paragraph.setdefault(commitment.paragraph, []).append(commitment)
        self.choices = [
            (
                _("Paragraph %(paragraph)s") % {"paragraph": paragraph},
                [(c.pk, f"{c.code} — {c.localized_title}") for c in commitments],
            )
            for paragraph, commitments in by_paragraph.items()
        ]
        return super().optgroups(name, value, attrs)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        numbers = self.objectives_by_commitment.get(value, [])
        option["attrs"]["data-objectives"] = ",".join(str(n) for n in numbers)
        return option


class ObjectiveChoiceWidget(SearchableSelectMultiple):
    """The 23 GCM objectives; each option carries its number, so the form can tick the
    ones the chosen commitments serve and list them first."""

    def __init__(self, attrs=None):
        super().__init__(attrs, placeholder=_("Type a number or a word to find an objective"))

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"]["data-number"] = str(label).split(".", 1)[0]
        return option


class ActionForm(VersionedForm):
    commitments = forms.ModelMultipleChoiceField(
        queryset=Commitment.objects.order_by("position"),
        widget=CommitmentChoiceWidget(attrs={"class": "commitment-choices"}),
        label=_("Rabat commitments"),
        help_text=_("At least one. The GCM objectives they serve are suggested below."),
    )
    objectives = forms.ModelMultipleChoiceField(
        queryset=Objective.objects.order_by("number"),
        widget=ObjectiveChoiceWidget(attrs={"class": "objective-choices"}),
        label=_("GCM objectives"),
        help_text=_("At least one."),
    )
    instrument = forms.ModelChoiceField(
        queryset=Instrument.objects.order_by("category", "code"),
        required=False,
        label=_("Instrument to ratify"),
        help_text=_("Only for a ratification."),
        empty_label=_("Choose an instrument"),
    )

    class Meta:
        model = Action
        fields = [
            "title",
            "description",
            "language",
            *translated("title", "description"),
            "action_type",
            "commitments",
            "objectives",
            "instrument",
            "responsible_body",
            "start_date",
            "target_date",
            "completion",
        ]
        widgets = {
            "start_date": DATE_INPUT,
            "target_date": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objectives"].label_from_instance = lambda o: f"{o.number}. {o.localized_title}"
        # Beside the title, the field says enough: readers are told when it is not theirs.
        self.fields["language"].help_text = ""
        action_type = self.fields["action_type"]
        action_type.choices = [("", _("Choose a type"))] + [
            choice for choice in action_type.choices if choice[0]
        ]
        self.fields["instrument"].label_from_instance = lambda i: f"{i.code} — {i.localized_name}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def upload_attrs():
    """What the browser checks before sending a file (static/js/app.js): the accepted
    types and the size limit. The server checks the content again (validate_upload)."""
    from django.conf import settings

    from parliaments.validators import EXTENSIONS

    extensions = sorted({f".{ext}" for ext in EXTENSIONS.values()} | {".jpeg"})
    return {
        "accept": ",".join(extensions + sorted(EXTENSIONS)),
        "data-max-bytes": str(settings.UPLOAD_MAX_BYTES),
        "data-too-large": _("“%(name)s” is larger than %(limit)s MB: it would be refused."),
        "data-wrong-type": _("“%(name)s” is not a PDF, DOCX, XLSX, ODT, PNG or JPEG file."),
    }


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs=upload_attrs()))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _cycles(parliament):
    """The cycles a progress update can report in: the parliament's (all, without one)."""
    if parliament is None:
        return Cycle.objects.order_by("due_date")
    from parliaments.selectors import cycles_for

    return cycles_for(parliament)


class EvidenceFields(forms.Form):
    """Evidence added with a progress update, or to a draft one: files (validated as
    uploads are everywhere) and links, one per line with an optional title."""

    files = MultipleFileField(
        required=False,
        label=_("Evidence files"),
        help_text=_("PDF, DOCX, XLSX, ODT, PNG or JPEG, at most 10 MB each. Several allowed."),
    )
    files_public = forms.BooleanField(
        required=False,
        label=_("Anyone may open these files once they are published"),
        help_text=_(
            "Leave unticked for documents that are not public: once published, readers see "
            "their titles only. The secretariat can open them either way."
        ),
    )
    links = forms.CharField(
        required=False,
        label=_("Evidence links"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://…"}),
        help_text=_(
            "One link per line. Put a title before the link if you like: "
            "“Committee report https://…”."
        ),
    )

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        errors = []
        for upload in files:
            try:
                validate_upload(upload)
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return files

    def clean_links(self):
        validate = URLValidator(schemes=["http", "https"])
        links = []
        for number, line in enumerate(self.cleaned_data.get("links", "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            title, _sep, url = line.rpartition(" ")
            try:
                validate(url)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("Line %(number)s is not a web link: “%(line)s”.")
                    % {"number": number, "line": line}
                ) from None
            links.append((title.strip(), url))
        return links


class ProgressUpdateForm(Translated, EvidenceFields, forms.ModelForm):
    class Meta:
        model = ProgressUpdate
        fields = ["date", "cycle", "completion", "narrative", "language", *translated("narrative")]
        widgets = {"date": DATE_INPUT, "narrative": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, parliament=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = _cycles(parliament)


class ProgressUpdateEditForm(ProgressUpdateForm):
    """Correct a draft progress update: what happened, when, for which cycle, how far, and
    its evidence (add files and links, remove some). `version` is the one the editor
    opened."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    remove_evidence = forms.ModelMultipleChoiceField(
        queryset=Evidence.objects.none(),
        required=False,
        label=_("Remove evidence"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ticked files and links are removed when you save."),
    )

    def __init__(self, *args, parliament=None, **kwargs):
        super().__init__(*args, parliament=parliament, **kwargs)
        evidence = (
            self.instance.evidence.filter(is_published_copy=False).order_by("pk")
            if self.instance.pk
            else Evidence.objects.none()
        )
        self.fields["remove_evidence"].queryset = evidence
        self.fields["remove_evidence"].label_from_instance = _evidence_label
        self.has_evidence = evidence.exists()
        if not self.is_bound and self.instance.pk:
            self.initial["version"] = self.instance.version


def _evidence_label(evidence):
    if evidence.url:
        return f"{evidence.title or evidence.url} ({evidence.url})"
    return evidence.title or evidence.original_name


class ReviewForm(forms.Form):
    """Accept, or return with comments; one optional comment per item."""

    ACCEPT, RETURN = "accept", "return"
    decision = forms.ChoiceField(
        choices=[(ACCEPT, _("Accept and publish")), (RETURN, _("Return with comments"))],
        widget=forms.RadioSelect,
        label=_("Decision"),
    )
    comment = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label=_("General comment")
    )

    def __init__(self, *args, plan=None, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = []
        if plan is not None:
            self.fields["comment_plan"] = forms.CharField(
                required=False,
                label=_("Comment on the plan"),
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )
            self.items.append(("comment_plan", plan))
        for action in actions:
            name = f"comment_action_{action.pk}"
            self.fields[name] = forms.CharField(
                required=False,
                label=_("Comment on “%(title)s”") % {"title": action.title},
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )
            self.items.append((name, action))

    def item_comments(self):
        return [(item, self.cleaned_data.get(name, "")) for name, item in self.items]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(choices=Role.choices, label=_("Role"))
    parliament = forms.ModelChoiceField(
        queryset=Parliament.objects.order_by("name"),
        required=False,
        label=_("Parliament"),
        help_text=_("For editors and focal points only."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parliament"].queryset = Parliament.objects.order_by(Parliament.by_name())

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Someone with this email already has an account."))
        return email

    def clean(self):
        data = super().clean()
        role, parliament = data.get("role"), data.get("parliament")
        if role in PARLIAMENT_ROLES and not parliament:
            self.add_error("parliament", _("Choose the parliament this person works for."))
        if role and role not in PARLIAMENT_ROLES and parliament:
            self.add_error("parliament", _("The secretariat and partners have no parliament."))
        return data


class SpreadsheetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Edited spreadsheet"),
        help_text=_("The XLSX file you downloaded here, with your changes."),
    )

    def clean_file(self):
        upload = validate_upload(self.cleaned_data["file"])
        if upload.detected_content_type != XLSX:
            raise forms.ValidationError(_("Upload the XLSX workbook downloaded from this page."))
        # Imported here: the spreadsheet module validates its rows with ActionForm.
        from parliaments.spreadsheet import UPLOAD_LIMITS

        try:
            check_xlsx(upload, UPLOAD_LIMITS)
        except UnsafeArchive as error:
            raise forms.ValidationError(str(error), code="unsafe_archive") from None
        return upload


class CycleForm(forms.ModelForm):
    """A reporting cycle as the secretariat opens or changes it, with the parliaments that
    report in it when it is not for all."""

    parliaments = forms.ModelMultipleChoiceField(
        label=_("Parliaments that report"),
        queryset=Parliament.objects.none(),
        required=False,
        help_text=_("Only when the cycle is for the parliaments listed."),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Cycle
        fields = list(CYCLE_FIELDS)  # what the services take, one list
        widgets = {
            "due_date": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
            "reporters": forms.RadioSelect,
        }
        help_texts = {
            "code": _("Short and permanent, e.g. “2030-imrf”: letters, digits and hyphens."),
            "title_fr": _("Shown to French readers; the English title when empty."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parliaments"].queryset = Parliament.objects.filter(
            is_ipu_member=True
        ).order_by(Parliament.by_name())
        self.fields["commitment"].queryset = Commitment.objects.order_by("position")
        self.fields["commitment"].label_from_instance = lambda c: f"{c.code} — {c.localized_title}"
        self.fields["source"].initial = Cycle.Source.SECRETARIAT
        if self.instance.pk and not self.is_bound:
            self.initial["parliaments"] = list(
                self.instance.listed_parliaments.values_list("parliament", flat=True)
            )

    def clean(self):
        data = super().clean()
        if data.get("reporters") == Cycle.Reporters.LISTED and not data.get("parliaments"):
            self.add_error(
                "parliaments", _("List the parliaments that report, or choose all parliaments.")
            )
        return data
