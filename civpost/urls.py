from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import bulk, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("apps.security.urls")),
    path("display/", views.display_mode, name="display_mode"),
    path("accounts/", include("apps.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("notifications/", include("apps.notifications.urls")),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("workbench/bulk/<int:pk>/", bulk.result, name="bulk_result"),
    path("", include("apps.workbench.urls")),
    path("", include("apps.collectives.urls")),
    path("", include("apps.evaluations.urls")),
    path("", include("apps.activities.urls")),
    path("", include("apps.directory.urls")),
    path("", include("apps.stats.urls")),
    path("", include("apps.complaints.urls")),
    path("", include("apps.rechecks.urls")),
    path("", include("apps.organizations.urls")),
    path("", include("apps.imports.urls")),
    path("", include("apps.exports.urls")),
    path("", include("apps.privacy.urls")),
]

# Error pages that need neither the database nor static files, in Chinese (civpost/views.py).
handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
