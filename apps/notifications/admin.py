from django.contrib import admin

from .models import Message, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Notifications are written by the portal (services.notify); the admin only looks them up."""

    list_display = ("subject", "recipient", "created_at", "read_at")
    list_filter = (("read_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("subject", "body", "recipient__username", "recipient__real_name")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The outbox, read-only: what was sent, skipped or failed, with the last error."""

    list_display = ("notification", "channel", "digest", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "channel", "digest")
    search_fields = ("notification__subject", "notification__recipient__username")
    list_select_related = ("notification",)
    readonly_fields = ("notification", "channel", "digest", "status", "attempts", "error", "created_at", "sent_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
