"""Personal API tokens: create and revoke."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _


@transaction.atomic
def api_token_create(*, user, name):
    """A new personal token for `user`. Returns (token, key); the key is not stored and
    cannot be shown again."""
    from compact_tracker.api import hash_key, new_token_key
    from parliaments.models import ApiToken

    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the system that uses it.")})
    key = new_token_key()
    token = ApiToken(user=user, name=name[:100], prefix=key[:8], key_hash=hash_key(key))
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, user, token_id):
    """Revoke one of `user`'s own tokens; other people's tokens are not found."""
    from parliaments.models import ApiToken

    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        from compact_tracker.api import forget_tokens_of

        # A queryset update sends no signal: the cached holder goes now, not in a minute.
        transaction.on_commit(lambda: forget_tokens_of(user.pk))
        forget_tokens_of(user.pk)
    return bool(updated)
