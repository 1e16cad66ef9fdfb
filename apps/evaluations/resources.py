def with_related(honors):
    """Everything a certificate, a named list or an export reads, in one query."""
    if hasattr(honors, "select_related"):
        return honors.select_related("collective__region__parent", "collective__industry", "named_by", "round")
    return honors
