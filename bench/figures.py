"""The figures of a bench run and bench/results.md: percentiles, throughput, each page's share of the framework
floor measured beside it, and the Markdown that reports them. No Django, no I/O but the one file written."""

import math
from dataclasses import dataclass, field


def percentile(values, fraction):
    """The nearest-rank percentile: the smallest value with at least `fraction` of the values at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass
class Block:
    """What one stretch of closed-loop load measured: the answers' times in ms, the seconds from the first request
    sent to the last answer received, and the requests that did not answer as expected."""

    timings: list = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0
    failures: list = field(default_factory=list)  # a few (status, URL) of the errors, to say what failed

    @property
    def requests(self):
        return len(self.timings)

    @property
    def throughput(self):
        return self.requests / self.seconds if self.seconds else 0.0

    def p(self, fraction):
        return percentile(self.timings, fraction)

    def merged(self, other):
        return Block(self.timings + other.timings, self.seconds + other.seconds, self.errors + other.errors, self.failures + other.failures)

    def record(self, milliseconds, failure=None):
        """One answer; `failure`: (status, URL) when it was not the answer expected."""
        self.timings.append(milliseconds)
        if failure:
            self.errors += 1
            if len(self.failures) < 3:
                self.failures.append(failure)


def share_of_floor(page, floor):
    """The page's throughput as a fraction of the floor's (the empty page of the same layout, measured beside it)."""
    return page.throughput / floor.throughput if floor.throughput else math.nan


@dataclass
class PageResult:
    label: str
    url: str
    page: Block
    floor: Block
    queries: tuple  # (cold cache, warm cache) per request, counted in process
    floor_kind: str  # "public" or "staff"

    @property
    def share(self):
        return share_of_floor(self.page, self.floor)


@dataclass
class ActionResult:
    """One kind of request of the deadline peak: its answers' times and how many failed."""

    label: str
    block: Block


def _ms(value):
    return "–" if math.isnan(value) else f"{value:.0f}"


def _percent(value):
    return "–" if math.isnan(value) else f"{value * 100:.0f} %"


def page_table(results):
    lines = [
        "| page | as | req/s | floor req/s | share of floor | p50 ms | p95 ms | p99 ms | queries cold/warm | errors |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        cold, warm = r.queries
        lines.append(
            f"| {r.label} | {r.floor_kind} | {r.page.throughput:.1f} | {r.floor.throughput:.1f} | {_percent(r.share)} "
            f"| {_ms(r.page.p(0.5))} | {_ms(r.page.p(0.95))} | {_ms(r.page.p(0.99))} | {cold}/{warm} | {r.page.errors + r.floor.errors} |"
        )
    return lines


def peak_table(actions, checks):
    lines = ["| request | n | errors | p50 ms | p95 ms | p99 ms |", "|---|--:|--:|--:|--:|--:|"]
    for action in actions:
        b = action.block
        lines.append(f"| {action.label} | {b.requests} | {b.errors} | {_ms(b.p(0.5))} | {_ms(b.p(0.95))} | {_ms(b.p(0.99))} |")
    lines += ["", "| transition | answered as done | in the database | lost | duplicated |", "|---|--:|--:|--:|--:|"]
    for check in checks:
        lines.append(f"| {check['label']} | {check['answered']} | {check['found']} | {check['lost']} | {check['duplicated']} |")
    return lines


def export_line(export):
    """The export as the staffer lives it: the request that queues it, the wait until the file is ready, the download."""
    if export.get("job") == "none":
        return f"{export['label']}: HTTP {export['status']}, no export job was queued."
    return (
        f"{export['label']}: the request answered HTTP {export['status']} (a job queued) in {export['enqueue_seconds']:.2f} s; "
        f"the job was {export['job']} {export['job_seconds']:.1f} s after the request, with {export['rows']:,} rows "
        f"({export['expected_rows']:,} registered collectives) written by a task worker beside gunicorn "
        f"(its CPU time {export['worker_cpu']:.0f} s, peak memory {export['worker_mib']:.0f} MiB); its page HTTP {export['page_status']}, the download HTTP "
        f"{export['download_status']}, {export['mib']:.1f} MiB in {export['download_seconds']:.1f} s."
    )


def render_results(info, results, export=None, peak=None):
    """bench/results.md: the run's conditions, then one table of pages, the export and the deadline peak."""
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` ({info['command']}) on {info['date']}, revision `{info['revision']}`.",
        "",
        f"- Machine: {info['cpus']} cores, load average {info['load_before']} before and {info['load_after']} after the run "
        "(shared with other work: compare the shares of the floor, not the absolute figures).",
        f"- Server: {info['server']}.",
        f"- Load: {info['concurrency']} concurrent keep-alive connections, closed loop; each page measured for "
        f"{info['seconds']:g} s and its floor as long, taking turns every {info['slice']:g} s (each slice of the page between two half slices of the floor).",
        f"- Data: {info['data']}.",
        "",
        "The floor is an empty page of the same base layout (bench/floor_urls.py: 0 queries of its own), served by the same "
        "server in the same run: the public floor for public pages, the staff floor as the same user for staff pages. "
        "Share of floor = the page's requests per second ÷ the floor's. Queries: per request, counted in process with the "
        "cache empty (cold) and filled (warm).",
        "",
    ]
    if results:
        lines += ["## Pages", "", *page_table(results)]
        failed = [f"- {r.label}: {', '.join(f'HTTP {status} {url}' for status, url in r.page.failures + r.floor.failures)}" for r in results if r.page.errors + r.floor.errors]
        if failed:
            lines += ["", "Errors (the first of each page):", "", *failed]
    if export:
        lines += [
            "",
            "## Export",
            "",
            export_line(export),
        ]
    if peak:
        lines += [
            "",
            "## Deadline peak",
            "",
            peak["summary"],
            "",
            *peak_table(peak["actions"], peak["checks"]),
            "",
            f"Verdict: {peak['verdict']}",
        ]
    return "\n".join(lines) + "\n"
