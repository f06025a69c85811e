"""Writes to who acts and what they did. Every write runs in a transaction; edits check the
version the user started from (optimistic concurrency); submissions move through their
states by compare-and-set, so a double click or a second reviewer cannot apply a step
twice. Views, the API, the spreadsheet import and tasks all call these functions.

One module per concept: reference (the parliaments reference load), cycles, versions (optimistic
concurrency of edits), plans, actions, progress, contents (what a submission covers),
submissions, publication, notifications, people and tokens. Callers import from here."""

from parliaments.concurrency import Merged, StaleEdit
from parliaments.services.actions import (
    action_create,
    action_delete,
    action_set_good_practice,
    action_update,
)
from parliaments.services.contents import submission_contents
from parliaments.services.cycles import cycle_open, cycle_update
from parliaments.services.notifications import submission_notify
from parliaments.services.outbox import (
    outbox_deliver,
    outbox_email,
    outbox_suppressed,
    outbox_sweep,
    outbox_task,
)
from parliaments.services.people import person_invite
from parliaments.services.plans import plan_create, plan_update
from parliaments.services.progress import (
    progress_update_create,
    progress_update_delete,
    progress_update_update,
)
from parliaments.services.publication import (
    CHANGE_KINDS,
    publication_announce,
    publish_parliament,
    webhooks_soon,
)
from parliaments.services.reference import DATA_DIR, parliaments_reference_load
from parliaments.services.submissions import (
    SUBMIT_NOTE_MAX_LENGTH,
    AlreadyTaken,
    InvalidTransition,
    submission_accept,
    submission_for,
    submission_open,
    submission_release,
    submission_return,
    submission_submit,
    submission_take,
)
from parliaments.services.tokens import api_token_create, api_token_revoke
from parliaments.services.versions import merge_preview

__all__ = [
    "CHANGE_KINDS",
    "DATA_DIR",
    "SUBMIT_NOTE_MAX_LENGTH",
    "InvalidTransition",
    "Merged",
    "StaleEdit",
    "action_create",
    "action_delete",
    "action_set_good_practice",
    "action_update",
    "cycle_open",
    "cycle_update",
    "api_token_create",
    "api_token_revoke",
    "merge_preview",
    "outbox_deliver",
    "outbox_email",
    "outbox_suppressed",
    "outbox_sweep",
    "outbox_task",
    "parliaments_reference_load",
    "person_invite",
    "publication_announce",
    "plan_create",
    "plan_update",
    "progress_update_create",
    "progress_update_delete",
    "progress_update_update",
    "publish_parliament",
    "AlreadyTaken",
    "submission_accept",
    "submission_contents",
    "submission_for",
    "submission_notify",
    "submission_open",
    "submission_release",
    "submission_return",
    "submission_submit",
    "submission_take",
    "webhooks_soon",
]
