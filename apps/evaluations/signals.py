"""What the evaluations' workflow announces to the apps above it, which it must not import (domain order:
organizations ← collectives ← evaluations ← rechecks)."""

from django.dispatch import Signal

# Sent inside the conclusion's transaction with inspection and user when the inspection finds that the collective
# must rectify: the rectification (限期整改) is ordered there (apps/rechecks).
inspection_requires_rectification = Signal()
