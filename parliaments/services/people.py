"""Accounts: invite a person by email."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from parliaments.models import OutboxMessage, Role
from parliaments.services.outbox import outbox_email


@transaction.atomic
def person_invite(*, actor, email, first_name, last_name, role, parliament=None):
    """Create an account with no usable password and email a link to set one. The link
    is Django's password-reset link, valid for PASSWORD_RESET_TIMEOUT."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from parliaments.models import Profile

    user = get_user_model()(username=email, email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    Profile.objects.create(user=user, role=role, parliament=parliament)
    link = settings.SITE_URL.rstrip("/") + reverse(
        "password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    where = f" ({parliament.name})" if parliament else ""
    subject = _("You are invited to Compact Tracker")
    body = _(
        "%(inviter)s invited you to Compact Tracker as %(role)s%(where)s.\n\n"
        "Choose your password here (the link works for 7 days):\n%(link)s\n\n"
        "Your user name is %(username)s."
    ) % {
        "inviter": actor.get_full_name() or actor.get_username(),
        "role": Role(role).label,
        "where": where,
        "link": link,
        "username": user.username,
    }
    outbox_email(kind=OutboxMessage.Kind.INVITATION, to=email, subject=subject, text=body)
    return user
