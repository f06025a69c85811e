"""Reading the statuses: who joined an instrument since Rabat, and which parliament action
each change is credited to. One query whatever the number of states."""

from django.db.models import OuterRef, Subquery
from django.urls import reverse

from parliaments.ratifications.models import Ratification, RatificationProposal


def joined_since_rabat(*, parliaments=None, instruments=None, published=True):
    """[dict] of the states that became party after 7 December 2018, by
    instrument then state: date, what it is, source, and the action credited with it as
    the reader may see it (its published copy for the public, the working copy for the
    secretariat and the parliament), with the link to it. `parliaments` and `instruments`
    are querysets or lists that limit the rows."""
    from parliaments.models import Action, Parliament, country_name_sql

    copies = Action.objects.filter(
        uid=OuterRef("credited_action__uid"), is_published_copy=published
    )
    queryset = Ratification.objects.joined_since_rabat()
    if parliaments is not None:
        queryset = queryset.filter(parliament__in=parliaments)
    if instruments is not None:
        queryset = queryset.filter(instrument__in=instruments)
    rows = (
        queryset.annotate(
            shown_name=country_name_sql("parliament__"),
            action_title=Subquery(copies.values("title")[:1]),
            action_pk=Subquery(copies.values("pk")[:1]),
        )
        .order_by("instrument__category", "instrument__code", Parliament.by_name("parliament__"))
        .values(
            "shown_name",
            "parliament__iso2",
            "instrument__code",
            "date",
            "date_kind",
            "date_precision",
            "source",
            "quality",
            "verified_at",
            "credited_action__uid",
            "action_title",
            "action_pk",
        )
    )
    kinds = dict(Ratification.DateKind.choices)
    result = []
    for row in rows:
        uid, iso2 = row["credited_action__uid"], row["parliament__iso2"]
        link = ""
        if row["action_title"] is not None:
            link = (
                reverse("parliaments:public_action", args=[iso2, uid])
                if published
                else reverse("parliaments:action_detail", args=[row["action_pk"]])
            )
        result.append(
            {
                "name": row["shown_name"],
                "iso2": iso2,
                "instrument": row["instrument__code"],
                "date": row["date"],
                "year_only": row["date_precision"] == Ratification.Precision.YEAR,
                "kind": kinds.get(row["date_kind"], ""),
                "source": row["source"],
                "verified": row["verified_at"] is not None,
                "action_title": row["action_title"] or "",
                "action_url": link,
            }
        )
    return result


def credits_of(action):
    """[Ratification] credited to one action; only a ratification action can be (no
    query for the others)."""
    if action.action_type != "ratification" or not action.instrument_id:
        return []
    return credited_to([action]).get(action.uid, [])


def credited_to(actions):
    """{action uid: [Ratification]}: the statuses credited to these actions (any copy),
    for their pages."""
    uids = [action.uid for action in actions]
    rows = (
        Ratification.objects.filter(credited_action__uid__in=uids)
        .select_related("instrument", "credited_action")
        .order_by("date")
    )
    found = {}
    for row in rows:
        found.setdefault(row.credited_action.uid, []).append(row)
    return found


def pending_proposals(parliaments=None):
    """The proposals waiting for the secretariat, oldest first."""
    queryset = RatificationProposal.objects.filter(state=RatificationProposal.State.PENDING)
    if parliaments is not None:
        queryset = queryset.filter(parliament__in=parliaments)
    return queryset.select_related("parliament", "instrument", "proposed_by").order_by(
        "proposed_at"
    )
