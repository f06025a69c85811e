"""Per-parliament figures (reports.models.ParliamentFigure): what the dashboards add up,
kept in step with the rows they count.

Every write to an action, its objectives or commitments, a progress update, a plan or a
submission marks its parliament dirty (model signals, connected in reports/apps.py, catch
every path: services, publication, admin, the spreadsheet import; writes that send no
signals call `figures_mark` themselves). Dirty parliaments are collected per transaction
and rebuilt once, when it commits: a handful of GROUP BY queries over that parliament's
~40 actions, then the rows that changed replaced. Reads made inside the writing
transaction rebuild first (`figures_fresh`), so a page never shows figures older than its
own writes. A rebuild that fails is logged and leaves a StaleFigures row, which the beat
job repairs.

`figures_rebuild()` with no parliaments rebuilds everything in the same few queries (the
scale generator, `manage.py rebuild_figures`); `figures_differences()` compares what is
stored with what the rows give.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncQuarter

from parliaments.models import (
    COMPLETION_RANK,
    Action,
    ActionType,
    Parliament,
    PlanOfAction,
    ProgressUpdate,
    Submission,
)
from parliaments.selectors import REPORTED

logger = logging.getLogger(__name__)

ALL = "all"  # marks every parliament dirty (reference data changed)

# Statuses, one per parliament: read per parliament (the map), never added up by region.
PER_PARLIAMENT = ("plan", "report")
# What the dashboards' per-parliament statuses read (selectors.parliament_statuses).
STATUS_DIMENSIONS = ("total", "plan", "report")


def statuses_scope(published):
    """The page cache's scope of the per-parliament statuses (plan, report, number of
    actions) of the drafts or of what was published: replaced when one of those figures
    is written, not at every draft edit (most move none of them)."""
    return f"figures:statuses:{'published' if published else 'drafts'}"


def _statuses_changed(keys):
    """Mark the kept statuses stale when `keys` (figures written or deleted) hold one."""
    from compact_tracker import pagecache

    scopes = {
        statuses_scope(published)
        for _parliament, published, kind, _key, _level in keys
        if kind in STATUS_DIMENSIONS
    }
    if scopes:
        pagecache.changed(*scopes)


def _computed(parliament_ids=None):
    """{(parliament id, published, dimension, key, level): (count, best rank)} from the
    rows: seven aggregate queries, whatever the number of parliaments."""
    from reports.models import ParliamentFigure

    dimension = ParliamentFigure.Dimension
    actions = Action.objects.all()
    updates = ProgressUpdate.objects.all()
    if parliament_ids is not None:
        actions = actions.filter(parliament_id__in=parliament_ids)
        updates = updates.filter(parliament_id__in=parliament_ids)
    figures = {}

    def add(key, n, rank=None):
        count, best = figures.get(key, (0, None))
        if rank is not None:
            best = rank if best is None else max(best, rank)
        figures[key] = (count + n, best)

    rows = (
        actions.values_list("parliament_id", "is_published_copy", "completion", "action_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for parliament, published, completion, action_type, n in rows:
        add((parliament, published, dimension.TOTAL, "", ""), n)
        add((parliament, published, dimension.COMPLETION, completion, ""), n)
        add((parliament, published, dimension.TYPE, action_type, ""), n)
    for link, axis, per_level in (
        ("objectives__number", dimension.OBJECTIVE, dimension.OBJECTIVE_COMPLETION),
        ("commitments__code", dimension.COMMITMENT, dimension.COMMITMENT_COMPLETION),
    ):
        rows = (
            actions.filter(**{f"{link}__isnull": False})
            .values_list("parliament_id", "is_published_copy", link, "completion")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for parliament, published, column, completion, n in rows:
            add((parliament, published, axis, str(column), ""), n, COMPLETION_RANK[completion])
            add((parliament, published, per_level, str(column), completion), n)
    for link, axis in (
        ("objectives__number", dimension.OBJECTIVE_GOOD_PRACTICE),
        ("commitments__code", dimension.COMMITMENT_GOOD_PRACTICE),
    ):
        rows = (
            actions.filter(is_good_practice=True, **{f"{link}__isnull": False})
            .values_list("parliament_id", "is_published_copy", link)
            .annotate(n=Count("pk"))
            .order_by()
        )
        for parliament, published, column, n in rows:
            add((parliament, published, axis, str(column), ""), n)
    rows = (
        actions.filter(
            action_type=ActionType.RATIFICATION,
            instrument__isnull=False,
            commitments__isnull=False,
        )
        .values_list(
            "parliament_id",
            "is_published_copy",
            "commitments__code",
            "instrument__code",
            "completion",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    for parliament, published, commitment, instrument, completion, n in rows:
        add(
            (
                parliament,
                published,
                dimension.RATIFICATION,
                commitment,
                f"{instrument}:{completion}",
            ),
            n,
        )
    rows = (
        updates.annotate(quarter=TruncQuarter("date"))
        .values_list("parliament_id", "is_published_copy", "quarter")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for parliament, published, quarter, n in rows:
        add((parliament, published, dimension.QUARTER, quarter.isoformat(), ""), n)
    _add_statuses(add, parliament_ids)
    return figures


def _add_statuses(add, parliament_ids):
    """Each parliament's plan status and report status per cycle, one figure each (count
    1): the map and the status tables read these rows, not a subquery per parliament.

    plan: key the current plan's status, level its adoption date (ISO, or "").
    report: key the cycle's id, level the first submission's date in UTC (or ""), for
    the submissions that count as answered (drafts) or accepted (published)."""
    from reports.models import ParliamentFigure

    dimension = ParliamentFigure.Dimension
    plans = PlanOfAction.objects.filter(is_current=True)
    # The secretariat counts a report from its submission; the public from its acceptance.
    submissions = Submission.objects.filter(status__in=REPORTED)
    if parliament_ids is not None:
        plans = plans.filter(parliament_id__in=parliament_ids)
        submissions = submissions.filter(parliament_id__in=parliament_ids)
    rows = plans.order_by().values_list(
        "parliament_id", "is_published_copy", "status", "adopted_on"
    )
    for parliament, published, status, adopted_on in rows:
        level = adopted_on.isoformat() if adopted_on else ""
        add((parliament, published, dimension.PLAN, status, level), 1)
    rows = submissions.order_by().values_list(
        "parliament_id", "cycle_id", "status", "first_submitted_at"
    )
    for parliament, cycle, status, first in rows:
        level = first.astimezone(datetime.UTC).date().isoformat() if first else ""
        add((parliament, False, dimension.REPORT, str(cycle), level), 1)
        if status == Submission.Status.ACCEPTED:
            add((parliament, True, dimension.REPORT, str(cycle), level), 1)


def _stored(parliament_ids=None):
    from reports.models import ParliamentFigure

    rows = ParliamentFigure.objects.all()
    if parliament_ids is not None:
        rows = rows.filter(parliament_id__in=parliament_ids)
    return {
        (p, published, dimension, key, level): (count, best)
        for p, published, dimension, key, level, count, best in rows.values_list(
            "parliament_id", "published", "dimension", "key", "level", "count", "best_rank"
        )
    }


def figures_rebuild(parliament_ids=None):
    """Recompute the figures of `parliament_ids` (every parliament when None) from the rows
    and replace them, in one transaction. Concurrent rebuilds of the same parliament queue
    on its row lock, so the last to finish has counted every committed write."""
    from reports.models import ParliamentFigure, StaleFigures

    ids = None if parliament_ids is None else sorted(set(parliament_ids))
    with transaction.atomic():
        if ids is None:
            computed = _computed()
            ParliamentFigure.objects.all().delete()
            ParliamentFigure.objects.bulk_create(
                [_figure_row(key, value) for key, value in computed.items()], batch_size=5000
            )
            regions_regroup()
            StaleFigures.objects.all().delete()
            _statuses_changed([(None, p, "total", "", "") for p in (False, True)])
            return
        locked = Parliament.objects.select_for_update(no_key=True).filter(pk__in=ids)
        list(locked.order_by("pk").values_list("pk", flat=True))
        computed = _computed(ids)
        before = _stored(ids)
        _replace_changed(before, computed)
        _add_to_regions(ids, before, computed)
        StaleFigures.objects.filter(parliament_id__in=ids).delete()


def _figure_row(key, value):
    from reports.models import ParliamentFigure

    (parliament, published, dimension, column, level), (count, best) = key, value
    return ParliamentFigure(
        parliament_id=parliament,
        published=published,
        dimension=dimension,
        key=column,
        level=level,
        count=count,
        best_rank=best,
    )


def _replace_changed(before, after):
    """Write the figures that differ between `before` and `after` (as _stored and
    _computed give them): one upsert for the new and changed, one delete for the gone.
    Most writes move few figures (a progress update: its quarter; a description: none),
    so a parliament's hundreds of rows are not written again after every save."""
    from reports.models import ParliamentFigure

    changed = sorted(
        ((key, value) for key, value in after.items() if before.get(key) != value),
        key=lambda item: tuple(map(str, item[0])),
    )
    gone = [key for key in before if key not in after]
    _statuses_changed([key for key, _value in changed] + gone)
    if changed:
        ParliamentFigure.objects.bulk_create(
            [_figure_row(key, value) for key, value in changed],
            update_conflicts=True,
            unique_fields=["parliament", "published", "dimension", "key", "level"],
            update_fields=["count", "best_rank"],
            batch_size=5000,
        )
    if gone:
        table = _quote(ParliamentFigure._meta.db_table)
        placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(gone))
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} "  # noqa: S608 - the table name is the model's
                "WHERE (parliament_id, published, dimension, key, level) "
                f"IN ({placeholders})",
                [value for key in gone for value in key],
            )


def _by_region(figures, regions):
    """{(region, published, dimension, key, level): count} adding up `figures` (as
    _computed gives them) of the parliaments in `regions` ({parliament id: region})."""
    totals = {}
    for (parliament, published, dimension, key, level), (count, _best) in figures.items():
        if dimension in PER_PARLIAMENT:
            continue
        region = regions.get(parliament)
        if region is not None:
            total_key = (region, published, dimension, key, level)
            totals[total_key] = totals.get(total_key, 0) + count
    return totals


def _member_regions(parliament_ids=None):
    """{parliament id: region} of the IPU members (the parliaments a dashboard counts)."""
    members = Parliament.objects.filter(is_ipu_member=True)
    if parliament_ids is not None:
        members = members.filter(pk__in=parliament_ids)
    return dict(members.values_list("pk", "region"))


def regions_expected(computed):
    """The region totals that parliaments' figures (as _computed gives them) add up to."""
    return _by_region(computed, _member_regions())


def regions_regroup():
    """Rebuild the region totals from the stored parliaments' figures, added up by the
    database (a parliament's region or membership changed)."""
    from reports.models import ParliamentFigure, RegionFigure

    sums = (
        ParliamentFigure.objects.filter(parliament__is_ipu_member=True)
        .exclude(dimension__in=PER_PARLIAMENT)
        .values_list("parliament__region", "published", "dimension", "key", "level")
        .annotate(n=Sum("count"))
        .order_by()
    )
    with transaction.atomic():
        RegionFigure.objects.all().delete()
        RegionFigure.objects.bulk_create(
            [
                RegionFigure(
                    region=region,
                    published=published,
                    dimension=dimension,
                    key=key,
                    level=level,
                    count=n,
                )
                for region, published, dimension, key, level, n in sums
                if n
            ],
            batch_size=5000,
        )


def _add_to_regions(ids, before, after):
    """Add what changed in these parliaments' figures (`before` → `after`) to their
    regions' totals: one upsert adding the differences, in a fixed order (two writers of
    one region wait for each other's rows, never deadlock), then the emptied rows go."""
    from reports.models import RegionFigure

    regions = _member_regions(ids)
    delta = _by_region(after, regions)
    for key, count in _by_region(before, regions).items():
        delta[key] = delta.get(key, 0) - count
    rows = sorted((key, n) for key, n in delta.items() if n)
    if not rows:
        return
    table = _quote(RegionFigure._meta.db_table)
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    params = [value for key, n in rows for value in (*key, n)]
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (region, published, dimension, key, level, count) "  # noqa: S608 - the table name is the model's
            f"VALUES {placeholders} "
            "ON CONFLICT (region, published, dimension, key, level) "
            f"DO UPDATE SET count = {table}.count + EXCLUDED.count",
            params,
        )
    RegionFigure.objects.filter(region__in=set(regions.values()), count=0).delete()


def _quote(name):
    return transaction.get_connection().ops.quote_name(name)


def _describe(key, value, names):
    parliament, published, dimension, column, level = key
    where = f"{names.get(parliament, parliament)} {'published' if published else 'drafts'}"
    label = f"{dimension} {column}" + (f" {level}" if level else "")
    if value is None:
        return f"{where} {label}: none"
    count, best = value
    return f"{where} {label}: {count}" + ("" if best is None else f" (best rank {best})")


def figures_differences(parliament_ids=None):
    """One line per figure whose stored value differs from what the rows give, e.g.
    "MA drafts objective 5: stored 2 (best rank 4), expected 3 (best rank 4)", then (for
    every parliament) per region total, e.g. "africa drafts type law: stored 4, expected 5"."""
    from reports.models import RegionFigure

    computed, stored = _computed(parliament_ids), _stored(parliament_ids)
    names = dict(Parliament.objects.values_list("pk", "iso2"))
    lines = []
    for key in sorted(set(computed) | set(stored), key=lambda k: tuple(map(str, k))):
        want, have = computed.get(key), stored.get(key)
        if want != have:
            lines.append(
                f"{_describe(key, have, names)} stored, "
                f"expected {_describe(key, want, names).rsplit(': ', 1)[1]}"
            )
    if parliament_ids is None:
        expected = {key: n for key, n in regions_expected(computed).items() if n}
        kept = {
            (region, published, dimension, key, level): count
            for region, published, dimension, key, level, count in RegionFigure.objects.values_list(
                "region", "published", "dimension", "key", "level", "count"
            )
        }
        for key in sorted(set(expected) | set(kept), key=lambda k: tuple(map(str, k))):
            if expected.get(key) != kept.get(key):
                region, published, dimension, column, level = key
                label = f"{region} {'published' if published else 'drafts'} {dimension} {column}"
                lines.append(
                    f"{label}{' ' + level if level else ''}: stored {kept.get(key, 'none')}, "
                    f"expected {expected.get(key, 'none')}"
                )
    return lines


class _Pending:
    """The parliaments one transaction made dirty, rebuilt by one on-commit callback. It
    belongs to the transaction's list of on-commit callbacks, which Django replaces after
    a commit or a rollback; once its callback has run, a later write opens a new one."""

    def __init__(self, connection):
        self.callbacks = connection.run_on_commit
        self.ids = set()
        self.open = True

    def __call__(self):
        self.open = False
        _rebuild_or_mark_stale(self.ids)


def _rebuild_or_mark_stale(pending):
    """Rebuild the parliaments in `pending` (emptied); on failure log it and mark them
    stale for the beat job. Never raises: the write it follows has committed."""
    ids = set(pending)
    pending.clear()
    if not ids:
        return
    try:
        figures_rebuild(None if ALL in ids else ids)
    except Exception:
        logger.exception("figures: could not rebuild parliaments %s", sorted(map(str, ids)))
        try:
            from reports.models import StaleFigures

            targets = Parliament.objects.all()
            if ALL not in ids:
                targets = targets.filter(pk__in=ids)
            StaleFigures.objects.bulk_create(
                [StaleFigures(parliament_id=pk) for pk in targets.values_list("pk", flat=True)],
                ignore_conflicts=True,
            )
        except Exception:
            logger.exception("figures: could not mark parliaments stale either")


def _pending(connection):
    """The current transaction's open _Pending, or None."""
    pending = getattr(connection, "_figures_pending", None)
    if pending is None or not pending.open or pending.callbacks is not connection.run_on_commit:
        return None
    return pending


def figures_mark(*parliament_ids):
    """The figures of these parliaments (or ALL) must be rebuilt when the current
    transaction commits (at once outside a transaction). Deduplicated per transaction."""
    ids = {pk for pk in parliament_ids if pk is not None}
    if not ids:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _rebuild_or_mark_stale(ids)
        return
    pending = _pending(connection)
    if pending is None:
        pending = connection._figures_pending = _Pending(connection)
        transaction.on_commit(pending)
    pending.ids.update(ids)


def figures_fresh():
    """Before reading figures: rebuild those this transaction made dirty (none outside a
    writing transaction, so this costs no query on an ordinary page)."""
    connection = transaction.get_connection()
    pending = _pending(connection) if connection.in_atomic_block else None
    if pending is None or not pending.ids:
        return
    ids = set(pending.ids)
    try:
        with transaction.atomic():
            figures_rebuild(None if ALL in ids else ids)
    except Exception:
        logger.exception("figures: could not rebuild before reading; they stay dirty")
        return
    pending.ids.difference_update(ids)


def figures_repair():
    """Rebuild the parliaments marked stale (the beat job). Returns how many."""
    from reports.models import StaleFigures

    ids = list(StaleFigures.objects.values_list("parliament_id", flat=True))
    if ids:
        figures_rebuild(ids)
    return len(ids)


# Signals: every write path that sends them marks its parliament dirty.


def _on_row_change(sender, instance, **kwargs):
    try:
        figures_mark(instance.parliament_id)
    except Exception:  # never fail the write; the beat job and the command repair
        logger.warning("figures: could not mark a parliament dirty", exc_info=True)


def _on_links_change(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    try:
        if not reverse:
            if action != "pre_clear":
                figures_mark(instance.parliament_id)
        elif action == "pre_clear":
            figures_mark(*instance.actions.values_list("parliament_id", flat=True).distinct())
        elif action != "post_clear" and pk_set:
            ids = Action.objects.filter(pk__in=pk_set).values_list("parliament_id", flat=True)
            figures_mark(*ids.distinct())
    except Exception:
        logger.warning("figures: could not mark parliaments dirty", exc_info=True)


def _regroup_on_commit(**kwargs):
    """A parliament's region or membership may have changed: its region totals follow."""
    try:
        transaction.on_commit(regions_regroup)
    except Exception:
        logger.warning("figures: could not schedule the region totals", exc_info=True)


def _on_reference_change(sender, instance, **kwargs):
    try:
        if isinstance(instance, Parliament):
            _regroup_on_commit()
            return
        figures_mark(ALL)  # an objective's number or a commitment's code is a key
    except Exception:
        logger.warning("figures: could not mark the figures dirty", exc_info=True)


def _on_rows_changed(sender, **kwargs):
    if sender is Parliament:
        _regroup_on_commit()


def _on_rows_updated(sender, parliament_ids=(), **kwargs):
    try:
        figures_mark(*parliament_ids)
    except Exception:
        logger.warning("figures: could not mark parliaments dirty", exc_info=True)


def connect():
    """Keep the figures in step with every write that sends signals."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from commitments.models import Commitment, Objective

    for model in (Action, ProgressUpdate, PlanOfAction, Submission):
        post_save.connect(_on_row_change, sender=model, dispatch_uid=f"figures-{model.__name__}")
        post_delete.connect(
            _on_row_change, sender=model, dispatch_uid=f"figures-del-{model.__name__}"
        )
    for through in (Action.objectives.through, Action.commitments.through):
        m2m_changed.connect(
            _on_links_change, sender=through, dispatch_uid=f"figures-{through.__name__}"
        )
    from compact_tracker.refdata import rows_changed
    from parliaments.signals import rows_updated

    rows_changed.connect(_on_rows_changed, dispatch_uid="figures-reference-rows")
    rows_updated.connect(_on_rows_updated, dispatch_uid="figures-rows-updated")
    for model in (Objective, Commitment, Parliament):
        post_save.connect(
            _on_reference_change, sender=model, dispatch_uid=f"figures-ref-{model.__name__}"
        )
        post_delete.connect(
            _on_reference_change, sender=model, dispatch_uid=f"figures-refdel-{model.__name__}"
        )
