"""Following, notifications and email digests.

- `follow()` / `unfollow()`: a person's follows (a parliament, an objective, a commitment).
- `notify()` reads the changes feed past its cursor (beat, and right after a publication)
  and writes a notification per follower and change, in one transaction: a follower of a
  parliament hears of everything published about it (plans, actions, progress, treaty
  statuses, accepted submissions, its reports); a follower of an objective or a commitment
  of the actions linked to it and their progress. One notification per person and change,
  however many of their follows it matches.
- `send_digests(frequency)` emails each person with that frequency the notifications
  since their last digest, through the outbox; each digest carries a signed one-click
  unsubscribe link (`unsubscribe_token`) that needs no sign-in.
"""

import logging

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from compact_tracker import pagecache
from parliaments.following.models import DigestSettings, Follow, FollowCursor, Notification

logger = logging.getLogger(__name__)

FAN_OUT_LIMIT = 1000
# A digest lists this many notifications; the rest are on the notifications page.
DIGEST_LIMIT = 100
UNSUBSCRIBE_SALT = "compact-tracker.digest-unsubscribe"


# --- Follows --------------------------------------------------------------------------------


def follow(user, **target):
    """Follow one thing (`parliament=`, `objective=` or `commitment=`); following it again
    changes nothing. Returns the Follow."""
    (name, value), *rest = target.items()
    if rest or name not in ("parliament", "objective", "commitment"):
        raise ValueError("follow one parliament, objective or commitment")
    with transaction.atomic():
        found, _created = Follow.objects.get_or_create(user=user, **{name: value})
        digest_settings(user)
    return found


def unfollow(user, **target):
    return Follow.objects.filter(user=user, **target).delete()[0] > 0


def digest_settings(user, language=None):
    """The person's digest settings, made on their first follow (weekly, in the language
    they were reading the site in)."""
    found, _created = DigestSettings.objects.get_or_create(
        user=user,
        defaults={"language": language or translation.get_language() or settings.LANGUAGE_CODE},
    )
    return found


def set_frequency(user, frequency, language=None):
    found = digest_settings(user, language)
    found.frequency = frequency
    if language:
        found.language = language
    if frequency != DigestSettings.Frequency.NEVER:
        found.unsubscribed_at = None
    found.save(update_fields=["frequency", "language", "unsubscribed_at"])
    return found


# --- From the changes feed to notifications -------------------------------------------------


# {kind: function(uids) -> {uid: (title, url)}}: what a notification names and links to.
# The reports app adds its reports (parliaments does not import reports).
DESCRIBERS = {}


def register_describer(kind, describe):
    DESCRIBERS[kind] = describe


def _followers(entry, follows, linked):
    parliament_followers, objective_followers, commitment_followers = follows
    users = set(parliament_followers.get(entry.parliament_id, ()))
    objectives, commitments = linked.get((entry.kind, entry.uid), ((), ()))
    for number in objectives:
        users |= objective_followers.get(number, set())
    for commitment_id in commitments:
        users |= commitment_followers.get(commitment_id, set())
    return users


def notify(limit=FAN_OUT_LIMIT):
    """Notifications for the changes published since the last call; returns how many were
    written. Fixed number of queries per call, whatever the number of followers."""
    from parliaments.webhooks.services import changes_after, event_names, linked_to

    with transaction.atomic():
        cursor, _created = FollowCursor.objects.select_for_update().get_or_create(pk=1)
        entries = changes_after(cursor.last_change_id, limit)
        if not entries:
            return 0
        parliament_ids = {e.parliament_id for e in entries if e.parliament_id}
        rows = Follow.objects.filter(
            Q(parliament_id__in=parliament_ids)
            | Q(objective__isnull=False)
            | Q(commitment__isnull=False)
        ).values_list("user_id", "parliament_id", "objective__number", "commitment_id")
        follows = ({}, {}, {})
        for user_id, *targets in rows:
            for index, target in enumerate(targets):
                if target:
                    follows[index].setdefault(target, set()).add(user_id)
        notifications = []
        if any(follows):
            linked = linked_to(entries) if follows[1] or follows[2] else {}
            names = event_names(entries)
            described = {}
            for kind, describe in DESCRIBERS.items():
                uids = {e.uid for e in entries if e.kind == kind}
                if uids:
                    described.update({(kind, uid): found for uid, found in describe(uids).items()})
            for entry in entries:
                users = _followers(entry, follows, linked)
                if not users:
                    continue
                title, url = described.get((entry.kind, entry.uid), (entry.get_kind_display(), ""))
                notifications += [
                    Notification(
                        user_id=user_id,
                        change=entry,
                        event=names[entry.id],
                        parliament=entry.parliament,
                        title=title[:500],
                        url=url,
                    )
                    for user_id in sorted(users)
                ]
        Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        _forget_unread({n.user_id for n in notifications})
        cursor.last_change_id = entries[-1].id
        cursor.save(update_fields=["last_change_id"])
    return len(notifications)


def _describe_plans(uids):
    from parliaments.models import PlanOfAction

    return {
        uid: (title, reverse("parliaments:public_parliament", args=[iso2]))
        for uid, title, iso2 in PlanOfAction.objects.filter(uid__in=uids)
        .order_by("is_published_copy")
        .values_list("uid", "title", "parliament__iso2")
    }


def _describe_actions(uids):
    from parliaments.models import Action

    return {
        uid: (title, reverse("parliaments:public_action", args=[iso2, uid]))
        for uid, title, iso2 in Action.objects.filter(uid__in=uids)
        .order_by("is_published_copy")
        .values_list("uid", "title", "parliament__iso2")
    }


def _describe_progress(uids):
    from parliaments.models import ProgressUpdate

    return {
        uid: (
            f"{title} · {cycle}",
            reverse("parliaments:public_action", args=[iso2, action_uid]),
        )
        for uid, title, cycle, iso2, action_uid in ProgressUpdate.objects.filter(uid__in=uids)
        .order_by("is_published_copy")
        .values_list("uid", "action__title", "cycle__title", "parliament__iso2", "action__uid")
    }


def _describe_ratifications(uids):
    from parliaments.models import Ratification

    rows = Ratification.objects.filter(uid__in=uids).select_related("instrument")
    return {
        row.uid: (
            f"{row.instrument.code}: {row.get_status_display()}",
            reverse("reports:ratification_instrument", args=[row.instrument.code]),
        )
        for row in rows
    }


def _describe_submissions(uids):
    from parliaments.models import Submission

    return {
        uid: (title, reverse("parliaments:public_parliament", args=[iso2]))
        for uid, title, iso2 in Submission.objects.filter(uid__in=uids).values_list(
            "uid", "cycle__title", "parliament__iso2"
        )
    }


register_describer("plan", _describe_plans)
register_describer("action", _describe_actions)
register_describer("progress_update", _describe_progress)
register_describer("ratification", _describe_ratifications)
register_describer("submission", _describe_submissions)


# --- Reading them ---------------------------------------------------------------------------


def _unread_scope(user_id):
    return f"notifications:{user_id}"


def unread_count(user):
    """The header's count: kept in the page cache until a notification of theirs is made
    or read (compact_tracker/pagecache.py)."""
    return pagecache.value(
        f"nav-unread:{user.pk}",
        [_unread_scope(user.pk)],
        lambda: Notification.objects.filter(user=user, read_at=None).count(),
    )


def _forget_unread(user_ids):
    if user_ids:
        pagecache.changed(*[_unread_scope(pk) for pk in user_ids])


def mark_read(user, ids=None):
    """Mark the person's unread notifications (or those of `ids`) read; returns how many."""
    unread = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        unread = unread.filter(id__in=ids)
    count = unread.update(read_at=timezone.now())
    _forget_unread([user.pk])
    return count


# --- Digests --------------------------------------------------------------------------------


def unsubscribe_token(user):
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def user_from_token(token):
    """The person a digest's unsubscribe link was made for, or None for a link that was
    not made here (or was altered)."""
    from django.contrib.auth import get_user_model

    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


def unsubscribe(user):
    """No more digests (the follows and the notifications on the site stay)."""
    found = digest_settings(user)
    if found.frequency != DigestSettings.Frequency.NEVER:
        found.frequency = DigestSettings.Frequency.NEVER
        found.unsubscribed_at = timezone.now()
        found.save(update_fields=["frequency", "unsubscribed_at"])
    return found


def _site(path):
    return settings.SITE_URL.rstrip("/") + path


def send_digests(frequency, now=None):
    """Queue the digest of everyone with this frequency who has notifications since their
    last one; returns how many were queued. Each person's digest and its cursor are written
    in one transaction, so a digest is never sent twice nor skipped."""
    from parliaments.models import OutboxMessage
    from parliaments.services.outbox import outbox_email

    now = now or timezone.now()
    due = (
        DigestSettings.objects.filter(frequency=frequency, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    )
    sent = 0
    for settings_row in due.iterator(chunk_size=200):
        with transaction.atomic():
            locked = DigestSettings.objects.select_for_update().get(pk=settings_row.pk)
            if locked.frequency != frequency:
                continue
            new = Notification.objects.filter(
                user_id=locked.user_id, id__gt=locked.last_notification_id
            ).select_related("parliament")
            items = list(new.order_by("id")[: DIGEST_LIMIT + 1])
            if not items:
                continue
            total = new.count() if len(items) > DIGEST_LIMIT else len(items)
            last_id = new.order_by("-id").values_list("id", flat=True).first()
            subject, text, html, headers = _digest(settings_row.user, locked, items, total)
            outbox_email(
                kind=OutboxMessage.Kind.DIGEST,
                to=settings_row.user.email,
                subject=subject,
                text=text,
                html=html,
                headers=headers,
                dedupe_key=f"digest:{locked.user_id}:{last_id}",
            )
            locked.last_notification_id = last_id
            locked.last_sent_at = now
            locked.save(update_fields=["last_notification_id", "last_sent_at"])
            sent += 1
    logger.info("digests (%s): %s queued", frequency, sent)
    return sent


def _digest(user, digest_settings_row, items, total):
    unsubscribe_url = _site(reverse("digest_unsubscribe", args=[unsubscribe_token(user)]))
    with translation.override(digest_settings_row.language):
        groups = {}
        for item in items[:DIGEST_LIMIT]:
            name = item.parliament.localized_name if item.parliament_id else _("All parliaments")
            groups.setdefault(name, []).append(
                {
                    "event": event_label(item.event),
                    "title": item.title,
                    "url": _site(item.url) if item.url else "",
                }
            )
        context = {
            "groups": sorted(groups.items()),
            "total": total,
            "more": max(total - DIGEST_LIMIT, 0),
            "frequency": digest_settings_row.get_frequency_display(),
            "notifications_url": _site(reverse("notifications")),
            "following_url": _site(reverse("following")),
            "unsubscribe_url": unsubscribe_url,
        }
        subject = ngettext(
            "Compact Tracker: %(count)s new publication you follow",
            "Compact Tracker: %(count)s new publications you follow",
            total,
        ) % {"count": total}
        text = render_to_string("emails/digest.txt", context)
        html = render_to_string("emails/digest.html", {**context, "subject": subject})
    headers = {
        # RFC 8058: a mail client's own unsubscribe button posts to the same link.
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return subject, text, html, headers


EVENT_LABELS = {
    "plan.published": gettext_lazy("Plan of action published"),
    "plan.changed": gettext_lazy("Plan of action changed"),
    "plan.withdrawn": gettext_lazy("Plan of action withdrawn"),
    "action.published": gettext_lazy("Action published"),
    "action.changed": gettext_lazy("Action changed"),
    "action.withdrawn": gettext_lazy("Action withdrawn"),
    "progress_update.published": gettext_lazy("Progress published"),
    "progress_update.changed": gettext_lazy("Progress changed"),
    "progress_update.withdrawn": gettext_lazy("Progress withdrawn"),
    "ratification.changed": gettext_lazy("Treaty status"),
    "submission.accepted": gettext_lazy("Report accepted"),
    "report.built": gettext_lazy("Report published"),
}


def event_label(event):
    """“Action published”, “Progress changed”…: an event name as a reader says it."""
    return str(EVENT_LABELS.get(event, event))
