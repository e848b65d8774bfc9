"""The staging table of an indicator import: the file's rows, as the check pass read them,
kept in the database until the apply pass (PostgreSQL's COPY loads them; plain inserts
elsewhere), so that everything after reading is done in SQL, set by set, whatever the size
of the file, and the file is read once.

A staged row names its series, place and period by *reference*: the number of the first
row-independent way the file wrote it (indicator code and breakdown; place; period), in the
order the file first gave them. The references are kept beside the rows. Each pass resolves
them against the catalogue as it is then (the check makes up negative ids for what it would
create; the apply creates it) into three small maps, and every statement reads the rows
through the maps: rows naming the same series, place and period twice, what each row would
do (create, update, unchanged), and on apply the revisions, the updates and the new values.
A row is `fresh` when its series, place or period is new: it has nothing to compare with.

Python holds one chunk of rows at a time, never the file."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import DatabaseError, connection

from indicators.models import Observation, ObservationRevision

PREFIX = "indicator_import_"
COLUMNS = ("line", "sref", "gref", "pref", "value", "status", "footnote", "complete_through")
CHUNK = 5000
WRITE_CHUNK = 100_000  # rows per statement that writes values (the progress bar moves)
ANALYZE_AFTER = 10_000  # new values after which the table's statistics are renewed
MAPS = {
    "s": ("series", ("indicator_id", "series_id")),
    "g": ("geography", ("geography_id",)),
    "p": ("period", ("period_id",)),
}
ACTION = "CASE WHEN o.id IS NULL THEN 'create' WHEN {same} THEN 'unchanged' ELSE 'update' END"


@dataclass(frozen=True)
class StagedRow:
    """A row as the SQL gives it back, for the preview's listed rows and rejections."""

    line: int
    sref: int
    gref: int
    pref: int
    value: Decimal | None
    was_value: Decimal | None = None


def _decimal(value) -> Decimal | None:
    """A value as the database gives it back (SQLite: a float or an int)."""
    return value if value is None or isinstance(value, Decimal) else Decimal(str(value))


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _distinct(a: str, b: str) -> str:
    """Null-safe "differs" (SQLite before 3.39 has no IS DISTINCT FROM; its IS NOT is)."""
    return f"{a} IS DISTINCT FROM {b}" if _postgres() else f"{a} IS NOT {b}"


class Stage:
    """The staged rows of one import: `create` it and `add` rows as the file streams, or
    `reopen` what the check pass staged; `resolve` the references; then ask it in SQL."""

    def __init__(self, name: str, *, tenant_id: int | None, rows: int = 0) -> None:
        self.name, self.tenant_id, self.rows = name, tenant_id, rows
        self.lines = (0, 0)  # the first and last line staged
        self.indicator_ids: list[int] = [0]
        self._buffer: list[tuple] = []
        self._cursor = connection.cursor()
        if _postgres():
            # Compiling these few statements costs more than it saves (a second or so each).
            self._cursor.execute("SET jit = off")

    @classmethod
    def create(cls, *, record_id: int, tenant_id: int | None, keep: bool) -> Stage:
        """A new stage; `keep`: a table that outlives the session (for the apply pass; on
        PostgreSQL unlogged, as a crash may lose it: `reopen` then finds it short)."""
        stage = cls(f"{PREFIX}{record_id}" if keep else f"{PREFIX}rows", tenant_id=tenant_id)
        kind = ("UNLOGGED TABLE" if _postgres() else "TABLE") if keep else "TEMPORARY TABLE"
        stage._cursor.execute(f"DROP TABLE IF EXISTS {stage.name}")
        stage._cursor.execute(f"DROP TABLE IF EXISTS {stage.name}_refs")
        stage._cursor.execute(
            f"""CREATE {kind} {stage.name} (
                line integer NOT NULL, sref integer NOT NULL, gref integer NOT NULL,
                pref integer NOT NULL, value numeric(20, 6), status varchar(14) NOT NULL,
                footnote varchar(500) NOT NULL, complete_through date)"""
        )
        stage._cursor.execute(
            f"CREATE {kind} {stage.name}_refs (kind char(1) NOT NULL, ref integer NOT NULL, "
            "key text NOT NULL)"
        )
        return stage

    @classmethod
    def reopen(cls, *, staged: dict, tenant_id: int | None) -> Stage | None:
        """The stage the check pass kept, if it is still whole."""
        name = staged.get("table", "")
        if not name.startswith(PREFIX) or not name.removeprefix(PREFIX).isdigit():
            return None
        with connection.cursor() as cursor:
            if name not in connection.introspection.table_names(cursor):
                return None
        stage = cls(name, tenant_id=tenant_id, rows=staged.get("rows", -1))
        stage.lines = tuple(staged.get("lines") or (0, 0))
        stage._cursor.execute(f"SELECT COUNT(*) FROM {name}")  # noqa: S608 - our table
        if stage._cursor.fetchone()[0] != stage.rows:
            stage.drop()
            return None
        return stage

    def kept(self) -> dict:
        """What `reopen` needs (stored with the import record)."""
        return {"table": self.name, "rows": self.rows, "lines": list(self.lines)}

    @staticmethod
    def discard(staged: dict) -> None:
        name = staged.get("table", "")
        if name.startswith(PREFIX) and name.removeprefix(PREFIX).isdigit():
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
                cursor.execute(f"DROP TABLE IF EXISTS {name}_refs")

    # Loading ---------------------------------------------------------------------------

    def add(self, row: tuple) -> None:
        """(line, series reference, place reference, period reference, value, status,
        footnote, complete through)"""
        self._buffer.append(row)
        if len(self._buffer) >= CHUNK:
            self._flush()

    def _load(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        if _postgres():
            with self._cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as c:
                for row in rows:
                    c.write_row(row)
            return
        ops = connection.ops
        adapt = {
            "value": ops.adapt_decimalfield_value,
            "complete_through": ops.adapt_datefield_value,
        }
        adapters = [adapt.get(c) for c in columns]
        self._cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - our table
            f"VALUES ({', '.join(['%s'] * len(columns))})",
            [tuple(a(v) if a else v for a, v in zip(adapters, r, strict=True)) for r in rows],
        )

    def _flush(self) -> None:
        """One chunk into the table (between chunks, the connection is free for the
        lookups and creations of the rows that follow)."""
        if not self._buffer:
            return
        self.rows += len(self._buffer)
        self.lines = (self.lines[0] or self._buffer[0][0], self._buffer[-1][0])
        self._load(self.name, COLUMNS, self._buffer)
        self._buffer = []

    def loaded(self, refs: dict[str, list]) -> None:
        """Every row is in: the references too (kind "s", "g", "p" → their keys, in order),
        and the planner learns the table's size."""
        self._flush()
        self._load(
            f"{self.name}_refs",
            ("kind", "ref", "key"),
            [
                (kind, n, json.dumps(key))
                for kind, keys in refs.items()
                for n, key in enumerate(keys)
            ],
        )
        self._cursor.execute(f"ANALYZE {self.name}")

    def refs(self) -> Iterator[tuple[str, int, list]]:
        """The references, kind by kind, in the order the file first gave them."""
        for kind, ref, key in self._fetch(
            f"SELECT kind, ref, key FROM {self.name}_refs ORDER BY kind, ref",  # noqa: S608
            many=True,
        ):
            yield kind, ref, json.loads(key)

    def first_line(self, kind: str, refs: list[int]) -> int:
        """The first line that names one of these references."""
        column = {"s": "sref", "g": "gref", "p": "pref"}[kind]
        self._cursor.execute(
            f"SELECT MIN(line) FROM {self.name} WHERE {column} IN "  # noqa: S608 - our table
            f"({', '.join(['%s'] * len(refs))})",
            refs,
        )
        return self._cursor.fetchone()[0] or 1

    def resolve(self, maps: dict[str, list[tuple]], indicator_ids: set[int]) -> None:
        """Each reference → its ids and whether it is new: "s" → (ref, indicator id, series
        id, fresh), "g" → (ref, geography id, fresh), "p" → (ref, period id, fresh)."""
        self.indicator_ids = sorted(i for i in indicator_ids if i > 0) or [0]
        for kind, (_, ids) in MAPS.items():
            table = f"{PREFIX}map_{kind}"
            self._cursor.execute(f"DROP TABLE IF EXISTS {table}")
            columns = ", ".join(f"{c} integer NOT NULL" for c in ids)
            self._cursor.execute(
                f"CREATE TEMPORARY TABLE {table} (ref integer PRIMARY KEY, {columns}, "
                "fresh boolean NOT NULL)"
            )
            self._load(table, ("ref", *ids, "fresh"), maps.get(kind, []))
            self._cursor.execute(f"ANALYZE {table}")

    def drop(self) -> None:
        try:
            self.close()
            self._cursor = connection.cursor()
            self._cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
            self._cursor.execute(f"DROP TABLE IF EXISTS {self.name}_refs")
            self._cursor.close()
        except DatabaseError:
            pass  # a failed transaction rolls back, and takes a table it made with it

    def close(self) -> None:
        """Done with it in this pass (a kept stage stays for the next)."""
        try:
            for kind in MAPS:
                self._cursor.execute(f"DROP TABLE IF EXISTS {PREFIX}map_{kind}")
            if _postgres():
                self._cursor.execute("RESET jit")
            self._cursor.close()
        except DatabaseError:
            pass

    # Asking ----------------------------------------------------------------------------

    def _fetch(self, sql: str, params: list | tuple = (), *, many: bool = False):
        """The answer's rows, a chunk at a time; `many`: through a server-side cursor
        (PostgreSQL), so that a long answer is never held whole."""
        cursor = connection.chunked_cursor() if many else self._cursor
        try:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(CHUNK):
                yield from batch
        finally:
            if many:
                cursor.close()

    def _rows(self, where: str = "") -> str:
        """The staged rows through the maps, as `s`: line, indicator_id, series_id,
        geography_id, period_id, fresh, value, status, footnote, complete_through, and the
        references."""
        return f"""(SELECT r.line, ms.indicator_id, ms.series_id, mg.geography_id,
                mp.period_id, (ms.fresh OR mg.fresh OR mp.fresh) AS fresh, r.value, r.status,
                r.footnote, r.complete_through, r.sref, r.gref, r.pref
            FROM {self.name} r
            JOIN {PREFIX}map_s ms ON ms.ref = r.sref
            JOIN {PREFIX}map_g mg ON mg.ref = r.gref
            JOIN {PREFIX}map_p mp ON mp.ref = r.pref {where}) s"""  # noqa: S608 - our tables

    def duplicates(self, limit: int | None = None) -> Iterator[tuple[StagedRow, int]]:
        """Rows naming the series, place and period of an earlier row, with that row's line,
        in the order of the file."""
        sql = f"""
            SELECT s.line, s.sref, s.gref, s.pref, s.value, d.first_line
            FROM {self._rows()} JOIN (
                SELECT series_id, geography_id, period_id, MIN(line) AS first_line
                FROM {self._rows()}
                GROUP BY series_id, geography_id, period_id HAVING COUNT(*) > 1
            ) d ON s.series_id = d.series_id AND s.geography_id = d.geography_id
                AND s.period_id = d.period_id
            WHERE s.line <> d.first_line ORDER BY s.line"""  # noqa: S608 - our tables
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        for line, sref, gref, pref, value, first in self._fetch(sql, many=True):
            yield StagedRow(line, sref, gref, pref, _decimal(value)), first

    def duplicates_drop(self) -> None:
        """Keep only the first row of each series, place and period (the check pass goes on
        to tell what the other rows would do)."""
        self._cursor.execute(
            f"""DELETE FROM {self.name} WHERE line IN (
                SELECT s.line FROM {self._rows()} JOIN (
                    SELECT series_id, geography_id, period_id, MIN(line) AS first_line
                    FROM {self._rows()} GROUP BY series_id, geography_id, period_id
                    HAVING COUNT(*) > 1
                ) d ON s.series_id = d.series_id AND s.geography_id = d.geography_id
                    AND s.period_id = d.period_id
                WHERE s.line <> d.first_line)"""  # noqa: S608 - our tables
        )
        self.rows -= self._cursor.rowcount

    def _match(self) -> tuple[str, list]:
        """The observation a staged row `s` names (`o`), through the key that is unique."""
        tenant = "o.tenant_id IS NULL" if self.tenant_id is None else "o.tenant_id = %s"
        params = [] if self.tenant_id is None else [self.tenant_id]
        indicators = ", ".join(["%s"] * len(self.indicator_ids))
        return (
            f"""o.series_id = s.series_id AND o.geography_id = s.geography_id
            AND o.period_id = s.period_id AND {tenant} AND o.indicator_id IN ({indicators})""",
            [*params, *self.indicator_ids],
        )

    def _same(self) -> str:
        return (
            f"NOT ({_distinct('o.value', 's.value')}) AND o.status = s.status "
            f"AND o.footnote = s.footnote "
            f"AND NOT ({_distinct('o.complete_through', 's.complete_through')})"
        )

    def preview(self, limit: int) -> tuple[dict[str, int], list[tuple[str, StagedRow]]]:
        """How many rows would be created, updated and left unchanged, and the first `limit`
        rows (by line) of each, with what an updated row was. One pass over the rows."""
        match, params = self._match()
        action = ACTION.format(same=self._same())
        sql = f"""SELECT action, total, line, sref, gref, pref, value, was_value FROM (
                SELECT s.*, ROW_NUMBER() OVER (PARTITION BY action ORDER BY line) AS n,
                    COUNT(*) OVER (PARTITION BY action) AS total
                FROM (
                    SELECT {action} AS action, s.line, s.sref, s.gref, s.pref, s.value,
                        o.value AS was_value
                    FROM {self._rows()}
                    LEFT JOIN {Observation._meta.db_table} o ON NOT s.fresh AND {match}
                ) s
            ) x WHERE n <= %s ORDER BY line"""  # noqa: S608 - our tables
        counts: dict[str, int] = {}
        listed = []
        for action, total, line, sref, gref, pref, value, was in self._fetch(sql, [*params, limit]):
            counts[action] = total
            listed.append(
                (action, StagedRow(line, sref, gref, pref, _decimal(value), _decimal(was)))
            )
        return counts, listed

    # Writing (apply) -------------------------------------------------------------------

    def write(
        self, *, batch_id: int, now: datetime.datetime, progress: Callable[[int, int], None]
    ) -> tuple[int, int]:
        """Record what each changed value was, update it, add the new ones: (created,
        updated). The new ones go in a WRITE_CHUNK of lines at a time, each checked (keys,
        constraints) as it goes, and `progress(rows, of)` after each."""
        obs, revs = Observation._meta.db_table, ObservationRevision._meta.db_table
        at = connection.ops.adapt_datetimefield_value(now)
        match, params = self._match()
        changed = f"NOT s.fresh AND {match} AND NOT ({self._same()})"
        cursor = self._cursor
        if _postgres():
            # Each statement's rows are checked at its end, not all at the commit: the
            # progress bar shows that work too. Deferred again below, as Django expects.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            f"""INSERT INTO {revs} (tenant_id, observation_id, previous_value, previous_status,
                batch_id, at)
            SELECT o.tenant_id, o.id, o.value, o.status, %s, %s
            FROM {self._rows()} JOIN {obs} o ON {changed}""",  # noqa: S608 - our tables
            [batch_id, at, *params],
        )
        cursor.execute(
            f"""UPDATE {obs} AS o SET value = s.value, status = s.status,
                footnote = s.footnote, complete_through = s.complete_through,
                batch_id = %s, updated_at = %s, revision = o.revision + 1
            FROM {self._rows()} WHERE {changed}""",  # noqa: S608 - our tables
            [batch_id, at, *params],
        )
        updated = cursor.rowcount
        created = 0
        first, last = self.lines
        chunks = max(1, -(-self.rows // WRITE_CHUNK))
        step = -(-(last - first + 1) // chunks)
        if chunks > 1:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {self.name}_line ON {self.name} (line)")
        for n, start in enumerate(range(first, last + 1, step), start=1):
            cursor.execute(
                f"""INSERT INTO {obs} (tenant_id, indicator_id, series_id, geography_id,
                    period_id, value, status, complete_through, footnote, batch_id, revision,
                    updated_at)
                SELECT %s, s.indicator_id, s.series_id, s.geography_id, s.period_id, s.value,
                    s.status, s.complete_through, s.footnote, %s, 0, %s
                FROM {self._rows("WHERE r.line >= %s AND r.line < %s")}
                WHERE s.fresh OR NOT EXISTS (SELECT 1 FROM {obs} o WHERE {match})""",  # noqa: S608 - our tables
                [self.tenant_id, batch_id, at, start, start + step, *params],
            )
            created += cursor.rowcount
            progress(min(self.rows, self.rows * n // chunks), self.rows)
        if _postgres():
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            if created >= ANALYZE_AFTER:
                # The planner's figures for the values are out of date by as many rows: a
                # re-import checked next would be planned as if they were not there.
                cursor.execute(f"ANALYZE {obs}")
        return created, updated
