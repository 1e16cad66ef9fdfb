"""The province → city → county selects: the directory's filters and the registration form choose a region with them.

Each select lists the children of the region chosen in the select above it (the provinces are the children of the
country). The children are not always of the same kind: under 北京市 come its districts, under 湖北省 its
prefectures and the county-level cities it administers directly (仙桃市), and 东莞市 has none. A region with no
children is where a collective works.

The lists change by imports only, so each parent's list is cached (CHOICES_TTL seconds) and forgotten when one of
its regions is saved or deleted (`forget_list`, connected in OrganizationsConfig.ready) or loaded in bulk (tree.py).
"""

from dataclasses import dataclass

from django.core.cache import cache

from .models import NATIONAL_REGION, Region

FIELDS = ("province", "city", "county")
CHOICES_TTL = 300
KEY_PREFIX = "regions:children:"


def _key(parent):
    return f"{KEY_PREFIX}{parent}"


def region_children(parents):
    """{parent code: [(code, name) of its children, in code order]} in at most one query."""
    keys = {_key(parent): parent for parent in parents}
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        loaded = {key: [] for key in missing}
        rows = Region.objects.filter(parent_id__in=[keys[key] for key in missing]).order_by("code")
        for code, name, parent in rows.values_list("code", "name", "parent_id"):
            loaded[_key(parent)].append((code, name))
        cache.set_many(loaded, CHOICES_TTL)
        found.update(loaded)
    return {keys[key]: value for key, value in found.items()}


def forget_children(parents):
    cache.delete_many([_key(parent) for parent in parents if parent])


def forget_list(sender, instance, **kwargs):
    """Signal receiver: a region was saved or deleted, so its parent's list changed."""
    forget_children([instance.parent_id])


@dataclass
class Cascade:
    choices: dict  # {field: [(code, name)]}: what each select offers
    chosen: dict  # {field: code}: what was asked for where it is in its list, else ""
    leaf: bool  # whether the deepest chosen region has no children

    @property
    def region(self):
        """The code of the deepest chosen region, or ""."""
        return next((self.chosen[name] for name in reversed(FIELDS) if self.chosen[name]), "")


def cascade(wanted):
    """The three selects for the codes asked for ({field: code}); a code that is not inside the one above it (left
    over after choosing another province) is dropped, with everything below it."""
    wanted = {name: str(wanted.get(name) or "").strip() for name in FIELDS}
    children = region_children([NATIONAL_REGION, *(wanted[name] for name in FIELDS if wanted[name].isdigit())])
    choices, chosen, parent = {}, {}, NATIONAL_REGION
    for name in FIELDS:
        choices[name] = children.get(parent, []) if parent else []
        chosen[name] = wanted[name] if parent and wanted[name] in dict(choices[name]) else ""
        parent = chosen[name] or None
    result = Cascade(choices, chosen, leaf=False)
    result.leaf = bool(result.region) and not children.get(result.region)
    return result


def chain(region):
    """{field: code} that chooses `region` in the selects: its ancestors below the country, then itself (fetch it
    with select_related("parent__parent") to read them without a query)."""
    codes, current = [], region
    while current is not None and current.code != NATIONAL_REGION:
        codes.append(current.code)
        current = current.parent if current.parent_id not in (None, NATIONAL_REGION) else None
    return dict(zip(FIELDS, reversed(codes), strict=False))
