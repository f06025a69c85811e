"""The report's section on Rabat §7(a): the states of the report's scope that became party
to an instrument since 7 December 2018, counted by instrument and region, each with its
date, source and the parliament action credited with it; and the GCM objectives' SDG
targets with the basis of each link. Aggregated in SQL."""

from django.db.models import Count, Max

from commitments.models import Instrument, ObjectiveSdgTarget
from compact_tracker.countries import country_name, sort_key
from parliaments.models import Action, Region
from parliaments.ratifications.models import RABAT, Ratification

Status = Ratification.Status


def ratifications_since_rabat(scope):
    """The section's content (the JSON's `ratifications_since_rabat`)."""
    joined = Ratification.objects.joined_since_rabat().filter(parliament__in=scope.parliaments())
    counts = (
        joined.values("instrument__code", "parliament__region").annotate(n=Count("pk")).order_by()
    )
    per_instrument = {}
    for row in counts:
        regions = per_instrument.setdefault(row["instrument__code"], {})
        regions[row["parliament__region"]] = row["n"]
    # Every instrument a list was loaded for, with the newest date a source was current.
    listed = (
        Ratification.objects.values("instrument__code")
        .annotate(as_of=Max("as_of"))
        .order_by("instrument__category", "instrument__code")
    )
    names = {i.code: i.localized_name for i in Instrument.objects.all()}
    by_instrument = [
        {
            "instrument": row["instrument__code"],
            "name": names.get(row["instrument__code"], ""),
            "joined": sum(per_instrument.get(row["instrument__code"], {}).values()),
            "regions": {
                region: per_instrument.get(row["instrument__code"], {}).get(region, 0)
                for region in Region.values
            },
            "sources_as_of": row["as_of"].isoformat() if row["as_of"] else None,
        }
        for row in listed
    ]
    credited = dict(
        Action.objects.filter(
            is_published_copy=scope.published,
            uid__in=joined.filter(credited_action__isnull=False).values("credited_action__uid"),
        ).values_list("uid", "title")
    )
    kinds = dict(Ratification.DateKind.choices)
    qualities = dict(Ratification.Quality.choices)
    states = [
        {
            "iso2": row["parliament__iso2"],
            "name": country_name(row["parliament__iso2"], row["parliament__name"]),
            "region": row["parliament__region"],
            "instrument": row["instrument__code"],
            "date": row["date"].isoformat(),
            "year_only": row["date_precision"] == Ratification.Precision.YEAR,
            "date_kind": row["date_kind"],
            "date_kind_label": str(kinds.get(row["date_kind"], "")).capitalize(),
            "source": row["source"],
            "as_of": row["as_of"].isoformat() if row["as_of"] else None,
            "quality": row["quality"],
            "quality_label": str(qualities.get(row["quality"], "")).capitalize(),
            "credited_action": credited.get(row["credited_action__uid"], ""),
        }
        for row in joined.values(
            "parliament__iso2",
            "parliament__name",
            "parliament__region",
            "instrument__code",
            "date",
            "date_precision",
            "date_kind",
            "source",
            "as_of",
            "quality",
            "credited_action__uid",
        )
    ]
    states.sort(key=lambda s: (s["instrument"], sort_key(s["name"]), s["iso2"]))
    return {
        "since": RABAT.isoformat(),
        "by_instrument": by_instrument,
        "states": states,
    }


def objective_sdg_targets():
    """{objective number: [{"target", "basis"}]}: the SDG targets linked to each GCM
    objective, "gcm" where the Compact's own text links them, "editorial" where the
    secretariat did."""
    links = {}
    for number, code, basis in ObjectiveSdgTarget.objects.values_list(
        "objective__number", "target__code", "basis"
    ).order_by("objective__number", "target__goal", "target__code"):
        links.setdefault(number, []).append({"target": code, "basis": basis})
    return links
