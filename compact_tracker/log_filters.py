"""Logging filters: what the server log says, and how much."""

import logging


class OneLineForRefusals(logging.Filter):
    """A refused request (403) is an ordinary event, not an error: one line with the
    method, path and status, without the traceback Django attaches to it."""

    def filter(self, record):
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
