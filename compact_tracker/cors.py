"""Cross-origin reads of the API (django-cors-headers): a partner's web page may read the
published data from the browser, without credentials. Writes and cookie-authenticated
requests stay same-origin: their preflight and their answer carry no
Access-Control-Allow-Origin, so the browser refuses them.

Settings: CORS_URLS_REGEX limits CORS to /api/; no origin is listed, so only
`read_only_api` (connected to corsheaders' check_request_enabled signal) lets a request
through."""

import re

from django.conf import settings

READ_METHODS = ("GET", "HEAD")


def read_only_api(sender, request, **kwargs):
    """True for a GET or HEAD of the API (or the preflight of one) sent without the
    session cookie. (corsheaders asks the signal for every path: the API's is checked
    here too.)"""
    if not re.match(settings.CORS_URLS_REGEX, request.path_info):
        return False
    method = request.method
    if method == "OPTIONS":
        method = request.headers.get("Access-Control-Request-Method", "").upper()
    if method not in READ_METHODS:
        return False
    return settings.SESSION_COOKIE_NAME not in request.COOKIES
