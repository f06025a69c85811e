"""Chart specifications (Vega-Lite, built with Altair). The browser draws them with the
vendored vega-embed; the PDF reports will turn the same specs into SVG. No chart code is
written by hand."""

import datetime
import functools
import textwrap

import altair as alt
from django.templatetags.static import static
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

# Building a chart with Altair validates it against the Vega-Lite schema: ~25 ms a chart,
# most of a dashboard's cold rendering. A chart's spec depends on its data only through
# the data values, so each kind of chart is built once per title, labels and language with
# a placeholder for its data, kept, and filled with the data at each use.
PLACEHOLDER = [{"__placeholder__": 0}]


def _filled(spec, values):
    """A copy of `spec` with the placeholder data replaced by `values`."""
    if spec == PLACEHOLDER:
        return values
    if isinstance(spec, dict):
        return {key: _filled(value, values) for key, value in spec.items()}
    if isinstance(spec, list):
        return [_filled(item, values) for item in spec]
    return spec


def _skeleton(build):
    """Decorator: build(…, data=PLACEHOLDER) is computed once per arguments and language;
    calls pass the data as the first argument."""
    cached = functools.lru_cache(maxsize=512)(
        lambda language, args: _in_direction(build(*args, data=PLACEHOLDER), language)
    )

    @functools.wraps(build)
    def chart(values, *args):
        return _filled(cached(get_language(), args), values)

    return chart


def _in_direction(spec, language):
    """A chart as a reader of `language` reads it: for a right-to-left language (Arabic),
    mirrored (right_to_left)."""
    if language and get_language_info(language.split("-")[0]).get("bidi"):
        return right_to_left(spec)
    return spec


def right_to_left(spec):
    """`spec` mirrored for a right-to-left reader: bars grow from the right and categories
    and quarters run from right to left (each x scale reversed), the category labels sit on
    the right (y axes), the counts written at a bar's end sit on its left, and titles and
    legends start on the right."""
    if isinstance(spec, list):
        return [right_to_left(item) for item in spec]
    if not isinstance(spec, dict):
        return spec
    spec = {key: right_to_left(value) for key, value in spec.items()}
    encoding = spec.get("encoding")
    if isinstance(encoding, dict):
        encoding = dict(encoding)
        if isinstance(encoding.get("x"), dict):
            x = dict(encoding["x"])
            x["scale"] = {**(x.get("scale") or {}), "reverse": True}
            encoding["x"] = x
        if isinstance(encoding.get("y"), dict) and encoding["y"].get("axis", {}) is not None:
            y = dict(encoding["y"])
            y["axis"] = {**(y.get("axis") or {}), "orient": "right"}
            encoding["y"] = y
        spec["encoding"] = encoding
    mark = spec.get("mark")
    if isinstance(mark, dict) and mark.get("type") == "text" and mark.get("align") == "left":
        spec["mark"] = {**mark, "align": "right", "dx": -mark.get("dx", 0)}
    padding = spec.get("padding")
    if isinstance(padding, dict) and "left" in padding and "right" in padding:
        spec["padding"] = {**padding, "left": padding["right"], "right": padding["left"]}
    config = spec.get("config")
    if isinstance(config, dict):
        spec["config"] = {
            **config,
            "title": {**config.get("title", {}), "anchor": "end"},
            "legend": {**config.get("legend", {}), "orient": "left"},
        }
    return spec


# Status colours: each also has a word in the legend and the table below the chart.
STATUS_COLOURS = {
    "on_time": "#1d6b34",
    "late": "#b86e00",
    "none": "#9aa5b1",  # nothing yet: a neutral grey, not a failure red (issue 15)
}
COMPLETION_COLOURS = ["#5f6b76", "#b86e00", "#1f6fb2", "#1d6b34", "#7a2525"]


def _config(chart):
    # "fit" with padding keeps axis labels, counts and legends inside the container, down
    # to a phone's width.
    chart = chart.properties(
        autosize=alt.AutoSizeParams(type="fit", contains="padding"),
        padding={"left": 5, "top": 5, "bottom": 5, "right": 28},
    )
    return (
        chart.configure_view(stroke=None)
        .configure_title(anchor="start", fontSize=13)
        .configure_axis(labelFontSize=12, titleFontSize=12, labelLimit=180)
        .configure_legend(labelFontSize=12, titleFontSize=12, labelLimit=320)
    )


def _plain(rows):
    return [(key, str(label), count) for key, label, count in rows]


LINE_BREAK = "|"  # in an axis label: a new line (see WRAPPED_LABELS)
# An axis whose labels were wrapped by _wrapped shows them on several lines, never cut.
WRAPPED_LABELS = f"split(datum.label, '{LINE_BREAK}')"


def _rows_height(labels, per_row):
    """A bar chart's height: `per_row` pixels a bar, or room for the longest label's lines
    (every band is as tall as the tallest label needs)."""
    most = max((_wrapped(label).count(LINE_BREAK) + 1 for label in labels), default=1)
    return len(labels) * max(per_row, 16 * most + 14) + 20


def _wrapped(label, width=22):
    """A long category label on several lines ("Adopté au plus tard le 31 décembre 2019"
    is not cut to "Adopté au plus tard le 31 déce…"); tooltips and tables keep it whole."""
    return LINE_BREAK.join(textwrap.wrap(label, width)) or label


def status_bar(rows, title):
    """rows: [(key, label, count)] with keys on_time / late / none."""
    rows, title = _plain(rows), str(title)
    data = [
        {"status": label, "line": _wrapped(label), "key": key, "count": count}
        for key, label, count in rows
    ]
    return _status_bar(data, tuple((key, label) for key, label, _n in rows), title)


@_skeleton
def _status_bar(keys, title, data):
    labels = [label for _key, label in keys]
    chart = (
        alt.Chart(alt.Data(values=data), title=title)
        .mark_bar()
        .encode(
            y=alt.Y(
                "line:N",
                sort=[_wrapped(label) for label in labels],
                title=None,
                axis=alt.Axis(labelExpr=WRAPPED_LABELS),
            ),
            # Counts: whole numbers only on the axis (no 0.5 steps).
            x=alt.X("count:Q", title=_("Parliaments"), axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=labels,
                    range=[STATUS_COLOURS[key] for key, _label in keys],
                ),
                legend=None,
            ),
            tooltip=["status:N", "count:Q"],
        )
        .properties(width="container", height=_rows_height(labels, 30))
    )
    text = chart.mark_text(align="left", dx=4).encode(text="count:Q", color=alt.value("#1f2933"))
    return _config(alt.layer(chart, text)).to_dict(validate=False)


def category_bar(rows, title, colours=None):
    """rows: [(key, label, count)] in display order."""
    rows, title = _plain(rows), str(title)
    data = [
        {"label": label, "line": _wrapped(label), "count": count} for _key, label, count in rows
    ]
    labels = tuple(label for _key, label, _n in rows)
    return _category_bar(data, labels, title, tuple(colours) if colours else None)


@_skeleton
def _category_bar(labels, title, colours, data):
    labels = list(labels)
    colour = (
        alt.Color("label:N", scale=alt.Scale(domain=labels, range=list(colours)), legend=None)
        if colours
        else alt.value("#1f6fb2")
    )
    chart = (
        alt.Chart(alt.Data(values=data), title=title)
        .mark_bar()
        .encode(
            y=alt.Y(
                "line:N",
                sort=[_wrapped(label) for label in labels],
                title=None,
                axis=alt.Axis(labelExpr=WRAPPED_LABELS),
            ),
            # Counts: whole numbers only on the axis (no 0.5 steps).
            x=alt.X("count:Q", title=_("Actions"), axis=alt.Axis(tickMinStep=1, format="d")),
            color=colour,
            tooltip=["label:N", "count:Q"],
        )
        .properties(width="container", height=_rows_height(labels, 26))
    )
    text = chart.mark_text(align="left", dx=4).encode(text="count:Q", color=alt.value("#1f2933"))
    return _config(alt.layer(chart, text)).to_dict(validate=False)


def quarter_label(quarter):
    """ "2019 Q2" (in French "T2 2019"): a quarter as the tables and charts show it."""
    number = (quarter.month - 1) // 3 + 1
    return _("%(year)s Q%(number)s") % {"year": quarter.year, "number": number}


def every_quarter(rows):
    """[(quarter start, count)] from the first quarter with a count to the last, with 0
    for the quarters in between where nothing happened."""
    counts = dict(rows)
    if not counts:
        return []
    first, last = min(counts), max(counts)
    year, index = first.year, (first.month - 1) // 3
    result = []
    while (year, index) <= (last.year, (last.month - 1) // 3):
        quarter = datetime.date(year, 3 * index + 1, 1)
        result.append((quarter, counts.get(quarter, 0)))
        year, index = (year + 1, 0) if index == 3 else (year, index + 1)
    return result


def quarterly_bars(rows, title):
    """rows: [(quarter date, count)], every quarter (every_quarter). Bars, not a line: an
    empty quarter is a zero, never a line drawn across it."""
    data = [{"quarter": quarter_label(quarter), "count": count} for quarter, count in rows]
    return _quarterly_bars(data, str(title))


@_skeleton
def _quarterly_bars(title, data):
    chart = (
        alt.Chart(alt.Data(values=data), title=title)
        .mark_bar(color="#1f6fb2")
        .encode(
            x=alt.X(
                "quarter:O",
                title=_("Quarter"),
                sort=None,  # the data's order: oldest first
                axis=alt.Axis(labelAngle=0, labelOverlap="greedy", labelSeparation=8),
            ),
            y=alt.Y(
                "count:Q",
                title=_("Progress updates"),
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            tooltip=[alt.Tooltip("quarter:O", title=_("Quarter")), "count:Q"],
        )
        .properties(width="container", height=220)
    )
    return _config(chart).to_dict(validate=False)


def world_map(rows, field, legend, title, link=None):
    """A choropleth of parliaments: rows with iso_numeric, name and `field` (a key of
    `legend`: {key: (label, colour)}). Countries without a parliament stay light grey.
    `link(row)`: where a click on a country leads (its region's dashboard, its page)."""
    legend = {key: (str(label), colour) for key, (label, colour) in legend.items()}
    data = [
        {
            "id": row["iso_numeric"],
            "name": row["name"],
            "status": legend[row[field]][0],
            "href": link(row) if link else "",
        }
        for row in rows
        if row.get("iso_numeric")
    ]
    return _world_map(data, tuple(legend.values()), str(title))


@_skeleton
def _world_map(legend, title, data):
    countries = alt.Data(
        url=static("vendor/world-atlas-2.0.2/countries-110m.json"),
        format=alt.DataFormat(type="topojson", feature="countries"),
    )
    base = alt.Chart(countries).mark_geoshape(
        fill="#e6e9ec",
        stroke="#ffffff",
        strokeWidth=0.5,
        aria=False,  # decorative background
    )
    coloured = (
        alt.Chart(countries, title=title)
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.5)
        .transform_lookup(
            lookup="id",
            from_=alt.LookupData(alt.Data(values=data), "id", ["name", "status", "href"]),
        )
        .transform_filter("isValid(datum.status)")
        .encode(
            href="href:N",
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=[label for label, _colour in legend],
                    range=[colour for _label, colour in legend],
                ),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=["name:N", "status:N"],
        )
    )
    chart = (
        alt.layer(base, coloured).project("equalEarth").properties(width="container", height=380)
    )
    return _config(chart).to_dict(validate=False)


def heatmap(columns, rows, title, column_title):
    """Coverage: parliaments × columns, colour = best completion reached, text = count."""
    data = [
        {
            "parliament": row["name"],
            "column": str(column),
            "count": count,
            "best": best or "none",
        }
        for row in rows
        for (column, _label), (count, best) in zip(columns, row["cells"], strict=True)
        if count
    ]
    spec = _heatmap(data, tuple(str(c) for c, _l in columns), str(title), str(column_title))
    # The rows' order and the height vary with the page of parliaments shown: set on the
    # filled copy, so the skeleton is built once per columns, titles and language.
    spec["encoding"]["y"]["sort"] = [row["name"] for row in rows]
    spec["height"] = max(120, 16 * len(rows))
    return spec


@_skeleton
def _heatmap(columns, title, column_title, data):
    chart = (
        alt.Chart(alt.Data(values=data), title=title)
        .mark_rect()
        .encode(
            x=alt.X("column:O", sort=list(columns), title=column_title),
            y=alt.Y("parliament:N", title=None),
            color=alt.Color(
                "best:N",
                scale=alt.Scale(
                    domain=["not_started", "limited", "substantial", "complete", "withdrawn"],
                    range=COMPLETION_COLOURS,
                ),
                legend=alt.Legend(title=str(_("Best completion")), orient="bottom"),
            ),
            tooltip=["parliament:N", "column:O", "count:Q", "best:N"],
        )
        .properties(width="container", height=120)
    )
    return _config(chart).to_dict(validate=False)
