"""civpost/compiled.py: a queryset compiled once and run with other values gives what the ORM gives, on SQLite and on
PostgreSQL (prepared once per database session there)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from apps.collectives.models import Collective
from civpost.compiled import CompiledQuery

from .evaluation_factories import eligible_collective

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE is PostgreSQL's; CI runs the suite on it too")


def counting(build):
    calls = []

    def counted(*values):
        calls.append(values)
        return build(*values)

    return counted, calls


def by_name_and_id(name, pk):
    return Collective.objects.filter(name=name, pk__gte=pk).order_by("pk").values("pk", "name", "registered_on", "volunteer_hours")


@pytest.fixture
def collectives(db):
    first = eligible_collective(name="第一集体", registered_on=date(2024, 5, 6), volunteer_hours=Decimal("7.5"))
    second = eligible_collective(name="第二集体", registered_on=date(2025, 1, 2))
    return first, second


def test_rows_are_the_orms_for_each_value_and_the_queryset_is_built_once(collectives):
    build, calls = counting(by_name_and_id)
    query = CompiledQuery(Collective, build)
    for collective in collectives:
        for _ in range(2):
            assert query.rows(collective.name, collective.pk) == list(by_name_and_id(collective.name, collective.pk))
    assert query.rows("第一集体", collectives[0].pk)[0]["registered_on"] == date(2024, 5, 6)  # converted, on SQLite too
    assert query.rows("第一集体", collectives[0].pk)[0]["volunteer_hours"] == Decimal("7.5")
    assert query.rows("没有这个集体", 0) == []
    assert len(calls) == 1


def test_each_shape_is_built_and_compiled_once(collectives):
    shapes = []

    def by_id_or_name(value, shape):
        shapes.append(shape)
        return Collective.objects.filter(**{shape: value}).values("name")

    query = CompiledQuery(Collective, by_id_or_name)
    assert query.rows(collectives[0].pk, shape="pk") == query.rows("第一集体", shape="name") == [{"name": "第一集体"}]
    assert query.rows(collectives[1].pk, shape="pk") == [{"name": "第二集体"}]
    assert shapes == ["pk", "name"]


def test_dates_are_values_too(collectives):
    query = CompiledQuery(Collective, lambda on, pk: Collective.objects.filter(registered_on__lte=on, pk__gte=pk).order_by("pk").values("name"))
    assert query.rows(date(2024, 12, 31), 0) == [{"name": "第一集体"}]
    assert query.rows(date(2025, 1, 2), collectives[1].pk) == [{"name": "第二集体"}]


@pytest.mark.parametrize(
    "build",
    [
        lambda name: Collective.objects.filter(name__icontains=name).values("pk"),  # a pattern: %name%
        lambda number: Collective.objects.values("pk")[:number],  # a slice: written into the SQL
        lambda pk: Collective.objects.filter(pk=1).values("pk"),  # not used at all
    ],
)
def test_a_value_that_is_not_a_parameter_of_its_own_is_refused(db, build):
    value = "集体" if "name" in build.__code__.co_varnames else 3
    with pytest.raises(ValueError, match="query parameter of its own"):
        CompiledQuery(Collective, build).rows(value)


@pytest.mark.parametrize("value", [True, datetime(2025, 1, 1), 1.5, None])
def test_values_are_ints_or_strs(db, value):
    with pytest.raises(TypeError):
        CompiledQuery(Collective, lambda pk: Collective.objects.filter(pk=pk).values("pk")).rows(value)


@on_postgresql
@pytest.mark.serial  # it closes the connection: a transaction of its own
@pytest.mark.django_db(transaction=True)
def test_postgresql_prepares_once_per_session_in_the_same_round_trip():
    call_command("load_committee_tree", verbosity=0)  # A transactional test starts from an empty database.
    first, second = eligible_collective(name="第一集体"), eligible_collective(name="第二集体")
    query = CompiledQuery(Collective, lambda pk: Collective.objects.filter(pk=pk).values("name"))
    with CaptureQueriesContext(connection) as queries:
        assert query.rows(first.pk) == [{"name": "第一集体"}]
        assert query.rows(second.pk) == [{"name": "第二集体"}]
    assert len(queries) == 2
    assert queries[0]["sql"].startswith("PREPARE ") and queries[1]["sql"].startswith("EXECUTE ")

    with pytest.raises(RuntimeError), transaction.atomic():  # a rollback keeps what the session prepared
        query.rows(first.pk)
        raise RuntimeError
    connection.close()  # a new session has prepared nothing: it prepares again
    with CaptureQueriesContext(connection) as queries:
        assert query.rows(first.pk) == [{"name": "第一集体"}]
    assert queries[0]["sql"].startswith("PREPARE ")


@on_postgresql
def test_a_percent_sign_in_the_sql_survives_preparing(collectives):
    # name LIKE '%%' || name || '%%': Django's SQL doubles a percent sign that is not a parameter's.
    query = CompiledQuery(Collective, lambda pk: Collective.objects.filter(pk=pk, name__contains=F("name")).values("name"))
    assert query.rows(collectives[0].pk) == [{"name": "第一集体"}]


@on_postgresql
def test_preparing_can_be_switched_off_for_a_transaction_pooler(collectives, settings):
    settings.PREPARE_COMPILED_QUERIES = False
    query = CompiledQuery(Collective, lambda pk: Collective.objects.filter(pk=pk).values("name"))
    with CaptureQueriesContext(connection) as queries:
        assert query.rows(collectives[0].pk) == [{"name": "第一集体"}]
    assert queries[0]["sql"].startswith("SELECT ")
