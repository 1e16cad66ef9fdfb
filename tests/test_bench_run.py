"""`make bench`'s figures and report (bench/figures.py), and its load generator and form reading (bench/client.py)
against the framework floors served for real: the bench cannot rot silently while the portal changes."""

import math
import sys
from pathlib import Path

import pytest
from django.test import override_settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from client import Browser, FormFields, Urls, closed_loop  # noqa: E402
from figures import ActionResult, Block, PageResult, export_line, percentile, render_results, share_of_floor  # noqa: E402


def test_percentiles_are_nearest_rank():
    timings = list(range(1, 101))  # 1 … 100 ms
    assert (percentile(timings, 0.5), percentile(timings, 0.95), percentile(timings, 0.99)) == (50, 95, 99)
    assert percentile([7], 0.99) == 7
    assert math.isnan(percentile([], 0.5))


def test_share_of_floor_compares_throughputs_measured_alike():
    page = Block(timings=[10.0] * 30, seconds=3.0)  # 10 requests per second
    before, after = Block(timings=[5.0] * 40, seconds=2.0), Block(timings=[5.0] * 40, seconds=2.0)
    assert share_of_floor(page, before.merged(after)) == pytest.approx(0.5)
    assert math.isnan(share_of_floor(page, Block()))


def test_results_say_each_page_against_its_floor_with_latencies_queries_and_load():
    page = Block(timings=[float(n) for n in range(1, 101)], seconds=10.0)
    floor = Block(timings=[1.0] * 400, seconds=10.0)
    info = {
        "command": "bench/run.py --quick", "date": "2026-12-04 18:00 UTC", "revision": "abc1234", "cpus": 2,
        "load_before": "3.0 / 2.0 / 1.0", "load_after": "4.0 / 3.0 / 2.0", "server": "gunicorn", "concurrency": 16,
        "seconds": 12, "slice": 2, "data": "civpost_bench: collectives ≈25,000",
    }  # fmt: skip
    peak = {
        "summary": "200 号长 and 20 reviewers.", "verdict": "0 errors, 0 lost, 0 duplicated.", "ok": True,
        "actions": [ActionResult("file report", Block(timings=[100.0, 200.0], seconds=1.0))],
        "checks": [{"label": "activity report filed", "answered": 2, "found": 2, "lost": 0, "duplicated": 0}],
    }  # fmt: skip
    text = render_results(info, [PageResult("post page", "/posts/1/", page, floor, (6, 1), "public")], peak=peak)

    assert "| post page | public | 10.0 | 40.0 | 25 % | 50 | 95 | 99 | 6/1 | 0 |" in text
    assert "load average 3.0 / 2.0 / 1.0 before" in text and "revision `abc1234`" in text and "collectives ≈25,000" in text
    assert "Errors" not in text
    assert "| file report | 2 | 0 | 100 | 200 | 200 |" in text
    assert "| activity report filed | 2 | 2 | 0 | 0 |" in text and "Verdict: 0 errors, 0 lost, 0 duplicated." in text


def test_results_name_the_requests_that_failed():
    page = Block(timings=[5.0, 6.0], seconds=1.0)
    page.record(7.0, (500, "/posts/?page=9"))
    info = {
        "command": "bench/run.py", "date": "today", "revision": "abc", "cpus": 2, "load_before": "1", "load_after": "1",
        "server": "gunicorn", "concurrency": 16, "seconds": 2, "slice": 2, "data": "small",
    }  # fmt: skip
    text = render_results(info, [PageResult("deep pages", "/posts/?page=9", page, Block([1.0], 1.0), (5, 0), "public")])
    assert "| deep pages | public | 3.0 | 1.0 | 300 % | 6 | 7 | 7 | 5/0 | 1 |" in text
    assert "- deep pages: HTTP 500 /posts/?page=9" in text


def test_a_form_is_read_as_a_browser_would_send_it():
    html = """<form action="/other/"><input name="x" value="no"></form>
    <form method="post" action="/my/report/"><input type="hidden" name="csrfmiddlewaretoken" value="t">
    <select name="kind"><option value="">---</option><option value="study">学习</option></select>
    <select name="year"><option value="2025">2025</option><option value="2026" selected>2026</option></select>
    <input type="checkbox" name="is_public" checked><input type="checkbox" name="flag">
    <textarea name="narrative">开放日</textarea><input type="submit" name="go" value="保存"></form>"""
    fields, options = FormFields.of(html, "/my/report/")
    assert fields == {"csrfmiddlewaretoken": "t", "kind": "", "year": "2026", "is_public": "", "narrative": "开放日"}
    assert options["kind"] == ["", "study"]


@pytest.mark.serial
@override_settings(ROOT_URLCONF="bench.floor_urls")
def test_the_load_generator_measures_the_public_floor_served_for_real(live_server):
    port = int(live_server.url.rsplit(":", 1)[1])
    browsers = [Browser(port) for _ in range(4)]
    block = closed_loop(browsers, Urls(["/bench-floor/"]), seconds=1)
    assert block.requests >= 4 and block.errors == 0 and block.throughput > 0
    missing = closed_loop(browsers[:1], Urls(["/no-such-page/"]), seconds=0.2)
    assert missing.errors == missing.requests and missing.failures[0] == (404, "/no-such-page/")


def test_the_export_is_reported_as_the_staffer_waits_for_it():
    export = {
        "label": "`/workbench/registrations/export.xlsx?status=registered` as the national admin", "status": 302,
        "enqueue_seconds": 0.21, "job": "可下载", "job_seconds": 312.4, "rows": 478725, "expected_rows": 478725,
        "page_status": 200, "download_status": 200, "mib": 49.3, "download_seconds": 1.1, "worker_mib": 122, "worker_cpu": 250.2,
    }  # fmt: skip
    line = export_line(export)
    assert "HTTP 302 (a job queued) in 0.21 s" in line and "可下载 312.4 s after the request, with 478,725 rows" in line
    assert "CPU time 250 s, peak memory 122 MiB" in line and "download HTTP 200, 49.3 MiB in 1.1 s" in line
    assert export_line({"label": "x", "status": 500, "job": "none"}) == "x: HTTP 500, no export job was queued."
