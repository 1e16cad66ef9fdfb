"""Querysets compiled to SQL once, then run with other values: for the pages a visitor may be the first to open.

Building a queryset and compiling it to SQL costs about 0.8 ms of CPU (`make bench`: a post's row with its
rectification), eight times what it then costs to run it, and more than PostgreSQL takes to find the row. A post page
rendered afresh runs three such queries whose SQL is the same for every post: only the post's id differs. A
CompiledQuery builds the queryset once with stand-in values, compiles it once per database, and runs that SQL with
the real values in place of the stand-ins, its rows converted by the same compiler as the ORM's own (dates on SQLite,
decimals).

It takes only what it can keep exact: every value must reach the SQL as a query parameter of its own, unchanged (an
int or a str compared with `=` or `IN`; not a slice, which Django writes into the SQL, nor a pattern such as
`icontains`). Compiling checks it (each stand-in must be found among the parameters, and nowhere in the SQL text) and
fails loudly otherwise. The SQL is the one the queryset makes today: build() is called again after a restart, never
patched.

On PostgreSQL the SQL is also prepared, once per connection (PREPARE, then EXECUTE): PostgreSQL then parses and
plans it once per connection instead of at every run, which was as much time again as running it. A prepared
statement lives as long as its connection (a rollback keeps it); a connection pooler in transaction mode, which
hands a connection's session to others, would need PREPARE_COMPILED_QUERIES = False."""

import itertools
import re

from django.conf import settings
from django.db import connections, router

STAND_IN_INT = 987_654_000  # no table here comes near this many rows, and the check below would see a collision
STAND_IN_STR = "\x1fstand-in-{}\x1f"
_names = (f"civpost_compiled_{number}" for number in itertools.count())


def _stand_in(value, index):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"a compiled query takes ints and strs, not {value!r}")
    return STAND_IN_INT + index if isinstance(value, int) else STAND_IN_STR.format(index)


class CompiledQuery:
    """`build(*values)` returns a values() queryset of `model`; `rows(*values)` returns its rows as dicts, compiled
    once per database and per `shape` (a hashable the caller chooses when build() makes differently shaped SQL for
    different values, such as a UNION of as many selects as there are values)."""

    def __init__(self, model, build):
        self.model, self.build = model, build
        self._compiled = {}

    def rows(self, *values, shape=None):
        alias = router.db_for_read(self.model)
        compiled = self._compiled.get((alias, shape))
        if compiled is None:
            compiled = self._compiled[(alias, shape)] = self._compile(alias, values)
        compiler, sql, params, positions, names, statement = compiled
        params = list(params)
        for position, index in positions:
            params[position] = values[index]
        connection = connections[alias]
        with connection.cursor() as cursor:
            if statement:
                _execute_prepared(connection, cursor, statement, sql, params)
            else:
                cursor.execute(sql, params)
            results = cursor.fetchall()
        return [dict(zip(names, row)) for row in compiler.results_iter(results=[results])]

    def _compile(self, alias, values):
        stand_ins = [_stand_in(value, index) for index, value in enumerate(values)]
        query = self.build(*stand_ins).using(alias).query
        compiler = query.get_compiler(alias)
        sql, params = compiler.as_sql()
        positions = [(position, stand_ins.index(param)) for position, param in enumerate(params) if param in stand_ins]
        missing = {str(stand_in) for stand_in in stand_ins} - {str(params[position]) for position, _index in positions}
        if missing or any(str(stand_in) in sql for stand_in in stand_ins):
            raise ValueError(f"{self.build!r}: every value must be a query parameter of its own ({sorted(missing)} are not)")
        names = list(query.selected) if query.selected else [*query.extra_select, *query.values_select, *query.annotation_select]
        prepare = connections[alias].vendor == "postgresql" and getattr(settings, "PREPARE_COMPILED_QUERIES", True)
        return compiler, sql, tuple(params), positions, names, next(_names) if prepare else None


def _session_statements(connection):
    """The names of the statements this connection's database session has prepared (a new session has none)."""
    prepared = getattr(connection, "compiled_statements", None)
    if prepared is None or prepared[0] is not connection.connection:
        prepared = connection.compiled_statements = (connection.connection, set())
    return prepared[1]


def _execute_prepared(connection, cursor, statement, sql, params):
    """EXECUTE the statement, after its PREPARE in the same call if this session has not prepared it yet: one round
    trip, and one query for the tests that count them."""
    prepared = _session_statements(connection)
    execute = f"EXECUTE {statement} ({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {statement}"
    if statement not in prepared:
        numbers = iter(range(1, len(params) + 1))
        # Django's SQL has %s for each parameter, which PREPARE wants as $1, $2, ..., and %% for a percent sign,
        # which the driver still wants: the EXECUTE's parameters follow.
        body = re.sub(r"%[s%]", lambda match: "%%" if match[0] == "%%" else f"${next(numbers)}", sql)
        execute = f"PREPARE {statement} AS {body}; {execute}"
    cursor.execute(execute, params)
    prepared.add(statement)
