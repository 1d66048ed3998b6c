"""Indexed full-text search of work orders (docs/search.md).

Chinese has no spaces, so an order's searchable text (title, content, address) is indexed
as its set of character bigrams: "路灯不亮" → 路灯, 灯不, 不亮.  A query term of two or more
characters matches when every one of its bigrams is present (and, for terms of three or
more, the term itself occurs — the bigrams alone could come from different places).

* PostgreSQL: a ``tsvector`` column ``search_grams`` computed by the immutable SQL function
  ``hl_bigrams`` (no text-search parser involved: the bigrams go straight into
  ``array_to_tsvector``), with a GIN index.  A trigger keeps it current (it fires in
  replication-replica sessions too): an insert that brings no value gets one computed, an
  update that changes the text gets it recomputed, any other update keeps the old one.
  A bulk copy of existing orders (``hotline history``) brings each story's value along
  instead of computing it again for every copy — what a stored generated column, the
  first design, could not do.  A query is a ``tsquery`` of the
  same bigrams AND-ed.  pg_trgm was measured too and lost on two-character queries
  (docs/search.md).
* SQLite: an FTS5 table ``orders_workorder_fts`` (rowid = order id) holding the same
  bigrams as space-separated tokens, kept current by triggers that call the Python
  function ``hl_bigrams`` registered on every connection.

``ensure`` creates whatever is missing and runs after every ``migrate`` (SQLite drops a
table's triggers when a migration remakes it; they are recreated and the index rebuilt).

The search box also recognises an order number (14 digits) and a phone number and looks
them up by their unique/plain B-tree indexes alone.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db import connection as default_connection
from django.db import transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

TABLE = "orders_workorder"
FTS_TABLE = "orders_workorder_fts"
COLUMN = "search_grams"
GIN_INDEX = "orders_workorder_search_grams"
# Each new order goes straight into the index.  With GIN's default pending list, orders
# were cheap to add until the list reached 4 MB and then one intake merged it into the
# index — a quarter of a second inside the transaction that holds the day's order-number
# row, so every intake in the city waited behind it (benchmarks/intake.py: p99 26 → 250 ms
# at 30 appeals/s).
GIN_OPTIONS = "WITH (fastupdate = off)"

# Characters that split the text: a bigram containing one is not indexed.  The same list
# goes to SQL's translate(), so Python and the database cut the text identically.
SEPARATORS = (
    "\t\n\r\x0b\x0c"
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    "，。、；：？！“”‘’（）《》〈〉【】「」『』…—～·￥　"
)
_SPLIT = str.maketrans({c: " " for c in SEPARATORS})

ORDER_NUMBER = re.compile(r"^\d{14}$")
PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8})$")


def normalise(text: str | None) -> str:
    """NFKC, lower case, separators to spaces — what both sides index."""
    return unicodedata.normalize("NFKC", text or "").lower().translate(_SPLIT)


def bigrams(text: str | None) -> list[str]:
    """The distinct character bigrams of ``text`` in first-seen order, none spanning a
    separator or a space."""
    s = normalise(text)
    seen: dict[str, None] = {}
    for i in range(len(s) - 1):
        g = s[i : i + 2]
        if " " not in g:
            seen.setdefault(g, None)
    return list(seen)


def grams_text(text: str | None) -> str:
    """The SQLite index form: bigrams separated by spaces."""
    return " ".join(bigrams(text))


def classify(query: str) -> tuple[str, str]:
    """What the search box holds: ``("number", n)``, ``("phone", p)``, ``("text", t)`` or
    ``("", "")`` for nothing."""
    q = unicodedata.normalize("NFKC", query or "").strip()
    if not q:
        return "", ""
    if ORDER_NUMBER.match(q):
        return "number", q
    if PHONE.match(q):
        return "phone", q
    return "text", q


def terms(query: str) -> list[str]:
    """The query's terms: split on spaces and separators, empty ones dropped."""
    return [t for t in normalise(query).split(" ") if t]


# ---------------------------------------------------------------------------
# the match


def _tsquery(grams: list[str]) -> str:
    quoted = ["'" + g.replace("\\", "\\\\").replace("'", "''") + "'" for g in grams]
    return " & ".join(quoted)


def _fts5_query(grams: list[str]) -> str:
    return " ".join('"' + g.replace('"', '""') + '"' for g in grams)


def term_match(term: str, vendor: str | None = None, *, indexed: bool = True) -> Q:
    """Orders whose title, content or address contain ``term`` (one normalised term),
    answered from the bigram index when the term has two or more characters.  With
    ``indexed=False`` the texts themselves are checked: for a few thousand rows already
    chosen (``queries.walk_newest``), where the index would read every match in the history."""
    vendor = vendor or default_connection.vendor
    contains = Q(title__icontains=term) | Q(content__icontains=term) | Q(address__icontains=term)
    grams = bigrams(term)
    # one character has no bigram to look up (docs/search.md); unindexed: the texts only
    if not grams or not indexed:
        return contains
    if vendor == "postgresql":
        hit = RawSQL(
            f'"{TABLE}"."{COLUMN}" @@ %s::tsquery', [_tsquery(grams)], output_field=BooleanField()
        )
    elif vendor == "sqlite":
        hit = RawSQL(
            f'"{TABLE}"."id" IN (SELECT rowid FROM "{FTS_TABLE}" WHERE "{FTS_TABLE}" MATCH %s)',
            [_fts5_query(grams)],
            output_field=BooleanField(),
        )
    else:  # pragma: no cover - only the two supported databases
        return contains
    if len(grams) == 1:  # a two-character term: the bigram is the term
        return Q(hit)
    return Q(hit) & contains


def text_match(query: str, vendor: str | None = None) -> Q:
    """Every term of ``query`` must match."""
    q = Q()
    for term in terms(query):
        q &= term_match(term, vendor)
    return q


def relevance(qs: QuerySet, query: str) -> QuerySet:
    """Annotate ``relevance``: a term in the title weighs 3, in the address 2, in the
    content 1, summed over the terms."""
    from django.db.models import Case, IntegerField, Value, When

    score: Any = Value(0)
    for term in terms(query):
        for field, weight in (("title", 3), ("address", 2), ("content", 1)):
            score = score + Case(
                When(**{f"{field}__icontains": term}, then=Value(weight)),
                default=Value(0),
                output_field=IntegerField(),
            )
    return qs.annotate(relevance=score)


# ---------------------------------------------------------------------------
# the index


# PL/pgSQL over the array of characters: linear in the text, about 50 µs an order (an SQL
# function with generate_series/substr took 13 times longer and slowed bulk loads).
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION hl_bigrams(t text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  a text[] := string_to_array(translate(lower(normalize(t, NFKC)), %(from)s, %(to)s), NULL);
  g text[] := '{}';
  i int;
BEGIN
  FOR i IN 1 .. coalesce(array_length(a, 1), 0) - 1 LOOP
    IF a[i] <> ' ' AND a[i + 1] <> ' ' THEN
      g := g || (a[i] || a[i + 1]);
    END IF;
  END LOOP;
  RETURN array_to_tsvector(g);
END
$$
"""

_SOURCE = (
    "coalesce({p}title, '') || ' ' || coalesce({p}content, '') || ' ' || coalesce({p}address, '')"
)


def _sql_literal(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def ensure(connection=None, *, rebuild: bool = False) -> None:
    """Create the search index of the connection's database where it is missing."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if TABLE not in tables:
            return
        if connection.vendor == "postgresql":
            with transaction.atomic(using=connection.alias):
                _ensure_pg(cursor)
        elif connection.vendor == "sqlite":
            _ensure_sqlite(connection, cursor, tables, rebuild)


_PG_TRIGGER_FUNCTION = f"""
CREATE OR REPLACE FUNCTION hl_search_grams() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.{COLUMN} IS NULL THEN
      NEW.{COLUMN} := hl_bigrams({_SOURCE.format(p="NEW.")});
    END IF;
  ELSIF (NEW.title, NEW.content, NEW.address)
        IS DISTINCT FROM (OLD.title, OLD.content, OLD.address) THEN
    NEW.{COLUMN} := hl_bigrams({_SOURCE.format(p="NEW.")});
  ELSE
    NEW.{COLUMN} := OLD.{COLUMN};
  END IF;
  RETURN NEW;
END
$$
"""
PG_TRIGGER = "hl_search_grams"


def _ensure_pg(cursor) -> None:
    cursor.execute(
        _PG_FUNCTION.replace("%(from)s", _sql_literal(SEPARATORS)).replace(
            "%(to)s", _sql_literal(" " * len(SEPARATORS))
        )
    )
    cursor.execute(_PG_TRIGGER_FUNCTION)
    cursor.execute(
        "SELECT attgenerated FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attname = %s AND NOT attisdropped",
        [TABLE, COLUMN],
    )
    row = cursor.fetchone()
    if row is None:
        cursor.execute(f'ALTER TABLE "{TABLE}" ADD COLUMN "{COLUMN}" tsvector')
    elif row[0]:
        # a database made with the stored generated column: a plain column from now on
        # (a catalogue change, the values stay), kept by the trigger below
        cursor.execute(f'ALTER TABLE "{TABLE}" ALTER COLUMN "{COLUMN}" DROP EXPRESSION')
    cursor.execute(
        "SELECT tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s",
        [TABLE, PG_TRIGGER],
    )
    row = cursor.fetchone()
    if row is None:
        # rows without a value (a new column, or rows written while the trigger was gone)
        # get one before the trigger, which would keep the old value on update, exists
        cursor.execute(
            f'UPDATE "{TABLE}" SET "{COLUMN}" = hl_bigrams({_SOURCE.format(p="")}) '
            f'WHERE "{COLUMN}" IS NULL'
        )
        cursor.execute(
            f'CREATE TRIGGER "{PG_TRIGGER}" BEFORE INSERT OR UPDATE ON "{TABLE}" '
            "FOR EACH ROW EXECUTE FUNCTION hl_search_grams()"
        )
    if row is None or row[0] != "A":
        # ALWAYS: bulk loads run with session_replication_role = replica, which skips
        # ordinary triggers
        cursor.execute(f'ALTER TABLE "{TABLE}" ENABLE ALWAYS TRIGGER "{PG_TRIGGER}"')
    cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [GIN_INDEX])
    if cursor.fetchone() is None:
        cursor.execute(
            f'CREATE INDEX "{GIN_INDEX}" ON "{TABLE}" USING gin ("{COLUMN}") {GIN_OPTIONS}'
        )
    elif "fastupdate=off" not in (gin_options(cursor) or []):
        # an index made before GIN_OPTIONS: switch it over and empty its pending list
        cursor.execute(f'ALTER INDEX "{GIN_INDEX}" SET (fastupdate = off)')
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [GIN_INDEX])


def common_gram_rows(gram: str, connection=None) -> float | None:
    """How many orders hold the bigram ``gram`` by PostgreSQL's statistics of the column
    (``ANALYZE``: the share of sampled orders holding it × the table's rows) — only when
    the statistics list it among the column's most common elements; otherwise (a rarer
    bigram, no statistics yet, SQLite) None."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT f.freq * c.reltuples FROM pg_stats s "
            "JOIN pg_class c ON c.relname = s.tablename "
            "AND c.relnamespace = s.schemaname::regnamespace "
            "CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], "
            "s.most_common_elem_freqs) AS f(elem, freq) "
            "WHERE s.schemaname = current_schema() AND s.tablename = %s AND s.attname = %s "
            "AND f.elem = %s",
            [TABLE, COLUMN, gram],
        )
        row = cursor.fetchone()
    return float(row[0]) if row and row[0] is not None and row[0] > 0 else None


def gin_options(cursor) -> list[str] | None:
    """The storage options of the search index (PostgreSQL), e.g. ``["fastupdate=off"]``."""
    cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [GIN_INDEX])
    row = cursor.fetchone()
    return list(row[0] or []) if row else None


def register_sqlite_function(connection) -> None:
    """``hl_bigrams`` for the triggers: every SQLite connection needs it."""
    connection.connection.create_function("hl_bigrams", 1, grams_text, deterministic=True)


def _ensure_sqlite(connection, cursor, tables: list[str], rebuild: bool) -> None:
    register_sqlite_function(connection)
    source_new = _SOURCE.format(p="new.")
    if FTS_TABLE not in tables:
        cursor.execute(
            f'CREATE VIRTUAL TABLE "{FTS_TABLE}" USING fts5(grams, '
            "tokenize = 'unicode61 remove_diacritics 0')"
        )
        rebuild = True
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
    )
    triggers = {r[0] for r in cursor.fetchall()}
    wanted = {
        f"{FTS_TABLE}_ai": (
            f'AFTER INSERT ON "{TABLE}" BEGIN INSERT INTO "{FTS_TABLE}"(rowid, grams) '
            f"VALUES (new.id, hl_bigrams({source_new})); END"
        ),
        f"{FTS_TABLE}_au": (
            f'AFTER UPDATE OF title, content, address ON "{TABLE}" BEGIN '
            f'UPDATE "{FTS_TABLE}" SET grams = hl_bigrams({source_new}) WHERE rowid = new.id; END'
        ),
        f"{FTS_TABLE}_ad": (
            f'AFTER DELETE ON "{TABLE}" BEGIN DELETE FROM "{FTS_TABLE}" WHERE rowid = old.id; END'
        ),
    }
    for name, body in wanted.items():
        if name not in triggers:
            cursor.execute(f'CREATE TRIGGER "{name}" {body}')
            rebuild = True
    if rebuild:
        cursor.execute(f'DELETE FROM "{FTS_TABLE}"')
        cursor.execute(
            f'INSERT INTO "{FTS_TABLE}"(rowid, grams) '
            f'SELECT id, hl_bigrams({_SOURCE.format(p="")}) FROM "{TABLE}"'
        )


def on_connection(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        register_sqlite_function(connection)


def on_post_migrate(sender, using: str = "default", **kwargs) -> None:
    from django.db import connections

    ensure(connections[using])
