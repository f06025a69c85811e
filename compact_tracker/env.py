"""Strict readers for configuration held in environment variables.

Every setting comes from the environment. Each helper returns a typed value or raises
ImproperlyConfigured naming the variable and what was wrong, so a typo in production
stops the process at start-up instead of running with a silently different value.
"""

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_str(name, default=None):
    """The variable's text, or `default` when unset or empty."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name, default):
    value = env_str(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use one of "
        f"{', '.join(sorted(TRUE_WORDS | FALSE_WORDS))}."
    )


def env_int(name, default, *, minimum=None):
    value = env_str(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    return number


RATE_PERIODS = ("second", "minute", "hour", "day")


def env_rate(name, default):
    """A rate such as `3/hour` (per second, minute, hour or day)."""
    value = env_str(name, default)
    number, _, period = value.partition("/")
    if not number.strip().isdigit() or period.strip().lower() not in RATE_PERIODS:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate; write a number and a period, e.g. 3/hour "
            f"(periods: {', '.join(RATE_PERIODS)})."
        )
    return value


def env_list(name, default):
    """A comma-separated list; blanks around items are dropped."""
    value = env_str(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name, default, *, schemes):
    """A URL whose scheme is one of `schemes`."""
    value = env_str(name, default)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} must start with one of {', '.join(s + '://' for s in schemes)}; got {value!r}."
        )
    if parts.scheme in {"redis", "rediss", "http", "https", "smtp", "smtps"} and not parts.hostname:
        raise ImproperlyConfigured(f"{name}={value!r} has no host name.")
    return value


def env_secret(name, *, debug, dev_default, min_length=32):
    """A secret that is mandatory, and long enough, unless running in DEBUG."""
    value = env_str(name)
    if value is None:
        if debug:
            return dev_default
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")
    if not debug and len(value) < min_length:
        raise ImproperlyConfigured(f"{name} must be at least {min_length} characters long.")
    return value


EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
}


def env_email(name, default):
    """Email settings from one URL.

    console://             print messages to the console (the default)
    locmem://              keep them in memory (tests)
    file:///var/mail       write them as files in that folder
    smtp://user:pw@host:587?tls=1    SMTP with STARTTLS
    smtps://user:pw@host:465         SMTP over TLS
    """
    value = env_url(name, default, schemes=tuple(EMAIL_BACKENDS))
    parts = urlsplit(value)
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    config = {"EMAIL_BACKEND": EMAIL_BACKENDS[parts.scheme]}
    if parts.scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(
                f"{name}={value!r} needs a folder path, e.g. file:///var/mail."
            )
        config["EMAIL_FILE_PATH"] = parts.path
    elif parts.scheme in {"smtp", "smtps"}:
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} has an invalid port.") from None
        tls = options.get("tls", "0").lower() in TRUE_WORDS
        config.update(
            EMAIL_HOST=parts.hostname,
            EMAIL_PORT=port or (465 if parts.scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps",
            EMAIL_USE_TLS=tls and parts.scheme == "smtp",
        )
    return config
