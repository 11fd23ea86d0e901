"""Prometheus metrics, in a registry per app instance (two instances never collide)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.request_latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route", "status"],
            registry=self.registry,
            buckets=(0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.predictions = Counter(
            "predictions_total",
            "Predictions served",
            ["signal", "cached"],
            registry=self.registry,
        )
        self.prediction_cache_hits = Counter(
            "prediction_cache_hits_total",
            "Prediction cache hits",
            registry=self.registry,
        )
        self.training_jobs = Counter(
            "training_jobs_total",
            "Training job state changes",
            ["state"],
            registry=self.registry,
        )
