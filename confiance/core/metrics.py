"""Prometheus metrics kept by every process: requests and their latency per route, live streams connected.

`confiance serve` sets PROMETHEUS_MULTIPROC_DIR (a folder of the data folder, emptied at start) before the server
processes start, so prometheus-client's multiprocess mode sums the values of every uvicorn worker; the scrape
(`/metrics`, confiance/console/metrics.py) adds the platform's queue depths read from the database.
"""

from __future__ import annotations

import os
import time

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter("confiance_http_requests", "HTTP requests answered, per route name, method and status class.",
                   ["route", "method", "status"])
LATENCY = Histogram("confiance_http_request_duration_seconds",
                    "Time to the response's start, per route name (streams: until the stream opens).",
                    ["route"], buckets=LATENCY_BUCKETS)
SSE_CLIENTS = Gauge("confiance_sse_clients", "Live event streams (SSE) open now.", multiprocess_mode="livesum")


def route_name(request) -> str:
    """The URL pattern's name (`reports:submit`), never the raw path: a bounded set of label values."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


def observe(route: str, method: str, status: int, seconds: float) -> None:
    method = method if method in {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"} else "OTHER"
    REQUESTS.labels(route, method, f"{status // 100}xx").inc()
    LATENCY.labels(route).observe(seconds)


class RequestMetricsMiddleware:
    """Counts and times every request that reaches Django (mounted ASGI apps are timed in core/asgi.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        observe(route_name(request), request.method, response.status_code, time.perf_counter() - started)
        return response


def mark_process_dead(pid: int) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
