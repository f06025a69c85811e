"""Turn away requests whose address no view can sensibly read."""

import re
from urllib.parse import unquote_to_bytes

from django.http import HttpResponseBadRequest, JsonResponse

from compact_tracker.api import error_body

# "%" not followed by two hexadecimal digits.
_BROKEN_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def junk_in_address(raw_path, raw_query):
    """Why a request's path (bytes, already percent-decoded by the server, as WSGI gives
    it) and query string (bytes as sent) are junk, or None when they are fine. A NUL byte
    reaches PostgreSQL as a ValueError (a 500); broken percent-encoding and bytes that are
    not UTF-8 can only be mangled on the way in."""
    if b"\x00" in raw_path or b"\x00" in raw_query:
        return "a NUL byte"
    if _BROKEN_PERCENT.search(raw_query):
        return "broken percent-encoding"
    decoded_query = unquote_to_bytes(raw_query.replace(b"+", b" "))
    if b"\x00" in decoded_query:
        return "a NUL byte"
    for part in (raw_path, decoded_query):
        try:
            part.decode("utf-8")
        except UnicodeDecodeError:
            return "bytes that are not UTF-8"
    return None


class RejectJunkMiddleware:
    """Answers 400 to a request whose path or query string holds a NUL byte, broken
    percent-encoding or bytes that are not UTF-8, before any view or lookup sees it (the
    API in its JSON error shape). It comes first in MIDDLEWARE, so no other middleware
    reads the junk either."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # WSGI hands the path and the query string over as bytes decoded as Latin-1.
        raw_path = request.META.get("PATH_INFO", "").encode("latin-1", "replace")
        raw_query = request.META.get("QUERY_STRING", "").encode("latin-1", "replace")
        reason = junk_in_address(raw_path, raw_query)
        if reason is None:
            return self.get_response(request)
        message = f"Bad request: the address holds {reason}."
        if raw_path.startswith(b"/api/"):
            return JsonResponse(error_body(400, "bad_request", message), status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
