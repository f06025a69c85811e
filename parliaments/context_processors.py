"""Template context: what the signed-in person may see in the navigation."""

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from compact_tracker import pagecache
from parliaments import permissions

# Staff see a badge on "My workspace" when a report is due within this many days.
DUE_SOON_DAYS = 60


def waiting_for_review():
    """Submissions waiting for a decision (the secretariat's badge), counted once per
    change to any submission (not to drafts: they change many times a second)."""
    from parliaments.apps import SUBMISSIONS
    from parliaments.models import Submission

    return pagecache.value(
        "nav-waiting",
        [SUBMISSIONS],
        lambda: Submission.objects.filter(status=Submission.Status.SUBMITTED).count(),
    )


def workspace_alert(parliament):
    """ "returned" when a report came back with comments, "due" when the next report is due
    within DUE_SOON_DAYS (or overdue), else "": the badge on the staff's "My workspace".
    One query: the parliament's cycles, each marked returned or with nothing to send."""
    from django.db.models import Exists, OuterRef

    from parliaments import selectors
    from parliaments.models import Submission

    today = timezone.localdate()

    def compute():
        own = Submission.objects.filter(parliament=parliament, cycle=OuterRef("pk"))
        cycles = selectors.cycles_for(parliament).annotate(
            returned=Exists(own.filter(status=Submission.Status.RETURNED)),
            sent=Exists(own.filter(status__in=selectors.NOTHING_TO_SEND)),
        )
        rows = list(cycles.values_list("due_date", "returned", "sent"))
        if any(returned for _due, returned, _sent in rows):
            return "returned"
        due = next((due for due, _returned, sent in rows if not sent), None)
        return "due" if due is not None and (due - today).days <= DUE_SOON_DAYS else ""

    return pagecache.value(
        f"nav-workspace:{parliament.pk}:{today.isoformat()}",
        [pagecache.drafts_of(parliament.pk)],
        compute,
    )


def _unread(user):
    from parliaments.following.services import unread_count

    return unread_count(user)


def roles(request):
    """`nav` holds the person's role flags and badges, computed only if a template asks."""

    def flags():
        user = getattr(request, "user", None)
        secretariat = permissions.is_secretariat(user)
        parliament = permissions.parliament_of(user)
        staff = permissions.is_parliament_staff(user)
        return {
            "secretariat": secretariat,
            "parliament_staff": staff,
            "partner": bool(user and user.is_authenticated and not secretariat and not staff),
            "waiting": pagecache.LazyValue(waiting_for_review) if secretariat else 0,
            "unread": pagecache.LazyValue(lambda: _unread(user))
            if user and user.is_authenticated
            else 0,
            "workspace_alert": pagecache.LazyValue(lambda: workspace_alert(parliament))
            if staff and parliament
            else "",
        }

    return {"nav": SimpleLazyObject(flags)}
