"""Template context: what the signed-in person may see in the navigation."""

from django.utils.functional import SimpleLazyObject

from parliaments import permissions


def roles(request):
    """`nav` holds the person's role flags, computed only if a template asks."""

    def flags():
        user = getattr(request, "user", None)
        return {
            "secretariat": permissions.is_secretariat(user),
            "parliament_staff": permissions.is_parliament_staff(user),
        }

    return {"nav": SimpleLazyObject(flags)}
