"""`{% follow_button parliament=… %}` (or objective=, commitment=): a signed-in reader
follows or stops following the thing the page is about; anyone else is asked to sign in."""

from django import template

from parliaments.following.models import Follow

register = template.Library()


@register.inclusion_tag("following/_follow_button.html", takes_context=True)
def follow_button(context, **target):
    ((kind, thing),) = target.items()
    request = context["request"]
    user = request.user
    key = {"parliament": "iso2", "objective": "number", "commitment": "code"}[kind]
    return {
        "kind": kind,
        "key": getattr(thing, key),
        "next": request.get_full_path(),
        "signed_in": user.is_authenticated,
        "following": user.is_authenticated
        and Follow.objects.filter(user=user, **{kind: thing}).exists(),
        "csrf_token": context.get("csrf_token"),
    }
