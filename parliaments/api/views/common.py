"""What the API endpoints share: the write permission, list caching, versioned
writes, and the shape of 409 and validation errors."""

from rest_framework import permissions as drf_permissions
from rest_framework import serializers
from rest_framework.response import Response

from compact_tracker import pagecache
from compact_tracker.api import Conflict, JSONWritesMixin
from parliaments import permissions


class StaffWritesOwnParliament(drf_permissions.BasePermission):
    """Reads follow the visibility selectors; writes are for a parliament's own staff."""

    message = "Only a parliament's editors and focal point write its data."

    def has_permission(self, request, view):
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        return permissions.is_parliament_staff(request.user)

    def has_object_permission(self, request, view, obj):
        if request.method in drf_permissions.SAFE_METHODS:
            return True
        return not obj.is_published_copy and permissions.can_edit_parliament(
            request.user, obj.parliament
        )


def _stale(error):
    """409: what others changed since the version sent (`changes`) and, of the fields the
    caller sent, those someone else also changed to another value (`conflicts`). The
    caller reads the record again and sends only its own fields with `current_version`."""
    conflict = Conflict(
        "This record changed since the version you sent. Read it again, reapply only the "
        "fields you changed, and send them with the new version."
    )
    conflict.extra = {
        "current_version": error.obj.version,
        "changes": [
            {"field": c.field, "was": _plain(c.then), "now": _plain(c.now)} for c in error.changes
        ],
        "conflicts": [
            {
                "field": c.field,
                "was": _plain(c.base),
                "yours": _plain(c.yours),
                "theirs": _plain(c.theirs),
            }
            for c in error.conflicts
        ],
    }
    return conflict


def _plain(value):
    return value if isinstance(value, (int, float, bool, type(None))) else str(value)


class CachedListMixin:
    """A list page is serialised once per version of the data its caller may see and kept
    in the cache (compact_tracker.pagecache): published data for partners and the public,
    plus their own parliament's drafts for its staff, every draft for the secretariat. The
    key holds the caller (visibility differs by person), the host (the paging links are
    absolute), the path and every query parameter."""

    def list(self, request, *args, **kwargs):
        caller = request.user.pk if request.user.is_authenticated else "anonymous"
        section = pagecache.Section(
            request,
            f"api:{self.basename}:{caller}:{request.get_host()}",
            scopes=cache_scopes(request.user),
        )
        return Response(
            section.get_or_build(
                lambda: super(CachedListMixin, self).list(request, *args, **kwargs).data
            )
        )


def cache_scopes(user):
    """The page-cache scopes of what `user` may read (parliaments.selectors._visible)."""
    if permissions.is_secretariat(user):
        return {pagecache.DRAFTS}
    profile = permissions.profile_of(user)
    if profile and profile.role in permissions.PARLIAMENT_ROLES:
        return {pagecache.PUBLISHED, pagecache.drafts_of(profile.parliament_id)}
    return {pagecache.PUBLISHED}


class WritableMixin(JSONWritesMixin):
    """Unsafe methods act on drafts only: another parliament's rows and published copies
    are not found. They answer JSON."""

    def get_queryset(self):
        queryset = self.visible_queryset()
        if self.request.method not in drf_permissions.SAFE_METHODS:
            queryset = queryset.filter(is_published_copy=False)
        return queryset

    def expected_version(self, serializer):
        version = serializer.validated_data.pop("version", None)
        if version is None:
            version = self.request.query_params.get("version")
        if version in (None, ""):
            raise serializers.ValidationError({"version": ["Send the version you read."]})
        try:
            return int(version)
        except (TypeError, ValueError):
            raise serializers.ValidationError({"version": ["A whole number."]}) from None


def _validation_detail(error):
    """A Django ValidationError as DRF field errors (non-field ones under `detail`)."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"detail": error.messages}
