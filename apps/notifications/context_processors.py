def unread_notifications(request):
    """The header's unread count: one COUNT query for a signed-in user, none otherwise."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notification_count": 0}
    return {"unread_notification_count": user.notifications.filter(read_at__isnull=True).count()}
