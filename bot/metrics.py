"""Prometheus metrics (prometheus-client): what this process did, and the database's backlog.

Each process has its own registry and reports its own counters (scrape every replica; add them
up with `sum by (...)`). The backlog gauges are read from the shared database at scrape time, so
every replica reports the same value: aggregate those with `max`, not `sum`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from handlers.core.context import Context
from handlers.core.meter import Counted, Timed
from handlers.operations.health import survey_queue
from handlers.operations.webhooks import webhook_backlog

_COUNTERS: dict[Counted, tuple[str, str, tuple[str, ...]]] = {
    Counted.SURVEYS_SENT: ("sayso_surveys_sent", "Surveys whose first question reached the platform", ("platform",)),
    Counted.SEND_ERRORS: ("sayso_send_errors", "Survey sends the platform refused or did not answer", ("platform",)),
    Counted.SURVEYS_ANSWERED: ("sayso_surveys_answered", "Surveys that got their first answer", ("survey",)),
    Counted.SURVEYS_COMPLETED: ("sayso_surveys_completed", "Surveys answered to the end", ("survey",)),
    Counted.ANSWERS_STORED: ("sayso_answers_stored", "Answers stored (a changed answer counts again)", ("survey",)),
    Counted.ALERTS: ("sayso_alerts", "Low-score alerts opened, claimed and resolved", ("event",)),
    Counted.WEBHOOK_DELIVERIES: (
        "sayso_webhook_deliveries",
        "Webhook posts by outcome (delivered, retried, failed)",
        ("event_type", "outcome"),
    ),
}
_TIMERS: dict[Timed, tuple[str, str, tuple[str, ...]]] = {
    Timed.SEND: ("sayso_send_duration_seconds", "From claiming a survey to the platform's answer", ("platform",)),
}
# Latency buckets for chat work: Slack's limit is 3 s.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)


class Metrics:
    """The `Meter` the handlers count with, and the text `/metrics` serves."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._counters = {
            what: Counter(name, text, labels, registry=self.registry)
            for what, (name, text, labels) in _COUNTERS.items()
        }
        self._timers = {
            what: Histogram(name, text, labels, buckets=_BUCKETS, registry=self.registry)
            for what, (name, text, labels) in _TIMERS.items()
        }
        self.http = Histogram(
            "sayso_http_request_duration_seconds",
            "HTTP requests by route template",
            ("route", "method"),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self._queue = Gauge(
            "sayso_queue_surveys",
            "Surveys waiting to be sent (state=scheduled|due)",
            ("state",),
            registry=self.registry,
        )
        self._queue_age = Gauge(
            "sayso_queue_oldest_due_seconds", "How long the oldest due survey has waited", registry=self.registry
        )
        self._webhooks = Gauge(
            "sayso_webhook_backlog", "Webhook deliveries (state=pending|failed)", ("state",), registry=self.registry
        )
        self._webhook_age = Gauge(
            "sayso_webhook_oldest_pending_seconds", "Age of the oldest pending webhook event", registry=self.registry
        )

    def count(self, what: Counted, **labels: str) -> None:
        self._counters[what].labels(**labels).inc()

    def time(self, what: Timed, seconds: float, **labels: str) -> None:
        self._timers[what].labels(**labels).observe(seconds)

    async def exposition(self, context: Context, *, webhooks: bool) -> bytes:
        """The text format, with the database's backlog read now."""
        queue = await survey_queue(context)
        self._queue.labels(state="scheduled").set(queue.scheduled)
        self._queue.labels(state="due").set(queue.due)
        self._queue_age.set(queue.oldest_due_seconds)
        if webhooks:
            outbox = await webhook_backlog(context)
            self._webhooks.labels(state="pending").set(outbox.pending)
            self._webhooks.labels(state="failed").set(outbox.failed)
            oldest = outbox.oldest_pending
            self._webhook_age.set((context.clock() - oldest).total_seconds() if oldest else 0)
        return generate_latest(self.registry)


class RequestTimer:
    """Times every HTTP request under its route template (`/api/v1/interactions`, never a raw path)."""

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: Sequence[BaseRoute] = ()) -> None:
        self._app = app
        self._metrics = metrics
        self._routes = routes

    def _route_of(self, scope: Scope) -> BaseRoute | None:
        """The route a request refused before routing (a 401 or 413 from the guard) was meant for."""
        return next((route for route in self._routes if route.matches(scope)[0] is Match.FULL), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self._app(scope, receive, send)
        finally:
            route: Any = scope.get("route") or self._route_of(scope)
            template = getattr(route, "path", None) or "unmatched"
            self._metrics.http.labels(route=template, method=scope["method"]).observe(time.perf_counter() - started)
