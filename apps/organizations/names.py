"""How printed lists and exports name a collective's region."""


def region_label(region):
    """安庆市大观区: the region after its parent, except when the parent is the whole country (for exports and
    printed lists, from a region loaded with its parent)."""
    parent = region.parent
    if parent is None or parent.parent_id is None:
        return region.name
    return f"{parent.name}{region.name}"
