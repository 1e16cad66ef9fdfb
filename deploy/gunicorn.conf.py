"""gunicorn settings for one app server: `gunicorn -c deploy/gunicorn.conf.py civpost.wsgi`.

Every value can be changed by an environment variable of the same purpose (the systemd unit sets them)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: 2 per core plus one. The portal's requests are short; uploads are buffered by nginx first.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never grows for weeks: every 50,000 requests or so, minutes apart
# at the busiest and hours apart on an ordinary day. A worker starts cold (Django, templates, compiled queries: about a
# second of CPU), and the workers started together: at 2,000 requests (jitter 200) all five restarted within the same
# second every 9 s under load, a fifth of the server's time (`make bench`, 4 December). The jitter spreads them out.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 50_000))
max_requests_jitter = max_requests // 10
# nginx on the same host or the load balancer in front sets X-Forwarded-For / -Proto (BEHIND_PROXY=true).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "civpost"
