from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _parliament_id(instance):
    """The parliament a row belongs to, without a query when its parent is loaded."""
    if getattr(instance, "parliament_id", None) is not None:
        return instance.parliament_id
    for parent in ("progress_update", "submission"):
        if hasattr(type(instance), parent):
            return getattr(instance, parent).parliament_id
    return None


def record_scopes(instance, **kwargs):
    """A published copy changes what everyone sees; a draft only what the secretariat and
    the parliament's own staff see."""
    from compact_tracker import pagecache

    if getattr(instance, "is_published_copy", False):
        return {pagecache.PUBLISHED}
    try:
        parliament_id = _parliament_id(instance)
    except Exception:  # the parent is gone (a cascade): be safe, everything is stale
        return set(pagecache.ALL)
    if parliament_id is None:
        return set(pagecache.ALL)
    return {pagecache.DRAFTS, pagecache.drafts_of(parliament_id)}


# Any submission's state: the review queue's count in the secretariat's navigation reads
# only this, so a draft edit (5 a second in a reporting season) does not recount it.
SUBMISSIONS = "submissions"


def submission_scopes(instance, **kwargs):
    """The public sees accepted submissions only: a submission changes public pages when
    it is accepted, or when it was accepted when loaded (a resubmission, a deletion)."""
    from compact_tracker import pagecache
    from parliaments.models import Submission

    scopes = record_scopes(instance) | {SUBMISSIONS}
    accepted = Submission.Status.ACCEPTED
    if accepted in (instance.status, getattr(instance, "_pagecache_loaded_status", None)):
        scopes.add(pagecache.PUBLISHED)
    return scopes


def remember_loaded_status(sender, instance, **kwargs):
    instance._pagecache_loaded_status = instance.__dict__.get("status")


def action_link_scopes(instance, reverse=False, **kwargs):
    """An action's objectives and commitments; from the objective's side (the admin), the
    actions are not at hand: everything is stale."""
    from compact_tracker import pagecache

    return set(pagecache.ALL) if reverse else record_scopes(instance)


def reference_scopes(instance, **kwargs):
    from compact_tracker import pagecache

    return set(pagecache.ALL)


def forget_cached_tokens(sender, instance, **kwargs):
    """A token's holder is cached for the API (compact_tracker.api): a change to the
    account, its profile or its tokens forgets it at once."""
    from django.contrib.auth import get_user_model

    from compact_tracker import api
    from parliaments.models import ApiToken

    if isinstance(instance, ApiToken):
        api.forget_token(instance.key_hash)
    else:
        api.forget_tokens_of(
            instance.pk if isinstance(instance, get_user_model()) else instance.user_id
        )


class ParliamentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "parliaments"
    verbose_name = _("Parliaments")

    def ready(self):
        # The API caches a token's holder with its profile (compact_tracker.api).
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_init, post_save, pre_delete

        from compact_tracker import api, pagecache
        from parliaments import permissions
        from parliaments.models import (
            Action,
            ApiToken,
            CycleParliament,
            Evidence,
            Parliament,
            PlanOfAction,
            Profile,
            ProgressUpdate,
            Ratification,
            Submission,
            SubmissionComment,
        )

        api.on_token_user_loaded(permissions.profile_of)
        # Cross-origin reads of the API, and only reads (compact_tracker/cors.py).
        from corsheaders.signals import check_request_enabled

        from compact_tracker.cors import read_only_api

        check_request_enabled.connect(read_only_api, dispatch_uid="cors-read-only-api")
        for model in (get_user_model(), Profile, ApiToken):
            # Before a deletion too: the cascade takes the tokens, and with them their keys.
            for signal in (post_save, pre_delete, post_delete):
                signal.connect(
                    forget_cached_tokens,
                    sender=model,
                    dispatch_uid=f"api-tokens-{id(signal)}-{model.__name__}",
                )

        # What empties the cached pages (compact_tracker.pagecache).
        pagecache.watch(Parliament, reference_scopes)
        pagecache.watch(CycleParliament, reference_scopes)  # who reports in a cycle
        # A state's status (Rabat §7(a)) shows on public pages and every dashboard that
        # credits an action with it.
        pagecache.watch(Ratification, reference_scopes)
        for model in (PlanOfAction, Action, ProgressUpdate, Evidence, SubmissionComment):
            pagecache.watch(model, record_scopes)
        pagecache.watch(Submission, submission_scopes)
        post_init.connect(
            remember_loaded_status, sender=Submission, dispatch_uid="pagecache-submission-status"
        )
        for through in (Action.objectives.through, Action.commitments.through):
            pagecache.watch_m2m(through, action_link_scopes)
