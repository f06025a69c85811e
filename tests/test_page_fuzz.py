"""The page fuzzer: every URL pattern of the project (the admin and the API included), its
path parameters filled with valid values and with junk (NUL, very long strings, unicode,
negative and huge numbers, `../`, `%`, SQL, empty), junk query parameters (paging,
sorting, export, every filter of every FilterSet, bad dates and time zones), as every
persona, by GET and POST. No answer may be a 5xx: junk gets 400 or 404.

A seeded generator and a fixed number of cases per URL and persona make a run
repeatable; FUZZ_SEED and FUZZ_CASES change them."""

import os
import random
import re
import time
from urllib.parse import quote, urlencode

import django_filters
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

from commitments.models import Cycle
from parliaments import services
from parliaments.models import Action, Evidence, Parliament, Submission
from reports.models import Report
from tests.factories import ActionFactory, PlanFactory, ProgressUpdateFactory, make_user

pytestmark = pytest.mark.django_db

SEED = int(os.environ.get("FUZZ_SEED", "2018"))
CASES = int(os.environ.get("FUZZ_CASES", "2"))  # junk cases per URL and persona

JUNK_VALUES = [
    "\x00",
    "a\x00b",
    "",
    " ",
    "x" * 3000,
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999999999",
    "1e308",
    "NaN",
    "../",
    "../../etc/passwd",
    "%",
    "%00",
    "%zz",
    "' OR 1=1 --",
    '"; DROP TABLE parliaments_action; --',
    "<script>alert(1)</script>",
    "مغرب",
    "é\u0301\U0001f600",
    "%ED%A0%80",  # a lone surrogate, as UTF-8 bytes no decoder accepts
    "\uffff",
    "null",
    "true",
    "[]",
    "{}",
    "2021-13-45",
    "2021-06-01T00:00:00+99:00",
    "2021-06-01T00:00:00+24:00",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+14:00",
    "2021-06-01T25:61:00Z",
    "-0001-01-01",
]

# Query parameters every page might read, beside the filters of the FilterSets.
QUERY_NAMES = [
    "per_page",
    "page",
    "page_size",
    "sort",
    "ordering",
    "format",
    "_export",
    "export",
    "download",
    "q",
    "o",
    "since",
    "cursor",
    "updated_since",
    "next",
    "language",
    "scope",
    "file_format",
    "e",
    "p",
    "all",
    "_changelist_filters",
]
QUERY_JUNK = [*JUNK_VALUES, "csv", "xlsx", "json", "api", "pdf", "last", "-title", "?", "1"]

# Path parameters whose valid values come from the data (filled in by `samples`).
SAMPLE_NAMES = {
    "number",
    "code",
    "region",
    "iso2",
    "cycle_code",
    "uid",
    "pk",
    "file_format",
    "uidb64",
    "token",
    "version",
    "format",
    "object_id",
    "app_label",
    "content_type_id",
    "rest",
    "url",
}

# Sent with every valid URL: a negative page size or number once gave a 500.
ALWAYS_QUERY = "per_page=-1&page=-1&page_size=-1"

SKIPPED = {
    # Signing out would turn the persona into the anonymous visitor for the next cases.
    ("POST", "logout"),
}


# --- Every URL pattern as a template ------------------------------------------------------------


def _regex_template(regex):
    """A regex route as a template: named groups become `{name}`, other groups `{_}`."""
    out, i = [], 0
    regex = regex.lstrip("^").replace(r"\Z", "").rstrip("$")
    while i < len(regex):
        char = regex[i]
        if char == "(":
            depth, j = 1, i + 1
            while depth:
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
                j += 1 + (regex[j] == "\\")
            group = regex[i:j]
            name = re.match(r"\(\?P<(\w+)>", group)
            out.append("{%s}" % (name.group(1) if name else "_"))
            i = j
            if i < len(regex) and regex[i] == "?":
                i += 1
        elif char == "\\":
            out.append(regex[i + 1])
            i += 2
        elif char == "?":  # "/?": the optional slash is written
            i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _template(pattern):
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern._route))
    if isinstance(pattern, RegexPattern):
        return _regex_template(str(pattern._regex))
    if isinstance(pattern, LocalePrefixPattern):
        return ""
    raise AssertionError(f"unknown pattern {pattern!r}")


def url_templates():
    """(name, template) of every URL pattern of the project, e.g.
    ("parliaments:public_action", "/parliaments/{iso2}/actions/{uid}/")."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            template = prefix + _template(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                yield from walk(pattern.url_patterns, template, inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or template
                yield (f"{namespace}:{name}" if namespace else name), "/" + template

    return sorted(set(walk(get_resolver().url_patterns, "", "")))


def filter_names():
    """The names of every filter of every FilterSet of the project."""
    import parliaments.filters  # noqa: F401
    import reports.filters  # noqa: F401

    names, pending = set(), [django_filters.FilterSet]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in {"commitments", "parliaments", "reports"}:
            names.update(cls.base_filters)
    return sorted(names)


# --- Data and personas ----------------------------------------------------------------------------


@pytest.fixture
def world(django_user_model):
    """MA with a plan, an action, progress with evidence and an accepted 2021 report; MX
    with a returned one; a finished report; and the six personas."""
    secretariat = make_user("secretariat.reviewer", "secretariat")
    secretariat.is_staff = secretariat.is_superuser = True
    secretariat.save()
    focal_ma, focal_mx = (
        make_user("focal.ma", "focal_point", "MA"),
        make_user("focal.mx", "focal_point", "MX"),
    )
    personas = {
        "anonymous": None,
        "editor": make_user("editor.ma", "editor", "MA"),
        "focal point": focal_ma,
        "other parliament editor": make_user("editor.mx", "editor", "MX"),
        "secretariat": secretariat,
        "partner": make_user("partner.iom", "partner"),
    }
    ma, mx = Parliament.objects.get(iso2="MA"), Parliament.objects.get(iso2="MX")
    update = ProgressUpdateFactory(action=ActionFactory(plan=PlanFactory(parliament=ma)))
    evidence = Evidence.objects.create(progress_update=update, url="https://example.org/hearing")
    ProgressUpdateFactory(action=ActionFactory(plan=PlanFactory(parliament=mx)))
    cycle = Cycle.objects.get(code="2021-progress")
    for parliament, focal, accept in ((ma, focal_ma, True), (mx, focal_mx, False)):
        submission = services.submission_for(parliament, cycle)
        services.submission_submit(actor=focal, submission=submission)
        if accept:
            services.submission_accept(actor=secretariat, submission=submission)
        else:
            services.submission_return(actor=secretariat, submission=submission, comment="No.")
    report = Report.objects.create(
        cycle=cycle, scope="global", language="en", formats=["html"], status="succeeded"
    )
    draft = Action.objects.drafts().filter(parliament=ma).first()
    published = Action.objects.filter(parliament=ma, is_published_copy=True).first()
    samples = {
        "number": ["7"],
        "code": ["R7a.2", "2021-progress"],
        "region": [ma.region],
        "iso2": ["MA", "mx"],
        "cycle_code": ["2021-progress"],
        "uid": [str(published.uid)],
        "pk": sorted(
            {
                str(draft.pk),
                str(draft.plan_id),
                str(Submission.objects.filter(parliament=ma).first().pk),
                str(report.pk),
                str(evidence.pk),
            }
        ),
        "file_format": ["html", "pdf"],
        "uidb64": ["MQ"],
        "token": ["set-password"],
        "version": ["v1"],
        "format": ["json", "csv"],
        "object_id": [str(draft.pk)],
        "app_label": ["parliaments"],
        "content_type_id": ["1"],
        "rest": ["nothing"],
        "url": ["nothing"],
        "_": [str(draft.pk)],
    }
    return personas, samples


def _client(user):
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


# --- The fuzzer -------------------------------------------------------------------------------


def _path(template, values):
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)


def _junk_value(rng):
    value = rng.choice(JUNK_VALUES)
    # Most junk is sent percent-encoded, as a browser would; some raw, as a script might.
    return quote(value, safe="") if rng.random() < 0.8 else value.replace("\x00", "%00")


def _junk_query(rng, names):
    pairs = [(name, rng.choice(QUERY_JUNK)) for name in rng.sample(names, rng.randint(1, 4))]
    return urlencode(pairs, safe="/")


def fuzz_requests(templates, samples, query_names, rng, admin_cases):
    """(method, name, url, data) of each case: per template, the valid URL, then CASES
    cases with junk in the path, the query or the form data (admin_cases in the admin)."""
    for name, template in templates:
        params = re.findall(r"\{(\w+)\}", template)
        valid = {p: rng.choice(samples.get(p, ["1"])) for p in params}
        # The valid URL, with the paging junk every list must survive.
        yield "GET", name, _path(template, valid) + "?" + ALWAYS_QUERY, None
        for case in range(admin_cases if name.startswith("admin:") else CASES):
            values = {p: (_junk_value(rng) if rng.random() < 0.6 else valid[p]) for p in params}
            if case == 0:
                values = dict.fromkeys(params, "%00")  # a NUL byte in every path parameter
            url = _path(template, values) + "?" + _junk_query(rng, query_names)
            method = rng.choice(["GET", "GET", "POST"])
            data = None
            if method == "POST":
                data = {n: rng.choice(QUERY_JUNK) for n in rng.sample(query_names, 3)}
                data.update(title=rng.choice(JUNK_VALUES), file_format=rng.choice(QUERY_JUNK))
            yield method, name, url, data


def test_no_page_answers_a_server_error_to_junk(world, monkeypatch):
    # The throttles would answer 429 to most API cases: let every case reach its view.
    monkeypatch.setattr("compact_tracker.api.AnonThrottle.allow_request", lambda *a: True)
    monkeypatch.setattr("compact_tracker.api.UserThrottle.allow_request", lambda *a: True)
    personas, samples = world
    templates = url_templates()
    query_names = sorted({*QUERY_NAMES, *filter_names()})
    started, requests, failures = time.monotonic(), 0, []
    timings = {}
    for persona, user in personas.items():
        client, persona_started = _client(user), time.monotonic()
        rng = random.Random(f"{SEED}:{persona}")
        # Anyone but the secretariat is sent to the admin's sign-in page whatever the URL.
        admin_cases = CASES if persona in ("secretariat", "anonymous") else 1
        cases = fuzz_requests(templates, samples, query_names, rng, admin_cases)
        for method, name, url, data in cases:
            if (method, name.rsplit(":", 1)[-1]) in SKIPPED:
                continue
            response = client.get(url) if method == "GET" else client.post(url, data or {})
            requests += 1
            if response.status_code >= 500:
                error = response.exc_info[1] if response.exc_info else ""
                failures.append(
                    f"{persona} {method} {url[:160]!r} {str(data)[:160]}: "
                    f"{response.status_code} {type(error).__name__}: {str(error)[:160]}"
                )
        timings[persona] = round(time.monotonic() - persona_started, 1)
    elapsed = time.monotonic() - started
    print(
        f"page fuzzer: {len(templates)} URL patterns x {len(personas)} personas x "
        f"{CASES + 1} cases (fewer in the admin) = {requests} requests in {elapsed:.1f} s "
        f"{timings}, {len(failures)} 5xx"
    )
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:60])
