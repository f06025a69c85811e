"""Signals the parliaments app sends for writes that Django's model signals miss."""

from django.dispatch import Signal

# Sent after a QuerySet.update() of actions or progress updates (no post_save is sent):
# `parliament_ids`, the parliaments whose rows changed. The reports app keeps its figures
# in step with it (reports/figures.py).
rows_updated = Signal()
