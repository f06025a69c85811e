"""Who may do what. Every view, viewset and task asks here; nothing decides it twice.

- A parliament's editors and focal point read and write their own parliament's drafts;
  only the focal point submits.
- The secretariat reads every draft, reviews submissions and stars good practices.
- Partners and the public read what was published.
"""

from parliaments.models import PARLIAMENT_ROLES, Profile, Role


def profile_of(user):
    """The user's Profile, or None (anonymous, or no role yet). Cached on the user."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_ct_profile"):
        user._ct_profile = Profile.objects.select_related("parliament").filter(user=user).first()
    return user._ct_profile


def role_of(user):
    profile = profile_of(user)
    if profile:
        return profile.role
    if getattr(user, "is_superuser", False):
        return Role.SECRETARIAT
    return None


def is_secretariat(user):
    return role_of(user) == Role.SECRETARIAT


def parliament_of(user):
    """The parliament whose staff the user is, or None."""
    profile = profile_of(user)
    if profile and profile.role in PARLIAMENT_ROLES:
        return profile.parliament
    return None


def is_parliament_staff(user):
    return parliament_of(user) is not None


def can_edit_parliament(user, parliament):
    """Editors and focal points write their own parliament's plan, actions and progress."""
    own = parliament_of(user)
    return own is not None and parliament is not None and own.pk == parliament.pk


def can_submit_for(user, parliament):
    return role_of(user) == Role.FOCAL_POINT and can_edit_parliament(user, parliament)


def can_use_workspace(user):
    """Draft lists and report requests: the secretariat and parliaments' staff."""
    return is_secretariat(user) or is_parliament_staff(user)


def can_review(user):
    return is_secretariat(user)


def can_star_good_practice(user):
    return is_secretariat(user)


def can_invite(user):
    return is_secretariat(user)


def can_request_report(user, *, scope=None, parliament=None, internal=False, kind="cycle"):
    """The secretariat requests any report; a parliament's staff their own parliament's
    internal report, and its country profile (drafts or published). Without a scope: may
    this person request any report?"""
    if is_secretariat(user):
        return True
    own = parliament_of(user)
    if own is None:
        return False
    if scope is None:
        return True
    if scope != "parliament" or parliament is None or parliament != own:
        return False
    return internal or kind == "profile"


def can_retry_report(user):
    return is_secretariat(user)
