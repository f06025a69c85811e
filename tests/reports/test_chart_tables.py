"""The README promises a table under every chart and a CSV and XLSX download of every
table. This walks every named page as the secretariat, an editor and the anonymous visitor,
and checks each chart it finds: the chart names its table (aria-details), the table is on the
page, its downloads are offered, and the downloads hold the rows the table shows."""

import csv
import datetime
import io
import itertools
import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import formats
from openpyxl import load_workbook

from commitments.models import Cycle
from parliaments.models import Action, Parliament, PlanOfAction, Submission
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# Namespaces with no pages of charts: the admin's own pages and the JSON API.
SKIPPED_NAMESPACES = {"admin", "api"}
SKIPPED_NAMES = {"api-schema", "api-docs"}

CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Pages that draw charts today: the walk must at least find these, so that it cannot pass
# by finding no chart at all.
KNOWN_CHART_PAGES = {
    "reports:overview",
    "reports:coverage",
    "reports:objective",
    "reports:commitment",
    "reports:region",
    "reports:parliament",
    "reports:public_summary",
    "reports:ratification_instrument",
}


# --- A small HTML tree ------------------------------------------------------------------------


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, predicate):
        return [node for node in self.iter() if predicate(node)]

    def text(self):
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def classes(self):
        return self.attrs.get("class", "").split()


class TreeBuilder(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#root", {}, None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html):
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# --- Every named page -------------------------------------------------------------------------


def _named_routes():
    """(route name, parameter names) of every named URL pattern outside SKIPPED_NAMESPACES."""

    def params(pattern):
        converters = getattr(pattern.pattern, "converters", None)
        if converters is not None:
            return list(converters)
        return list(pattern.pattern.regex.groupindex)

    def walk(patterns, namespace, inherited):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                yield from walk(pattern.url_patterns, inner, inherited + params(pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                if pattern.name in SKIPPED_NAMES:
                    continue
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, inherited + params(pattern)

    return sorted({(name, tuple(p)) for name, p in walk(get_resolver().url_patterns, "", [])})


def _samples():
    """Values to try for each URL parameter, taken from the data."""
    ma = Parliament.objects.get(iso2="MA")
    action = Action.objects.drafts().filter(parliament=ma).order_by("pk").first()
    published = Action.objects.filter(parliament=ma, is_published_copy=True).first()
    plan = PlanOfAction.objects.filter(parliament=ma).order_by("pk").first()
    submission = Submission.objects.filter(parliament=ma).first()
    return {
        "number": [action.objectives.order_by("number").first().number],
        # A commitment's code, and an instrument's (the Rabat §7(a) matrix's pages).
        "code": [action.commitments.order_by("code").first().code, "ICRMW"],
        "region": [ma.region],
        "iso2": [ma.iso2],
        "cycle_code": [Cycle.objects.get(code="2021-progress").code],
        "uid": [published.uid],
        "pk": [action.pk, plan.pk, submission.pk],
        "file_format": ["html"],
        # The data package's files: the latest's descriptor (404 until a package is built).
        "day": ["latest"],
        "name": ["datapackage.json"],
        # django.contrib.auth's password reset link: an invalid one is enough to see the page.
        "uidb64": ["MQ"],
        "token": ["set-password"],
    }


def _urls():
    """(route name, URL) of every named page, with every combination of sample values."""
    samples, urls = _samples(), set()
    for name, params in _named_routes():
        missing = [p for p in params if p not in samples]
        assert not missing, f"no sample value for {missing}: add one so the walk reaches {name}"
        for values in itertools.product(*(samples[p] for p in params)):
            urls.add((name, reverse(name, kwargs=dict(zip(params, values, strict=True)))))
    return sorted(urls)


# --- A table on the page and in its downloads -------------------------------------------------


def _inside(node, tag):
    while node is not None:
        if node.tag == tag:
            return True
        node = node.parent
    return False


def _page_table(table):
    """(headers, rows) of a table as shown. A cell is (text, False), or (value, True) when it
    carries its value in data-value (a count shown as a mark and a colour)."""
    headers = [n.text() for n in table.find_all(lambda n: n.tag == "th" and _inside(n, "thead"))]
    rows = []
    for tr in table.find_all(lambda n: n.tag == "tr" and _inside(n, "tbody")):
        cells = [n for n in tr.children if isinstance(n, Node) and n.tag in ("td", "th")]
        if len(cells) == 1 and "colspan" in cells[0].attrs:  # "Nothing to show."
            continue
        rows.append(
            [
                (c.attrs["data-value"], True) if "data-value" in c.attrs else (c.text(), False)
                for c in cells
            ]
        )
    return headers, rows


def _download_table(response, file_format):
    """(headers, rows) of a downloaded table, every value as text."""
    if file_format == "csv":
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
        lines = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    return lines[0], lines[1:]


def _as_shown(value):
    """A downloaded value written the way the page's table shows it."""
    if value == "":
        return "—"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return formats.date_format(datetime.date.fromisoformat(value))
    return value


def _check_download(client, page_url, tree, table, link, file_format):
    """The download behind `link` answers with the right type and holds the table's rows:
    every column shown, and the rows shown are its first rows."""
    url = urljoin(page_url, link.attrs["href"])
    where = f"{page_url}: {file_format.upper()} of #{table.attrs['id']} ({url})"
    response = client.get(url)
    assert response.status_code == 200, where
    assert response["Content-Type"].startswith(CONTENT_TYPES[file_format]), where
    assert response.content, where
    assert response["Content-Disposition"].startswith("attachment"), where
    headers, rows = _download_table(response, file_format)
    shown_headers, shown_rows = _page_table(table)
    missing = [h for h in shown_headers if h not in headers]
    assert not missing, f"{where}: columns shown but not in the download: {missing}"
    columns = [headers.index(h) for h in shown_headers]
    assert len(shown_rows) <= len(rows), f"{where}: the page shows rows the download lacks"
    for shown, row in zip(shown_rows, rows, strict=False):
        downloaded = [row[i] for i in columns]
        expected = [
            v if raw else _as_shown(v) for (_s, raw), v in zip(shown, downloaded, strict=False)
        ]
        assert [s for s, _raw in shown] == expected, where
    if len(shown_rows) < len(rows):
        # A page may show the first rows only, but then it says so.
        notes = tree.find_all(lambda n: {"table-more", "pagination"} & set(n.classes()))
        assert notes, f"{where}: shows {len(shown_rows)} of {len(rows)} rows without saying so"


def _check_charts(client, name, url, html):
    """Every chart on the page has its table and downloads; True if the page has charts."""
    tree = parse(html)
    chart_nodes = tree.find_all(lambda n: "data-vega-chart" in n.attrs)
    for chart in chart_nodes:
        where = f"{name} {url}: chart {chart.attrs['data-vega-chart']!r}"
        table_id = chart.attrs.get("aria-details", "")
        tables = tree.find_all(lambda n, i=table_id: n.attrs.get("id") == i)
        assert table_id and len(tables) == 1, f"{where} names no table of its own ({table_id!r})"
        table = tables[0]
        assert table.tag == "table", f"{where}: #{table_id} is a <{table.tag}>, not a table"
        assert _page_table(table)[0], f"{where}: #{table_id} has no column headers"
        exports = tree.find_all(lambda n, i=table_id: n.attrs.get("data-table") == i)
        assert exports, f"{where}: no downloads for #{table_id}"
        for export in exports:
            links = {a.text(): a for a in export.find_all(lambda n: n.tag == "a")}
            assert set(links) >= {"CSV", "XLSX"}, f"{where}: downloads {sorted(links)}"
            _check_download(client, url, tree, table, links["CSV"], "csv")
            _check_download(client, url, tree, table, links["XLSX"], "xlsx")
    return bool(chart_nodes)


def test_every_chart_has_its_table_and_downloads(known):
    editor = Client()
    editor.force_login(make_user("editor.ma", "editor", "MA"))
    personas = {"secretariat": known["client"], "editor": editor, "anonymous": Client()}
    with_charts = set()
    for name, url in _urls():
        for client in personas.values():
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            if _check_charts(client, name, url, response.content.decode()):
                with_charts.add(name)
    assert with_charts >= KNOWN_CHART_PAGES
