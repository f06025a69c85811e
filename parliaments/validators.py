"""Uploaded files are checked from their content, never from their name."""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from compact_tracker.uploads import UnsafeArchive, check_document_zip

# Detected MIME type -> what users call it.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.oasis.opendocument.text": "ODT",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
}
# Detected MIME type -> the extension a stored file gets.
EXTENSIONS = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "image/png": "png",
    "image/jpeg": "jpg",
}
SNIFF_BYTES = 8192
ZIP_BASED = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
}


def extension_for(content_type):
    """The extension for a detected type; "bin" for anything unknown."""
    return EXTENSIONS.get(content_type, "bin")


def validate_upload(upload):
    """Refuse files over the size limit or whose content is not an allowed type. On
    success, record the detected type on the upload as `detected_content_type`."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
            },
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        found = kind.extension.upper() if kind else _("unknown")
        raise ValidationError(
            _(
                "“%(name)s” is not an accepted file: its content is %(found)s. "
                "Upload PDF, DOCX, XLSX, ODT, PNG or JPEG."
            )
            % {"name": upload.name, "found": found},
            code="bad_type",
        )
    if kind.mime in ZIP_BASED:
        # Stored, not parsed here, but whoever opens it later must be safe: a sound zip,
        # not a decompression bomb.
        try:
            check_document_zip(upload)
        except UnsafeArchive as error:
            raise ValidationError(str(error), code="unsafe_archive") from None
    upload.detected_content_type = kind.mime
    return upload
