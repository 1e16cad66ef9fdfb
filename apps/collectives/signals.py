"""What the collectives' workflow announces to the apps above it, which it must not import (domain order:
organizations ← collectives ← evaluations ← rechecks)."""

from django.dispatch import Signal

# Sent inside the dissolution's transaction with collective, user and reason: the titles end there (apps/rechecks).
collective_dissolved = Signal()
