"""civpost.wsgi serving bench/floor_urls.py: the portal plus the framework floors, for benchmarks through gunicorn
(`gunicorn bench.floor_wsgi`, from the project's directory)."""

import sys
from pathlib import Path

from django.conf import settings

from civpost.wsgi import application  # noqa: F401  (what gunicorn serves)

sys.path.insert(0, str(Path(__file__).resolve().parent))
settings.ROOT_URLCONF = "floor_urls"
