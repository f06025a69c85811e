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
        }

    return {"scales": {"S1": scale(1.0), "S10": scale(s10_factor)}}


def missed(bench, results, budgets):
    return [c["budget"] for c in bench.check_budgets(results, budgets) if not c["ok"]]


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
