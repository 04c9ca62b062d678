"""The benchmarks' pure helpers: the figure lines, the targets, the exit status and the load run's statistics.

The benchmarks themselves take minutes and run with `python bench/run.py`, not in the suite.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bench import run
from bench.common import REPO_ROOT, Figure
from bench.load import PageStats, figures_from, percentile, read_stats, with_exact_percentiles

LINE = re.compile(r"^[a-z0-9_]+: \d+\.\d{2} \(target (<=|>=) [0-9.]+\)$")


def test_a_figure_prints_as_one_line_with_two_decimals_and_its_target():
    assert Figure("invoice_render_vs_weasyprint", 1.2507, 1.25, "<=").line() == (
        "invoice_render_vs_weasyprint: 1.25 (target <= 1.25)"
    )
    assert Figure("invoice_throughput_2_vs_1_workers", 1.776, 1.7, ">=").line() == (
        "invoice_throughput_2_vs_1_workers: 1.78 (target >= 1.7)"
    )
    assert LINE.match(Figure("load_health_p95", 12, 15, "<=").line())


@pytest.mark.parametrize(
    ("value", "target", "direction", "met"),
    [
        (4.99, 5, "<=", True),
        (5, 5, "<=", True),
        (5.01, 5, "<=", False),
        (1.7, 1.7, ">=", True),
        (1.69, 1.7, ">=", False),
    ],
)
def test_a_figure_meets_its_target_in_its_direction(value, target, direction, met):
    assert Figure("x", value, target, direction).met is met


def test_a_figure_refuses_an_unknown_direction():
    with pytest.raises(ValueError, match="direction"):
        Figure("x", 1, 1, "<")


def test_the_exit_status_is_1_when_a_figure_misses_or_a_benchmark_fails(capsys):
    met, missed = Figure("fast", 1, 2, "<="), Figure("slow", 3, 2, "<=")
    assert run.finish([met], []) == 0
    assert capsys.readouterr().out == ""
    assert run.finish([met, missed], []) == 1
    assert capsys.readouterr().out == "# missed target: slow\n"
    assert run.finish([met], ["bench.load"]) == 1
    assert capsys.readouterr().out == "# failed: bench.load\n"


def test_an_unknown_benchmark_name_exits_with_status_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        run.main(["nonsense"])
    assert exit_.value.code == 2
    assert "unknown benchmark: nonsense" in capsys.readouterr().err


def test_no_names_select_every_benchmark_and_short_names_select_one():
    assert run._selected([]) == run.BENCHMARKS
    assert run._selected(["load"]) == ["bench.load"]


STATS = """Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,\
Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%
GET,health,200,0,4,5.1,2,40,3,3.3,0,4,5,5,6,8,10,20,30,40,40,40
GET,secretariat invoice_list,50,0,120,130.5,90,400,90000,0.8,0,120,130,140,150,200,250,300,400,400,400,400
POST,sign in,0,0,0,0,0,0,0,0,0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A
,Aggregated,250,0,5,30,2,400,18000,4.1,0,5,6,8,10,120,140,200,300,400,400,400
"""


def test_locust_statistics_are_read_per_page_without_empty_rows_or_the_aggregate():
    assert read_stats(STATS) == {
        "health": PageStats("health", 200, 0, 4, 10),
        "secretariat invoice_list": PageStats("secretariat invoice_list", 50, 0, 120, 250),
    }


def test_each_page_gets_its_p50_and_p95_as_ratios_to_the_health_view():
    figures = figures_from(read_stats(STATS), {"secretariat invoice_list": (40, 20)})
    assert [figure.line() for figure in figures] == [
        "load_secretariat_invoice_list_p50_vs_health: 30.00 (target <= 40)",
        "load_secretariat_invoice_list_p95_vs_health: 25.00 (target <= 20)",
    ]
    assert [figure.met for figure in figures] == [True, False]


def test_a_load_run_with_failed_requests_or_an_unvisited_page_gives_no_figures():
    stats = read_stats(STATS)
    with pytest.raises(AssertionError, match="no request to: director dashboard"):
        figures_from(stats, {"director dashboard": (1, 1)})
    stats["health"] = PageStats("health", 200, 3, 4, 10)
    with pytest.raises(AssertionError, match="requests failed"):
        figures_from(stats, {"secretariat invoice_list": (40, 20)})
    del stats["health"]
    with pytest.raises(AssertionError, match="health view"):
        figures_from(stats, {"secretariat invoice_list": (40, 20)})


def test_percentiles_are_the_nearest_rank_of_every_request_time():
    times = [2.4, 2.1, 9.9, 2.6, 2.5, 3.0, 2.2, 2.3, 2.9, 2.8]
    assert percentile(times, 0.50) == 2.5  # the 5th of 10, in order
    assert percentile(times, 0.95) == 9.9  # the 10th: 95 % of 10 requests is 9.5, so the 10th is needed
    assert percentile([7.0], 0.50) == percentile([7.0], 0.95) == 7.0


def test_exact_times_replace_locusts_whole_milliseconds_where_there_are_any():
    stats = with_exact_percentiles(read_stats(STATS), {"health": [2.4, 2.6, 2.5, 3.75], "unknown": [1.0]})
    assert stats["health"] == PageStats("health", 200, 0, 2.5, 3.75)
    assert stats["secretariat invoice_list"] == read_stats(STATS)["secretariat invoice_list"]


@pytest.mark.parametrize("size", [0, 3, 4, 7, 160, 401])
def test_the_invoices_blocks_share_the_run_in_order_and_within_one_of_each_other(size):
    from bench.invoices import BLOCK_ORDER, _blocks

    blocks = _blocks(list(range(size)), len(BLOCK_ORDER))
    assert len(blocks) == len(BLOCK_ORDER)
    assert [item for block in blocks for item in block] == list(range(size))
    assert max(map(len, blocks)) - min(map(len, blocks)) <= 1
    # Each worker gets half of the run, whichever blocks are its.
    halves = [
        sum(len(block) for block, workers in zip(blocks, BLOCK_ORDER, strict=True) if workers == n) for n in (1, 2)
    ]
    assert abs(halves[0] - halves[1]) <= 1


@pytest.mark.parametrize(("setting", "size"), [("", 10), ("1", 1), ("3", 3)])
def test_the_worker_timings_send_the_documents_in_groups_as_an_invoice_run_does(monkeypatch, setting, size):
    from bench.invoices import _groups
    from funding.services.invoices import DOCUMENTS_PER_TASK

    monkeypatch.setenv("BENCH_DOCUMENTS_PER_TASK", setting)
    assert (size == DOCUMENTS_PER_TASK) == (setting == "")
    ids = list(range(100, 125))
    groups = _groups(ids)
    assert [invoice for group in groups for invoice in group] == ids
    assert [len(group) for group in groups[:-1]] == [size] * (len(groups) - 1) and 0 < len(groups[-1]) <= size


def test_the_worker_timings_say_when_a_blocks_tasks_cannot_be_shared_evenly(monkeypatch, capsys):
    from bench.invoices import _blocks, _say_tasks_per_block

    monkeypatch.setenv("BENCH_DOCUMENTS_PER_TASK", "10")
    _say_tasks_per_block(_blocks(list(range(400)), 4))
    even = capsys.readouterr().out
    assert even.count("100 invoices in 10 tasks") == 4 and "odd" not in even
    _say_tasks_per_block(_blocks(list(range(360)), 4))
    odd = capsys.readouterr().out.splitlines()
    assert [("at most 1.80 times" in line) for line in odd] == [False, True, True, False]  # the two-process blocks


def test_the_worker_timings_refuse_groups_of_no_invoice(monkeypatch):
    from bench.invoices import _groups

    monkeypatch.setenv("BENCH_DOCUMENTS_PER_TASK", "0")
    with pytest.raises(ValueError, match="at least 1"):
        _groups([1, 2])


def test_the_worker_timings_refuse_a_run_too_small_for_their_blocks_before_setting_anything_up():
    from bench.invoices import _scaling

    with pytest.raises(ValueError, match="at least 8 invoices"):
        _scaling(7)


# `_alone_render` forks: run it as the benchmark does, in a process of its own. A process that has run other tests
# holds their threads (servers, browsers), and a child forked while one of them holds a lock can wait forever.
ALONE = """
import sys
import django

django.setup()
from bench.invoices import _alone_render

try:
    print(_alone_render(int(sys.argv[1]), [None if page == "-" else page for page in sys.argv[2:]]))
except RuntimeError as error:
    print(error)
    sys.exit(3)
"""


def _alone(workers: int, *pages: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", ALONE, str(workers), *pages],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_weasyprint_alone_renders_every_page_in_forked_processes_and_times_them(workers):
    done = _alone(workers, "<p>Faktura 1</p>", "<p>Faktura 2</p>", "<p>Faktura 3</p>")
    assert done.returncode == 0, done.stderr[-2000:]
    assert 0 < float(done.stdout.strip().splitlines()[-1]) < 60


def test_weasyprint_alone_says_which_error_stopped_a_process():
    done = _alone(2, "<p>Faktura 1</p>", "-")  # "-": no HTML at all, which WeasyPrint refuses
    assert done.returncode == 3, done.stderr[-2000:]
    assert re.search(r"WeasyPrint alone failed: .*Error", done.stdout)
