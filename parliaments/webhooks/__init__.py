"""Webhooks (issue 18): partners register endpoints; every published change they asked for
is delivered to them, signed, in order, retried for a day, recorded first in the database."""
