"""{% country_profile parliament internal %}: the country profile box of a parliament's
public page (published data) and of its workspace (drafts): the latest profile in the
reader's language, and a button for those who may build a new one. A tag of the reports
app, so that the parliaments app's views need not import it."""

from django import template
from django.utils.translation import get_language

from parliaments import permissions
from reports import selectors

register = template.Library()


@register.inclusion_tag("reports/_profile_box.html", takes_context=True)
def country_profile(context, parliament, internal=False):
    user = context["request"].user
    return {
        "parliament": parliament,
        "internal": internal,
        "profile": selectors.latest_profile(user, parliament, internal, get_language()),
        "can_request": permissions.can_request_report(
            user, scope="parliament", parliament=parliament, internal=internal, kind="profile"
        ),
        "csrf_token": context.get("csrf_token"),
    }
