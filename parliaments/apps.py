from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParliamentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "parliaments"
    verbose_name = _("Parliaments")
