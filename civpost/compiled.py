"""Querysets compiled to SQL once, then run with other values: for the pages a visitor may be the first to open.

Building a queryset and compiling it to SQL costs about 0.8 ms of CPU (`make bench`: a post's row with its
rectification), eight times what it then costs to run it, and more than PostgreSQL takes to find the row. A post page
rendered afresh runs two such queries whose SQL is the same for every post: only the post's id differs. A
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
statement lives as long as its connection (a rollback keeps it; a migration that changes the columns it returns needs
the app servers restarted, as a deploy does); a connection pooler in transaction mode, which hands a connection's
session to others, needs PREPARE_COMPILED_QUERIES=false (settings)."""

import itertools
import re
from datetime import date, datetime

from django.conf import settings
from django.db import connections, router

STAND_IN_INT = 987_654_000  # no table here comes near this many rows, and the check below would see a collision
STAND_IN_STR = "\x1fstand-in-{}\x1f"
STAND_IN_YEAR = 1001
_statement_numbers = itertools.count()  # next() on it is atomic: threads of one process never share a name


def _stand_in(value, index):
    if isinstance(value, bool) or not isinstance(value, (int, str, date)) or isinstance(value, datetime):
        raise TypeError(f"a compiled query takes ints, strs and dates, not {value!r}")
    if isinstance(value, date):
        return date(STAND_IN_YEAR + index, 2, 3)
    return STAND_IN_INT + index if isinstance(value, int) else STAND_IN_STR.format(index)


class CompiledQuery:
    """`build(*values)` returns a values() queryset of `model`; `rows(*values)` returns its rows as dicts. When build()
    makes differently shaped SQL for different cases (a UNION of as many selects as there are places, a page at
    another offset), the caller names the case: `rows(*values, shape=...)` calls `build(*values, shape=...)`, and
    each shape is compiled once per database."""

    def __init__(self, model, build):
        self.model, self.build = model, build
        self._compiled = {}

    def rows(self, *values, shape=None):
        alias = router.db_for_read(self.model)
        compiled = self._compiled.get((alias, shape))
        if compiled is None:
            compiled = self._compiled[(alias, shape)] = self._compile(alias, values, shape)
        compiler, sql, params, positions, names, statement = compiled
        connection = connections[alias]
        params = list(params)
        for position, index, adapted in positions:
            # A date reaches SQLite as text (DateField.get_db_prep_value), PostgreSQL as a date.
            params[position] = connection.ops.adapt_datefield_value(values[index]) if adapted else values[index]
        with connection.cursor() as cursor:
            if statement:
                _execute_prepared(connection, cursor, statement, sql, params)
            else:
                cursor.execute(sql, params)
            results = cursor.fetchall()
        return [dict(zip(names, row)) for row in compiler.results_iter(results=[results])]

    def _compile(self, alias, values, shape):
        stand_ins = [_stand_in(value, index) for index, value in enumerate(values)]
        queryset = self.build(*stand_ins) if shape is None else self.build(*stand_ins, shape=shape)
        query = queryset.using(alias).query
        compiler = query.get_compiler(alias)
        sql, params = compiler.as_sql()
        adapt = connections[alias].ops.adapt_datefield_value
        adapted = [adapt(stand_in) if isinstance(stand_in, date) else stand_in for stand_in in stand_ins]
        positions = [(position, *found) for position, param in enumerate(params) if (found := _match(param, stand_ins, adapted))]
        missing = set(range(len(stand_ins))) - {index for _position, index, _adapted in positions}
        if missing or any(str(stand_in) in sql for stand_in in stand_ins):
            raise ValueError(f"{self.build!r}: every value must be a query parameter of its own ({sorted(missing)} are not)")
        names = list(query.selected) if query.selected else [*query.extra_select, *query.values_select, *query.annotation_select]
        prepare = connections[alias].vendor == "postgresql" and settings.PREPARE_COMPILED_QUERIES
        statement = f"civpost_compiled_{next(_statement_numbers)}" if prepare else None
        return compiler, sql, tuple(params), positions, names, statement


def _match(param, stand_ins, adapted):
    """(index, adapted) of the stand-in that this parameter is, as given or as the database adapts it; else None."""
    for index, (stand_in, as_adapted) in enumerate(zip(stand_ins, adapted)):
        if type(param) is type(stand_in) and param == stand_in:
            return index, False
        if as_adapted is not stand_in and type(param) is type(as_adapted) and param == as_adapted:
            return index, True
    return None


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
