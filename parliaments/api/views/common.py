"""What the API endpoints share: the write permission, list caching, versioned
writes, and the shape of 409 and validation errors."""

from hashlib import md5

from django.utils.http import quote_etag
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


class RenderedResponse(Response):
    """A list page already rendered (bytes kept in the cache): DRF's negotiation, headers
    and throttling apply as usual, but the body is not serialised or hashed again. The
    ETag is the one Django's ConditionalGetMiddleware would compute from the same bytes."""

    def __init__(self, content, etag):
        super().__init__(None)
        self.rendered_bytes = content
        self["ETag"] = etag

    @property
    def rendered_content(self):
        renderer = self.accepted_renderer
        if renderer.charset is not None:
            self["Content-Type"] = f"{renderer.media_type}; charset={renderer.charset}"
        else:
            self["Content-Type"] = renderer.media_type
        return self.rendered_bytes


# Renderers whose output depends only on the data and the negotiated media type (the
# browsable API's page also holds the caller's CSRF token and forms: its data is cached).
BYTES_CACHED_FORMATS = {"json", "csv"}


class CachedListMixin:
    """A list page is serialised once per version of the data its caller may see and kept
    in the cache (compact_tracker.pagecache): published data for partners and the public,
    plus their own parliament's drafts for its staff, every draft for the secretariat. The
    key holds the caller (visibility differs by person), the host (the paging links are
    absolute), the path, every query parameter and the negotiated media type. JSON and CSV
    pages are kept rendered, with their ETag, so a cached page costs one cache read: no
    unpickling of records, no JSON encoding and no hashing of the body per request."""

    def list(self, request, *args, **kwargs):
        caller = request.user.pk if request.user.is_authenticated else "anonymous"
        renderer = request.accepted_renderer
        section = pagecache.Section(
            request,
            f"api:{self.basename}:{caller}:{request.get_host()}:{request.accepted_media_type}",
            scopes=cache_scopes(request.user),
        )
        parent = super()
        if renderer.format not in BYTES_CACHED_FORMATS:
            return Response(
                section.get_or_build(lambda: parent.list(request, *args, **kwargs).data)
            )

        def render():
            response = parent.list(request, *args, **kwargs)
            content = renderer.render(
                response.data, request.accepted_media_type, self.get_renderer_context()
            )
            if isinstance(content, str):
                content = content.encode(renderer.charset)
            return content, quote_etag(md5(content, usedforsecurity=False).hexdigest())

        return RenderedResponse(*section.get_or_build(render))


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
