"""Statistics recomputed in the background after a change that alters them (figures.outdated)."""

from civpost.tasks import retrying_task


@retrying_task(retries=2, backoff_seconds=60)
def refresh_committee(node_pk):
    """Recompute the snapshots of a committee's subtree."""
    from apps.organizations.models import Node

    from .figures import refresh

    return len(refresh(Node.objects.get(pk=node_pk)))
