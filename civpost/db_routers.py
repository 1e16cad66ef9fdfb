"""An optional read replica (DATABASE_REPLICA_URL) for the public pages.

Anonymous GET requests to the public pages read from the replica; every write, every signed-in user and every other
page uses the primary, so nobody reads their own change from a replica that lags behind. Without a replica the
middleware does nothing."""

from contextvars import ContextVar

from django.conf import settings

PUBLIC_PREFIXES = ("/posts/", "/stats/", "/notices/", "/verify/", "/open-data/")
_use_replica = ContextVar("use_replica", default=False)


class PublicReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "replica" not in settings.DATABASES:
            return self.get_response(request)
        public = (
            request.method in ("GET", "HEAD")
            and request.path.startswith(PUBLIC_PREFIXES)
            and not request.user.is_authenticated
        )
        token = _use_replica.set(public)
        try:
            return self.get_response(request)
        finally:
            _use_replica.reset(token)


class PublicPagesToReplica:
    def db_for_read(self, model, **hints):
        return "replica" if _use_replica.get() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
