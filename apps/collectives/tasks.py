"""The post pages stored for their first visitors (apps/collectives/public.py), renewed after each change."""

from civpost.tasks import retrying_task


@retrying_task(retries=3, backoff_seconds=60)
def store_post_pages(pks):
    """Render and store the pages of these posts (at most public.STORE_BATCH) as they are now."""
    from .public import store_pages

    return store_pages(pks)
