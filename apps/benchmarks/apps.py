from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The national-size data the benchmarks measure: `manage.py seed_scale` and its generators. No models."""

    name = "apps.benchmarks"
    verbose_name = "Benchmarks"
