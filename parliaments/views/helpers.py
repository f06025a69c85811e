"""Helpers the parliament pages share: whose parliament, who may edit or review."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from parliaments import permissions

LIST_PAGE_SIZE = 25


def _own_parliament(user):
    """The parliament of a staff member; everyone else is refused."""
    parliament = permissions.parliament_of(user)
    if parliament is None:
        raise PermissionDenied(_("This page is for a parliament's editors and focal point."))
    return parliament


def _require_edit(user, parliament):
    if not permissions.can_edit_parliament(user, parliament):
        raise PermissionDenied(_("Only this parliament's editors and focal point can change it."))


def _require_reviewer(user):
    if not permissions.can_review(user):
        raise PermissionDenied(_("This page is for the IPU secretariat."))
