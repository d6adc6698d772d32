"""`make bench` runs the benchmarks and only them: a helper module taken for one crashed the whole table."""

from bench.__main__ import discover


def test_make_bench_runs_every_benchmark_and_none_of_their_helpers():
    names = discover()
    assert {"csv_export", "csv_import", "sandbox_throughput", "sync_apply", "sync_plan"} <= set(names)
    assert not {"child", "harness", "sandbox"} & set(names)
