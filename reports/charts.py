"""Chart specifications (Vega-Lite, built with Altair). The browser draws them with the
vendored vega-embed; the PDF reports will turn the same specs into SVG. No chart code is
written by hand."""

import altair as alt
from django.templatetags.static import static
from django.utils.translation import gettext as _

# Status colours: each also has a word in the legend and the table below the chart.
STATUS_COLOURS = {
    "on_time": "#1d6b34",
    "late": "#b86e00",
    "none": "#a61d24",
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


def status_bar(rows, title):
    """rows: [(key, label, count)] with keys on_time / late / none."""
    rows, title = _plain(rows), str(title)
    data = [{"status": label, "key": key, "count": count} for key, label, count in rows]
    chart = (
        alt.Chart(alt.Data(values=data), title=title)
        .mark_bar()
        .encode(
            y=alt.Y("status:N", sort=[label for _key, label, _n in rows], title=None),
            x=alt.X("count:Q", title=_("Parliaments")),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=[label for _key, label, _n in rows],
                    range=[STATUS_COLOURS[key] for key, _label, _n in rows],
                ),
                legend=None,
            ),
            tooltip=["status:N", "count:Q"],
        )
        .properties(width="container", height=30 * len(rows) + 20)
    )
    text = chart.mark_text(align="left", dx=4).encode(text="count:Q", color=alt.value("#1f2933"))
    return _config(alt.layer(chart, text)).to_dict(validate=False)


def category_bar(rows, title, colours=None):
    """rows: [(key, label, count)] in display order."""
    rows, title = _plain(rows), str(title)
    data = [{"label": label, "count": count} for _key, label, count in rows]
    labels = [label for _key, label, _n in rows]
    colour = (
        alt.Color("label:N", scale=alt.Scale(domain=labels, range=colours), legend=None)
        if colours
        else alt.value("#1f6fb2")
    )
    chart = (
        alt.Chart(alt.Data(values=data), title=title)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=labels, title=None),
            x=alt.X("count:Q", title=_("Actions")),
            color=colour,
            tooltip=["label:N", "count:Q"],
        )
        .properties(width="container", height=26 * len(rows) + 20)
    )
    text = chart.mark_text(align="left", dx=4).encode(text="count:Q", color=alt.value("#1f2933"))
    return _config(alt.layer(chart, text)).to_dict(validate=False)


def quarterly_line(rows, title):
    """rows: [(quarter date, count)]."""
    title = str(title)
    data = [{"quarter": quarter.isoformat(), "count": count} for quarter, count in rows]
    chart = (
        alt.Chart(alt.Data(values=data), title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("quarter:T", title=_("Quarter"), timeUnit="yearquarter"),
            y=alt.Y("count:Q", title=_("Progress updates")),
            tooltip=[alt.Tooltip("quarter:T", timeUnit="yearquarter"), "count:Q"],
        )
        .properties(width="container", height=220)
    )
    return _config(chart).to_dict(validate=False)


def world_map(rows, field, legend, title):
    """A choropleth of parliaments: rows with iso_numeric, name and `field` (a key of
    `legend`: {key: (label, colour)}). Countries without a parliament stay grey."""
    title = str(title)
    legend = {key: (str(label), colour) for key, (label, colour) in legend.items()}
    data = [
        {"id": row["iso_numeric"], "name": row["name"], "status": legend[row[field]][0]}
        for row in rows
        if row.get("iso_numeric")
    ]
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
            lookup="id", from_=alt.LookupData(alt.Data(values=data), "id", ["name", "status"])
        )
        .transform_filter("isValid(datum.status)")
        .encode(
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=[label for label, _colour in legend.values()],
                    range=[colour for _label, colour in legend.values()],
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
    title, column_title = str(title), str(column_title)
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
    chart = (
        alt.Chart(alt.Data(values=data), title=title)
        .mark_rect()
        .encode(
            x=alt.X("column:O", sort=[str(c) for c, _l in columns], title=column_title),
            y=alt.Y("parliament:N", sort=[row["name"] for row in rows], title=None),
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
        .properties(width="container", height=max(120, 16 * len(rows)))
    )
    return _config(chart).to_dict(validate=False)
