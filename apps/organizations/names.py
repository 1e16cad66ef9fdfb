"""How pages, printed lists and exports name a collective's region: after its parent, unless the parent is the whole
country (安庆市大观区; a province alone: 江苏省, not 全国江苏省)."""

from .models import NATIONAL_REGION


def place_name(name, parent_code, parent_name, separator=""):
    """The region's name after its parent's, from their names as read with the region (rows of values())."""
    if parent_code in (None, NATIONAL_REGION):
        return name
    return f"{parent_name}{separator}{name}"


def region_label(region):
    """place_name of a region loaded with its parent (exports and printed lists)."""
    parent = region.parent
    return place_name(region.name, parent and parent.code, parent and parent.name)
