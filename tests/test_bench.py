"""The benchmark's budget checks (bench/run.py): a missed budget must be reported."""

import importlib.util
import json
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def budgets():
    return tomllib.loads((ROOT / "bench" / "budgets.toml").read_text())


def _results(bench, p50=5.0, floor=1.0, queries=(10, 3), s10_factor=1.0, wall=10, rss=300):
    def scale(factor):
        targets = {
            target[0]: {
                "p50_ms": (floor if target[4] == "floor" else p50) * factor,
                "queries_cold": 0 if target[4] == "floor" else queries[0],
                "queries_warm": 0 if target[4] == "floor" else queries[1],
            }
            for target in bench.TARGETS
        }
        return {
            "targets": targets,
            "floor_alone_p50_ms": floor,
            "report": {"wall_s": wall, "worker_peak_rss_mb": rss},
            "load": {"errors": 0},
            "webhooks": {"total_s": 10, "deliveries": 120, "delivered": 120},
        }

    return {"scales": {"S1": scale(1.0), "S10": scale(s10_factor)}}


def missed(bench, results, budgets):
    """Budgets missed (goals and budgets without a measurement are not misses)."""
    return [
        c["budget"]
        for c in bench.check_budgets(results, budgets)
        if c["ok"] is False and not c.get("goal")
    ]


def _with_writes(bench, results, factor=1.2, cold_ms=30, failed=0):
    for data in results["scales"].values():
        for target in data["targets"].values():
            target["p95_ms"] = target["p50_ms"] * 1.5
        data["writes"] = {
            rate: {
                "writes_failed": failed,
                "targets": {
                    name: {"p95_ms": target["p95_ms"] * factor}
                    for name, target in data["targets"].items()
                },
            }
            for rate in ("1", "5")
        }
        pages = [t[0] for t in bench.TARGETS if t[4] == "page"]
        data["cold_after"] = {
            "after_draft_edit_ms": dict.fromkeys(pages, cold_ms),
            "after_acceptance_ms": dict.fromkeys(pages, cold_ms),
        }
    return results


def test_the_committed_results_meet_every_budget(bench, budgets):
    results = json.loads((ROOT / "bench" / "results.json").read_text())
    assert missed(bench, results, budgets) == []


def test_each_kind_of_miss_is_reported(bench, budgets):
    assert missed(bench, _results(bench), budgets) == []
    assert any("p50 S10 / S1" in m for m in missed(bench, _results(bench, s10_factor=2.5), budgets))
    assert any("× floor" in m for m in missed(bench, _results(bench, p50=30.0), budgets))
    assert any(
        "queries (cold) ≤ 25" in m for m in missed(bench, _results(bench, queries=(26, 3)), budgets)
    )
    assert any("S10 worker peak RSS" in m for m in missed(bench, _results(bench, rss=700), budgets))
    assert any("S10 report" in m for m in missed(bench, _results(bench, wall=200), budgets))
    grown = _results(bench)
    grown["scales"]["S10"]["targets"]["overview"]["queries_cold"] = 11
    assert "overview: same queries (cold) at S1 and S10" in missed(bench, grown, budgets)


def test_a_budget_without_a_measurement_is_listed_as_not_measured(bench, budgets):
    checks = bench.check_budgets(_results(bench), budgets)
    unmeasured = [c["budget"] for c in checks if c["ok"] is None]
    assert any("p95 under writes" in m for m in unmeasured)
    assert any("first view after draft edit" in m for m in unmeasured)
    # Once measured, the same budgets are checked, and no longer listed as unmeasured.
    checks = bench.check_budgets(_with_writes(bench, _results(bench)), budgets)
    assert [c for c in checks if c["ok"] is None] == []
    assert any("p95 under 5 writes/s" in c["budget"] and c["ok"] for c in checks)


def test_each_kind_of_writes_phase_miss_is_reported(bench, budgets):
    assert missed(bench, _with_writes(bench, _results(bench)), budgets) == []
    slowed = missed(bench, _with_writes(bench, _results(bench), factor=2.0), budgets)
    assert "S1 api_actions: p95 under 5 writes/s ≤ 1.5× without" in slowed
    cold = missed(bench, _with_writes(bench, _results(bench), cold_ms=949), budgets)
    assert "S10 coverage: first view after draft edit ≤ 50 ms" in cold
    assert "S10 coverage: first view after acceptance ≤ 50 ms" in cold
    failed = missed(bench, _with_writes(bench, _results(bench), failed=1), budgets)
    assert "S1 writes at 5/s: none failed" in failed


def test_a_load_write_missing_from_the_database_is_reported(bench, budgets):
    results = _results(bench)
    results["scales"]["S1"]["load"]["writes"] = {
        "ok": {"action_edit": 5, "submit": 1},
        "stored": {"action_edit": 4, "submit": 1},
    }
    assert "S1 load: every write that answered 2xx is in the database" in missed(
        bench, results, budgets
    )


def test_goals_are_reported_but_not_missed(bench, budgets):
    results = _results(bench, p50=8.0)  # 8x the floor: within the page budget, past the API goal
    checks = bench.check_budgets(results, budgets)
    assert any(c.get("goal") and not c["ok"] and "api_actions" in c["budget"] for c in checks)
    assert missed(bench, results, budgets) == []


def test_a_slow_or_incomplete_webhooks_run_is_reported(bench, budgets):
    def with_webhooks(total_s, delivered=120):
        results = _results(bench)
        results["scales"]["S10"]["webhooks"] = {
            "total_s": total_s,
            "deliveries": 120,
            "delivered": delivered,
        }
        return missed(bench, results, budgets)

    assert with_webhooks(20) == []
    [label] = with_webhooks(61)
    assert "S10 webhooks" in label
    assert len(with_webhooks(20, delivered=119)) == 1


def test_a_request_added_after_the_run_is_listed_as_not_measured(bench, budgets):
    results = _results(bench)
    for data in results["scales"].values():
        del data["targets"]["ratifications"]
    checks = bench.check_budgets(results, budgets)
    assert {
        "budget": "ratifications: every budget of a request (added after this run)",
        "measured": "not measured",
        "ok": None,
    } in checks
    assert missed(bench, results, budgets) == []
    # A later run that measures it and misses is reported.
    results = _results(bench)
    results["scales"]["S1"]["targets"]["ratifications"]["p50_ms"] = 1000.0
    assert "S1 ratifications: p50 ≤ 25× floor" in missed(bench, results, budgets)
