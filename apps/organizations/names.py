"""The names a public page shows for a collective's region (after its parent's), industry and committee, from the
cache in one round trip instead of a join of four tables, and those the cache lacks in one query. The post page shows
them whenever its content is rendered afresh, and planning that join cost PostgreSQL more than the page's other
statements (`make bench`).

Each name is kept NAMES_TTL seconds and forgotten when its region, industry or committee is saved or deleted
(`forget`, connected in OrganizationsConfig.ready). A region's entry holds its parent's name too: renaming a province
shows in its cities' entries within NAMES_TTL."""

from functools import partial

from django.core.cache import cache
from django.db.models import CharField, F, Value

from civpost.compiled import CompiledQuery

from .models import NATIONAL_REGION, Industry, Node, Region

NAMES_TTL = 3600
KEY_PREFIX = "names:1"


def _key(model, pk):
    return f"{KEY_PREFIX}:{model._meta.model_name}:{pk}"


def _place(model, pk, key):
    """One row (key, name, parent code, parent name) of a place: a region's parent, nothing for the others."""
    if model is Region:
        return Region.objects.filter(code=pk).values(key=Value(key), place=F("name"), parent_code=F("parent_id"), parent_name=F("parent__name"))
    none = Value(None, output_field=CharField())
    return model.objects.filter(pk=pk).values(key=Value(key), place=F("name"), parent_code=none, parent_name=none)


def _union(*values, models):
    """The rows of the places of these models, in one query: a UNION ALL of one select per place. The values are the
    key and the id of each place in turn."""
    selects = [_place(model, values[2 * index + 1], values[2 * index]).order_by() for index, model in enumerate(models)]
    return selects[0].union(*selects[1:], all=True).order_by()


# Compiled once per set of kinds missing (civpost/compiled.py): the key and the id of each place are its values.
PLACES = {}


def _names(missing):
    """{key: name} of the places whose names the cache lacks ({key: (model, pk)}), in one query (a place that is gone
    has no row: "")."""
    models = tuple(model for model, _pk in missing.values())
    compiled = PLACES.get(models)
    if compiled is None:
        compiled = PLACES[models] = CompiledQuery(models[0], partial(_union, models=models))
    names = dict.fromkeys(missing, "")
    for row in compiled.rows(*(value for key, (_model, pk) in missing.items() for value in (key, pk))):
        parent_code, parent, name = row["parent_code"], row["parent_name"], row["place"]
        names[row["key"]] = name if parent_code in (None, NATIONAL_REGION) else f"{parent} {name}"  # 江苏省, not 全国 江苏省
    return names


def region_label(region):
    """安庆市大观区: the region after its parent, except when the parent is the whole country (for exports and
    printed lists, from a region loaded with its parent)."""
    parent = region.parent
    if parent is None or parent.parent_id is None:
        return region.name
    return f"{parent.name}{region.name}"


def place_names(region_id, industry_id, committee_id):
    """{"region", "industry", "committee"}: the names of a collective's places ("" for one that is gone)."""
    wanted = {"region": (Region, region_id), "industry": (Industry, industry_id), "committee": (Node, committee_id)}
    keys = {field: _key(model, pk) for field, (model, pk) in wanted.items()}
    found = cache.get_many(keys.values())
    missing = {keys[field]: place for field, place in wanted.items() if keys[field] not in found}
    loaded = _names(missing) if missing else {}
    if loaded:
        cache.set_many(loaded, NAMES_TTL)
    return {field: found.get(key, loaded.get(key)) for field, key in keys.items()}


def forget(sender, instance, **kwargs):
    """Signal receiver: a region, industry or committee changed; a region's children hold its name too."""
    cache.delete(_key(sender, instance.pk))
    if sender is Region:
        cache.delete_many([_key(Region, code) for code in Region.objects.filter(parent_id=instance.pk).values_list("code", flat=True)])
