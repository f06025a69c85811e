"""manage.py create_api_token USERNAME [--name NAME]: create a token and print it."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from parliaments.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.", returncode=2)
        _token, key = api_token_create(user=user, name=name)
        self.stdout.write(key)
