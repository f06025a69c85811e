"""The page cache (compact_tracker.pagecache): what a page shows decides what empties it,
one request rebuilds a missing section, and the ground floor imports no app."""

import ast
import re
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from commitments.models import Objective
from compact_tracker import pagecache
from parliaments import services
from parliaments.models import Action, Submission
from tests.reports.conftest import known  # noqa: F401 - the hand-built dataset

ROOT = Path(__file__).resolve().parent.parent


def _client(username=None):
    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def _get(client, url):
    """(number of queries, content) of one request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    content = response.content.decode()
    if "<main" in content:  # the page's cached part (the header carries a fresh CSRF token)
        content = content.split('id="main"')[1]
    return len(queries), content


@pytest.fixture
def pages(known):  # noqa: F811
    """Every cached page, warmed: {name: (client, url, queries of a cached view)}."""
    clients = {
        "anonymous": _client(),
        "secretariat": known["client"],
        "focal_ma": _client("focal.ma"),
        "focal_mx": _client("focal.mx"),
    }
    urls = {
        "public summary": ("anonymous", "/progress/"),
        "public API actions": ("anonymous", "/api/v1/actions/"),
        "public API submissions": ("anonymous", "/api/v1/submissions/"),
        "overview": ("secretariat", "/dashboard/"),
        "objective 7": ("secretariat", "/dashboard/objectives/7/"),
        "Morocco's dashboard": ("secretariat", "/dashboard/parliaments/MA/"),
        "Mexico's dashboard": ("secretariat", "/dashboard/parliaments/MX/"),
        "Morocco's workspace": ("focal_ma", "/workspace/"),
        "Mexico's workspace": ("focal_mx", "/workspace/"),
        "Mexico's API actions": ("focal_mx", "/api/v1/actions/"),
    }
    warm = {}
    for name, (persona, url) in urls.items():
        client = clients[persona]
        _get(client, url)
        hit, content = _get(client, url)
        warm[name] = (client, url, hit, content)
    return warm


def _recomputed(pages):
    """{name: whether the page was computed again rather than served from the cache}."""
    result = {}
    for name, (client, url, hit, _content) in pages.items():
        count, _now = _get(client, url)
        result[name] = count > hit
    return result


def _draft_action(title):
    return Action.objects.drafts().get(title=title)


def test_a_draft_edit_in_morocco_leaves_public_pages_and_mexico_cached(pages):
    action = _draft_action("MA complete")
    services.action_update(
        actor=get_user_model().objects.get(username="focal.ma"),
        action=action,
        expected_version=action.version,
        title="MA complete, with hearings",
    )
    recomputed = _recomputed(pages)
    assert recomputed == {
        "public summary": False,
        "public API actions": False,
        "public API submissions": False,
        "overview": True,
        "objective 7": True,
        "Morocco's dashboard": True,
        "Mexico's dashboard": False,
        "Morocco's workspace": True,
        "Mexico's workspace": False,
        "Mexico's API actions": False,
    }
    assert "MA complete, with hearings" in _get(*pages["Morocco's workspace"][:2])[1]
    assert "MA complete, with hearings" in _get(*pages["Morocco's dashboard"][:2])[1]
    assert "MA complete, with hearings" not in _get(*pages["public API actions"][:2])[1]


def test_an_acceptance_shows_on_public_pages_at_once(pages, known):  # noqa: F811
    submission = Submission.objects.get(parliament__iso2="MX")
    focal_mx = get_user_model().objects.get(username="focal.mx")
    services.submission_submit(actor=focal_mx, submission=submission)
    # Sent, not yet accepted: nothing public changed.
    assert _recomputed(pages)["public summary"] is False

    services.submission_accept(actor=known["reviewer"], submission=submission)
    recomputed = _recomputed(pages)
    assert recomputed["public summary"] and recomputed["public API actions"]
    assert recomputed["public API submissions"]
    assert recomputed["Mexico's workspace"] and not recomputed["Morocco's workspace"]
    before = re.findall(r'kpi-number">(\d+)<', pages["public summary"][3])
    after = re.findall(r'kpi-number">(\d+)<', _get(*pages["public summary"][:2])[1])
    assert before == ["1", "0", "179"] and after == ["1", "1", "178"]
    assert "MX limited" in _get(*pages["public API actions"][:2])[1]


def test_resubmitting_an_accepted_report_refreshes_public_pages(pages):
    """The public counts accepted reports only: one sent again is no longer accepted."""
    submission = Submission.objects.get(parliament__iso2="MA")
    services.submission_submit(
        actor=get_user_model().objects.get(username="focal.ma"), submission=submission
    )
    recomputed = _recomputed(pages)
    assert recomputed["public summary"] and recomputed["public API submissions"]
    assert not recomputed["Mexico's workspace"]


def test_a_reference_edit_refreshes_every_page(pages):
    objective = Objective.objects.get(number=7)
    objective.title = objective.title + " (revised)"
    objective.save()
    assert all(_recomputed(pages).values())


def test_starring_a_good_practice_refreshes_public_and_secretariat_pages(pages, known):  # noqa: F811
    """The star is a queryset update, on the draft and its published copy."""
    action = _draft_action("MA complete")
    services.action_set_good_practice(actor=known["reviewer"], action=action, value=True)
    recomputed = _recomputed(pages)
    assert recomputed["public API actions"] and recomputed["objective 7"]
    assert recomputed["Morocco's workspace"]
    assert not recomputed["Mexico's workspace"]
    assert '"is_good_practice":true' in _get(*pages["public API actions"][:2])[1]


# --- One recomputation per change -----------------------------------------------------


def _section(scopes, path="/single-flight/"):
    return pagecache.Section(RequestFactory().get(path), "test", scopes=scopes)


class Builder:
    def __init__(self, value, seconds=0.0):
        self.value, self.seconds, self.calls = value, seconds, 0
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.calls += 1
        time.sleep(self.seconds)
        return self.value


@pytest.mark.parametrize("scope", [pagecache.PUBLISHED, pagecache.DRAFTS])
def test_concurrent_requests_for_a_missing_section_compute_it_once(scope):
    pagecache.bump(scope)
    build = Builder("fresh", seconds=0.3)
    sections = [_section({scope}) for _ in range(5)]
    results = [None] * len(sections)

    def request(index):
        results[index] = sections[index].get_or_build(build)

    threads = [threading.Thread(target=request, args=(i,)) for i in range(len(sections))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert build.calls == 1
    assert results == ["fresh"] * 5


@pytest.fixture
def stale_pages(monkeypatch):
    """Shared sections served from their last copy, as in production."""
    monkeypatch.setattr(pagecache, "STALE_SECONDS", 5.0)
    cache.clear()


def _request(path="/single-flight/", user=None):
    request = RequestFactory().get(path)
    request._pagecache_after = []  # as PageCacheMiddleware sets it
    if user is not None:
        request.user = user
    return request


def _run_after(request):
    for work in request._pagecache_after:
        work()
    request._pagecache_after.clear()


@pytest.mark.parametrize("scope", [pagecache.PUBLISHED, pagecache.DRAFTS])
def test_a_shared_section_is_served_from_its_last_copy_and_refreshed_after_the_response(
    stale_pages, scope
):
    """Public pages and the secretariat's pages across parliaments: after a change, the
    reader is not kept waiting; the copy is refreshed once the response has gone."""
    request = _request()
    assert pagecache.Section(request, "t", {scope}).get_or_build(Builder("old")) == "old"
    assert request._pagecache_after == []  # computed in the request: nothing left to do

    pagecache.bump(scope)
    request, build = _request(), Builder("new")
    assert pagecache.Section(request, "t", {scope}).get_or_build(build) == "old"
    assert build.calls == 0 and len(request._pagecache_after) == 1
    # A second reader in the same second gets the copy too, and schedules nothing more.
    second = _request()
    assert pagecache.Section(second, "t", {scope}).get_or_build(build) == "old"
    assert second._pagecache_after == []

    _run_after(request)  # the response has been sent
    assert build.calls == 1
    assert pagecache.Section(_request(), "t", {scope}).get_or_build(Builder("x")) == "new"


def test_edits_in_a_row_cost_one_recomputation_per_refresh_interval(stale_pages):
    """A season of edits, one a second: each shared section is recomputed at most once
    every REFRESH_SECONDS (3 s), not after every edit, and no reader waits for it."""
    assert pagecache.REFRESH_SECONDS < pagecache.STALE_SECONDS
    scopes = {pagecache.DRAFTS}
    assert pagecache.Section(_request(), "t", scopes).get_or_build(Builder("v0")) == "v0"
    build = Builder("fresh")
    for edit in range(2):  # two edits 1.2 s apart, each followed by a reader
        if edit:
            time.sleep(1.2)
        pagecache.bump(pagecache.DRAFTS)
        request = _request()
        assert pagecache.Section(request, "t", scopes).get_or_build(build) in ("v0", "fresh")
        _run_after(request)
    assert build.calls == 1


def test_a_last_copy_older_than_the_limit_is_never_served(stale_pages, monkeypatch):
    assert _section({pagecache.PUBLISHED}).get_or_build(Builder("old")) == "old"
    pagecache.bump(pagecache.PUBLISHED)
    later = time.time() + pagecache.STALE_SECONDS + 0.5
    monkeypatch.setattr(pagecache.time, "time", lambda: later)
    build = Builder("new")
    assert _section({pagecache.PUBLISHED}).get_or_build(build) == "new"
    assert build.calls == 1


def test_a_parliaments_own_drafts_section_is_never_served_old(stale_pages):
    """A parliament's staff read their own pages as they write them."""
    scopes = {pagecache.drafts_of(7)}
    assert _section(scopes).get_or_build(Builder("old")) == "old"
    pagecache.bump(pagecache.drafts_of(7))
    build = Builder("new")
    assert _section(scopes).get_or_build(build) == "new"
    assert build.calls == 1


def test_whoever_just_wrote_sees_the_fresh_page(stale_pages, known):  # noqa: F811
    """The secretariat accepts a report over HTTP, then reads the overview and the public
    summary: both show the acceptance at once. Someone who wrote nothing may be served
    the previous copy for a few seconds, and the refresh after that response brings it."""
    secretariat, anonymous = known["client"], Client()
    numbers = lambda html: re.findall(r'kpi-number">(\d+)<', html)  # noqa: E731
    before = numbers(_get(anonymous, "/progress/")[1])
    _get(secretariat, "/dashboard/")

    submission = Submission.objects.get(parliament__iso2="MX")
    services.submission_submit(
        actor=get_user_model().objects.get(username="focal.mx"), submission=submission
    )
    response = secretariat.post(
        f"/review/{submission.pk}/", {"decision": "accept", "comment": "Thank you."}
    )
    assert response.status_code in (200, 302), response.content[:500]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED

    after = numbers(_get(secretariat, "/progress/")[1])
    assert after != before and after[1] == str(int(before[1]) + 1)
    # Anonymous wrote nothing: the copy from before (a few seconds old), then the fresh one
    # (the refresh ran when that response was closed).
    assert numbers(_get(anonymous, "/progress/")[1]) in (before, after)
    assert numbers(_get(anonymous, "/progress/")[1]) == after


def test_a_drafts_section_waits_for_the_rebuild_instead_of_showing_the_old_one():
    """Drafts pages are read by the people who just changed them."""
    assert _section({pagecache.DRAFTS}).get_or_build(Builder("old")) == "old"
    pagecache.bump(pagecache.DRAFTS)
    section = _section({pagecache.DRAFTS})
    lock = f"{section.key}:lock"
    cache.add(lock, 1, 10)

    def other_request_finishes():
        time.sleep(0.2)
        cache.set(section.key, "new", 60)
        cache.delete(lock)

    threading.Thread(target=other_request_finishes).start()
    build = Builder("computed here")
    assert section.get_or_build(build) == "new"
    assert build.calls == 0


def test_a_rebuild_that_takes_too_long_is_not_waited_for_forever(monkeypatch):
    monkeypatch.setattr(pagecache, "WAIT_SECONDS", 0.2)
    pagecache.bump(pagecache.DRAFTS)
    section = _section({pagecache.DRAFTS})
    cache.add(f"{section.key}:lock", 1, 10)  # a rebuild that never finishes
    build = Builder("computed here")
    assert section.get_or_build(build) == "computed here"
    assert build.calls == 1


def test_with_the_cache_down_every_request_computes_at_once(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "compact_tracker.cache.FailSoftRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.05, "BREAKER_SECONDS": 60},
        }
    }
    build = Builder("computed")
    started = time.monotonic()
    for _ in range(3):
        assert _section({pagecache.DRAFTS}).get_or_build(build) == "computed"
    assert build.calls == 3
    assert time.monotonic() - started < pagecache.WAIT_SECONDS


# --- The ground floor ---------------------------------------------------------------

APPS = {"parliaments", "commitments", "reports"}


def test_the_ground_floor_imports_no_app():
    """compact_tracker/ is imported by the apps and imports none of them: each app hands
    down what it needs to know in its apps.py ready()."""
    offenders = []
    for path in sorted((ROOT / "compact_tracker").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                if name.split(".")[0] in APPS:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert offenders == []
