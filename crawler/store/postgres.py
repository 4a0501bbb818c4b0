"""The corpus in PostgreSQL (psycopg 3): `open_store("postgresql://…")` opens a `PostgresStore`.

One model, not two: every method, every query and every migration of `crawler.store.base.Store`
runs here through a thin translation — `?` placeholders become `%s`, and migrations' SQLite types become
PostgreSQL's (INTEGER → BIGINT, INTEGER PRIMARY KEY → an identity column, BLOB → BYTEA, REAL →
DOUBLE PRECISION, TEXT compared byte by byte like SQLite). What differs lives here:

- transactions: psycopg's, with the document's identity locked (an advisory lock) before it is
  read, so that several crawls writing at once never lose or duplicate a document or an alert;
- full-text search: SQLite's FTS5 table and triggers are left out; instead two generated
  `tsvector` columns over the same search text (CJK bigrams, `crawler.store.search_form`), with
  GIN indexes to find candidates, and each phrase checked exactly against the search text, so a
  query returns the same documents as on SQLite; rows are ranked before they are checked, and
  checked only until the page is full (`PgStore.search`);
- migrations run under a lock, so processes starting together migrate once.

A migration added to `crawler.store.schema.MIGRATIONS` runs here too when written as `db.execute(SQL)` in
SQL both databases take; anything PostgreSQL needs besides goes in `PG_AFTER` under its number.
"""

from __future__ import annotations

import contextlib
import re
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

from crawler.store.base import Store
from crawler.store.core import Connection, Cursor, StoreError, StoreWriteError
from crawler.store.documents import decoded, filters
from crawler.store.outbox import Route
from crawler.store.query import _CJK_RUN, Query, Term, parse, search_form
from crawler.store.search import asked

# Advisory lock namespaces (the first key of pg_advisory_lock(int, int)).
LOCK_DOCUMENT, LOCK_SCHEMA, LOCK_SCHEDULER = 1, 2, 3

#: A search for at most PROBE_LIMIT hits first tries the PROBE_ROWS newest documents (`search`).
PROBE_ROWS, PROBE_LIMIT = 1000, 100

#: A search text's lexemes: its tokens as they are (`search_form` writes them one space apart,
#: none longer than 255 characters), the same the queries ask for (`_lexemes`). A vector holds
#: at most 1 MB, which `array_to_tsvector` does not check: a text that could pass it (over 650
#: kB, the tokens of a book-length attachment) goes through the full-text parser instead,
#: which refuses what does not fit.
LEXEMES = (
    "(CASE WHEN octet_length(COALESCE({0}, '')) < 650000 THEN "
    "array_to_tsvector(array_remove(string_to_array(COALESCE({0}, ''), ' '), '')) "
    "ELSE strip(to_tsvector('simple'::regconfig, COALESCE({0}, ''))) END)"
)
#: The body's lexemes, as the GIN index `documents_search_b` holds them (no column holds them).
BODY_LEXEMES = LEXEMES.format("d.search_body")

#: What PostgreSQL adds after a shared migration: full-text columns in place of FTS5.
PG_AFTER: dict[int, list[str]] = {
    1: [
        "ALTER TABLE documents ADD COLUMN search_t tsvector GENERATED ALWAYS AS "
        "(strip(to_tsvector('simple'::regconfig, COALESCE(search_title, '')))) STORED",
        "ALTER TABLE documents ADD COLUMN search_b tsvector GENERATED ALWAYS AS "
        "(strip(to_tsvector('simple'::regconfig, COALESCE(search_body, '')))) STORED",
        "CREATE INDEX IF NOT EXISTS documents_search_t ON documents USING GIN (search_t)",
        "CREATE INDEX IF NOT EXISTS documents_search_b ON documents USING GIN (search_b)",
        # A phrase of several bigrams is checked against the search text of every candidate
        # (`_phrase_sql`): most of a count is decompressing that text, and lz4 does it several
        # times faster than PostgreSQL's default (where the server has lz4; old values keep
        # theirs, new ones get it).
        "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
        "AND 'lz4' = ANY(enumvals)) THEN ALTER TABLE documents ALTER COLUMN search_title SET "
        "COMPRESSION lz4, ALTER COLUMN search_body SET COMPRESSION lz4; END IF; END $$",
    ],
    # A GIN index takes new entries into a pending list, merged into the index by VACUUM or
    # once the list is full (4 MB by default); every search reads the whole list first. At
    # 256 kB a search or count over 20k documents written just before takes 2.7 ms instead
    # of 7.1 (p50), for 4% fewer documents written per second.
    11: [
        "ALTER INDEX documents_search_t SET (gin_pending_list_limit = 256)",
        "ALTER INDEX documents_search_b SET (gin_pending_list_limit = 256)",
    ],
    # The lexemes are the search text's tokens (`LEXEMES`), not what the full-text parser
    # makes of them (it cut `12e3abc` in two, where SQLite's index keeps one token); the body's
    # live in its index only, not in a column too, which doubled what each document writes.
    # 20% more documents written a second.
    12: [
        "ALTER TABLE documents DROP COLUMN search_b",
        "ALTER TABLE documents DROP COLUMN search_t",
        "ALTER TABLE documents ADD COLUMN search_t tsvector GENERATED ALWAYS AS "
        f"({LEXEMES.format('search_title')}) STORED",
        "CREATE INDEX documents_search_t ON documents USING GIN (search_t) "
        "WITH (gin_pending_list_limit = 256)",
        f"CREATE INDEX documents_search_b ON documents USING GIN ({LEXEMES.format('search_body')}) "
        "WITH (gin_pending_list_limit = 256)",
    ],
    # A phrase is checked in the search text of every candidate (`_phrase_sql`). A row over
    # 2 kB has its widest values moved out to the TOAST table, and the search text, the widest,
    # went first: each candidate cost two look-ups in another table before its text was read.
    # MAIN keeps it compressed in the row, and the reader's values (the body, the reply, the
    # attachments) go out instead. A count of 15,847 hits at 100k documents: 146 → 61 ms. Rows
    # written before keep their place until rewritten (`VACUUM FULL documents`).
    13: [
        "ALTER TABLE documents ALTER COLUMN search_title SET STORAGE MAIN, "
        "ALTER COLUMN search_body SET STORAGE MAIN",
    ],
}

_SKIPPED = re.compile(r"\s*CREATE\s+(VIRTUAL\s+TABLE|TRIGGER)\b", re.IGNORECASE)
# Types in capitals, as the migrations write them (a column may be called `text`).
_TYPES = [
    (re.compile(r"\bINTEGER\s+PRIMARY\s+KEY\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\bTEXT\b(?!\s+COLLATE)"), 'TEXT COLLATE "C"'),
]  # fmt: skip
_DDL = re.compile(r"\s*(CREATE\s+TABLE|ALTER\s+TABLE)\b", re.IGNORECASE)


def pg_sql(sql: str) -> str:
    """A statement of the store's (`?` placeholders) as psycopg takes it (`%s`)."""
    return sql.replace("%", "%%").replace("?", "%s")


def pg_ddl(sql: str) -> str | None:
    """A migration's SQLite statement as PostgreSQL's (None: SQLite's full-text machinery)."""
    if _SKIPPED.match(sql):
        return None
    if _DDL.match(sql):
        for pattern, replacement in _TYPES:
            sql = pattern.sub(replacement, sql)
    return sql


def redact(url: str) -> str:
    """A URL fit for messages and logs: any password replaced."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


class PgConnection:
    """psycopg's connection speaking the store's `?` SQL."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
        if isinstance(parameters, dict):
            raise TypeError("the PostgreSQL store takes positional (?) parameters only")
        if parameters:
            return self.raw.execute(pg_sql(sql), list(parameters))
        return self.raw.execute(sql)

    def close(self) -> None:
        self.raw.close()


class PgDatabase:
    """sqlite-utils' `Database.query`/`table_names`/`execute` over PostgreSQL."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def query(self, sql: str, params: Any = None) -> Iterator[dict[str, Any]]:
        with self.raw.cursor(row_factory=dict_row) as cursor:
            if params:
                cursor.execute(pg_sql(sql), list(params))
            else:
                cursor.execute(sql)
            yield from cursor.fetchall()

    def table_names(self) -> list[str]:
        rows = self.raw.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
        return [row[0] for row in rows]

    def execute(self, sql: str, parameters: Any = None) -> None:
        """A migration's statement, translated (SQLite's full-text statements left out)."""
        statement = pg_ddl(sql)
        if statement is None:
            return
        if parameters:
            self.raw.execute(pg_sql(statement), list(parameters))
        else:
            self.raw.execute(statement)


class PostgresStore(Store):
    """The corpus in a PostgreSQL database: `crawler.store.base.Store`'s model, SQL and guarantees."""

    def __init__(
        self, path: str | Path, *, create: bool = True, readonly: bool = False,
        immutable: bool = False,
    ) -> None:  # fmt: skip
        self.url = str(path)
        self.where = redact(self.url)
        self.readonly = readonly or immutable
        self._hit_columns: str | None = None
        try:
            self.pg = psycopg.connect(self.url, autocommit=True, connect_timeout=30)
        except psycopg.Error as error:
            message = " ".join(str(error).split())
            raise StoreError(
                f"{self.where}: cannot connect to PostgreSQL: {message}; check the URL, that the "
                "server runs and that the database exists (createdb)"
            ) from None
        self.conn = PgConnection(self.pg)
        self.db = PgDatabase(self.pg)
        if self.readonly:
            self.pg.execute("SET default_transaction_read_only = on")
            self._check_readable()
            return
        try:
            self.migrate()
        except psycopg.Error as error:
            self.pg.close()
            raise StoreError(f"{self.where}: cannot use the database: {error}") from None

    def migrate(self) -> None:
        """Processes starting together: one migrates, the others wait and find it done."""
        self.pg.execute("SELECT pg_advisory_lock(%s, 0)", (LOCK_SCHEMA,))
        try:
            super().migrate()
        finally:
            self.pg.execute("SELECT pg_advisory_unlock(%s, 0)", (LOCK_SCHEMA,))

    def _after_migration(self, conn: Connection, version: int) -> None:
        for statement in PG_AFTER.get(version, []):
            conn.execute(statement)

    def close(self) -> None:
        self.pg.close()

    def lock_documents(self, conn: Connection, keys: list[str]) -> None:
        """Advisory locks, taken in the order of their keys, in one statement."""
        conn.execute(
            "SELECT pg_advisory_xact_lock(?, k) FROM (SELECT DISTINCT hashtext(i) AS k "
            "FROM unnest(?::text[]) AS i ORDER BY k) AS keys",
            (LOCK_DOCUMENT, keys),
        )

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """All or nothing: psycopg's transaction, rolled back on any error."""
        with self._refusals(), self.pg.transaction():
            yield self.conn

    @contextmanager
    def batched(self) -> Iterator[Connection]:
        """A transaction in psycopg's pipeline mode: statements are sent without waiting for
        each answer, and the client waits only where it reads rows. A new document's `save`
        costs two round trips to the server (the start, its lock and its state read; then the
        writes and the commit) instead of eight. Any error rolls the whole transaction back:
        a failed statement makes the server skip the rest, COMMIT included, and the ROLLBACK
        below ends the transaction it left open."""
        with self._refusals():
            try:
                with self.pg.pipeline():
                    self.pg.execute("BEGIN")
                    yield self.conn
                    self.pg.execute("COMMIT")
            except BaseException:
                if self.pg.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    with contextlib.suppress(psycopg.Error):
                        self.pg.execute("ROLLBACK")
                raise

    @contextmanager
    def _refusals(self) -> Iterator[None]:
        """The server refusing a write (disk full, read-only, no rights, a value too large) as
        the store's StoreWriteError, which says what to do."""
        try:
            yield
        except (psycopg.errors.DiskFull, psycopg.errors.ReadOnlySqlTransaction,
                psycopg.errors.InsufficientPrivilege, psycopg.errors.ProgramLimitExceeded) as error:  # fmt: skip
            message = " ".join(str(error).split())
            raise StoreWriteError(
                f"cannot write to {self.where}: {message}; free disk space or fix permissions "
                "(nothing stored was changed)"
            ) from None

    def search(
        self, query: str, *, portal: str | None = None, kind: str | None = None,
        since: str | None = None, limit: int = 20, fields: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """The same documents as SQLite's FTS5 search finds (words, OR, NOT, phrases, fields):
        each CJK word as its run of bigrams (the lexemes find candidates, the search text checks
        adjacency), one CJK character as a prefix. Ranked: hits in the title first, then the
        newest (the search text keeps no positions to rank by, as bm25 does on SQLite).

        A common word is answered from the newest documents: the first `PROBE_ROWS` by date
        (the published_at index) are checked, title hits only (unranked queries: all), and when
        `limit` of them pass they are the page — every other title hit is older. Otherwise, the
        candidates: the GIN indexes give every document holding the words' bigrams, put in rank
        order reading only their titles' vectors and dates, and the exact conditions (adjacency
        in the search text, NOT, fields) are checked in that order until `limit` pass."""
        parsed = parse(query)
        built = self._pg_where(parsed, portal, kind, since, fields or {})
        if built is None:
            return []
        where, params = built
        candidates, candidate_params = _candidates(parsed, portal, kind, since)
        tokens = [t for g in parsed.groups for term in g for t in _tokens(term)]
        rank = "(d.search_t @@ ?::tsquery)::int" if tokens else "0"
        ranked = [" | ".join(tokens)] if tokens else []
        check = (f"CROSS JOIN LATERAL (SELECT {self._columns()} FROM documents d "
                 f"WHERE d.id = c.id AND {where} OFFSET 0) h")  # fmt: skip
        newest = (
            f"SELECT h.* FROM (SELECT d.id, d.published_at, {rank} AS rank FROM documents d "
            "WHERE d.published_at IS NOT NULL ORDER BY d.published_at DESC, d.id LIMIT ?) c "
            f"{check} {'WHERE c.rank = 1' if tokens else ''} "
            "ORDER BY c.published_at DESC, c.id LIMIT ?"
        )
        every = (
            f"SELECT h.* FROM (SELECT d.id, d.published_at, {rank} AS rank "
            f"FROM documents d WHERE {candidates} "
            "ORDER BY rank DESC, d.published_at DESC NULLS LAST, d.id OFFSET 0) c "
            f"{check} ORDER BY c.rank DESC, c.published_at DESC NULLS LAST, c.id LIMIT ?"
        )
        # The subqueries are fenced (OFFSET 0, LIMIT) so that the planner, which cannot tell how
        # many rows pass the checks, keeps this shape: rows in rank order first, then each checked
        # by its primary key in that order until enough have passed.
        with self.pg.transaction():
            # The planner prices a scan of every row's search vector as cheap; it is not (each one
            # is read from TOAST), and the GIN indexes answer in a fraction of the time.
            self.pg.execute("SET LOCAL enable_seqscan = off")
            rows: list[dict[str, Any]] = []
            if limit <= PROBE_LIMIT:
                rows = list(self.db.query(newest, [*ranked, PROBE_ROWS, *params, limit]))
            if len(rows) < limit:
                rows = list(self.db.query(every, [*ranked, *candidate_params, *params, limit]))
        hits = []
        for row in rows:
            record = decoded(row)
            record["snippet"] = self.hit_snippet(record, " ".join(parsed.words))
            hits.append(record)
        return hits

    def _columns(self) -> str:
        """The documents' columns a hit shows: all but the search text and its vectors."""
        if self._hit_columns is None:
            rows = self.pg.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                "current_schema() AND table_name = 'documents' ORDER BY ordinal_position"
            )
            hidden = {"search_title", "search_body", "search_t", "search_b"}
            names = [row[0] for row in rows if row[0] not in hidden]
            self._hit_columns = ", ".join(f'd."{name}"' for name in names)
        return self._hit_columns

    def search_count(
        self, query: str, *, portal: str | None = None, kind: str | None = None,
        since: str | None = None, fields: dict[str, str] | None = None,
    ) -> int:  # fmt: skip
        parsed = parse(query)
        built = self._pg_where(parsed, portal, kind, since, fields or {}, beyond_lexemes=True)
        if built is None:
            return 0
        where, params = built
        candidates, candidate_params = _candidates(parsed, portal, kind, since)
        with self.batched() as conn:  # read once it all came back: one round trip
            conn.execute("SET LOCAL enable_seqscan = off")
            # Workers share out the heap, not the bitmap, and each starts a process: at 100k
            # documents the planner's parallel plan counted 15,847 hits in 157 ms where one
            # process takes 85 (two workers on two cores; one worker gained nothing either).
            conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            counted = conn.execute(
                f"SELECT COUNT(*) FROM documents d WHERE {candidates} AND {where}",
                [*candidate_params, *params],
            )
        return int(counted.fetchone()[0])

    def _pg_where(
        self, parsed: Query, portal: str | None, kind: str | None, since: str | None,
        fields: dict[str, str], beyond_lexemes: bool = False,
    ) -> tuple[str, list[Any]] | None:  # fmt: skip
        """The exact conditions of a query. `beyond_lexemes`: only those the candidates
        (`_candidates`, answered by the GIN indexes) do not already decide — a group whose every
        term is one token (a bigram, a word, a character's prefix) is decided by its lexemes, and
        checking it again would read every candidate's search vectors for nothing."""
        wanted = asked(fields)
        if not parsed.groups and not wanted:
            return None
        groups = parsed.groups
        if beyond_lexemes:
            groups = [group for group in groups if not all(map(_by_lexemes, group))]
        clauses, params = _groups_sql(groups, _term_sql)
        if parsed.negatives:
            sql, values = _any_sql(parsed.negatives, _term_sql)
            clauses.append(f"NOT {sql}")
            params += values
        more, values = self.field_clauses(wanted)
        clauses += more
        params += values
        where, filter_params = filters(kind=kind, since=since, portal=portal, prefix="d.")
        if where and not beyond_lexemes:  # the candidates apply the filters already
            clauses.append(where.removeprefix("WHERE "))
            params += filter_params
        return " AND ".join(clauses) or "TRUE", params

    def key(self, expression: str) -> str:
        """crawler.store.query.field_key in SQL (width, case, brackets, spaces; not the script)."""
        return (f"regexp_replace(translate(lower(normalize(COALESCE({expression}, ''), NFKC)), "
                "'〔〕【】()（）［］〖〗', '[][][][][][]'), '\\s', '', 'g')")  # fmt: skip

    def reply_field(self, name: str) -> str:
        return f"(d.reply::jsonb ->> '{name}')"

    def rules_have(self, column: str) -> str:
        return (f"EXISTS (SELECT 1 FROM jsonb_array_elements_text({column}::jsonb) AS r(value) "
                "WHERE r.value = ?)")  # fmt: skip

    @contextmanager
    def claim_pending(
        self, sink: str, *, limit: int, after: int = 0, only: list[int] | None = None,
        route: Route | None = None,
    ) -> Iterator[list[dict[str, Any]]]:  # fmt: skip
        """Claims with row locks: the sink's next undelivered delivery rows, locked `FOR UPDATE
        SKIP LOCKED` in a transaction that lasts while they are sent and recorded. Deliverers on
        any machine share the outbox without waiting on each other, and one killed mid-send
        frees its rows with its connection: only what was in flight is sent again, under its
        Idempotency-Key."""
        among = f"AND d.alert_id IN ({', '.join('?' for _ in only)})" if only is not None else ""
        routed, params = self.route_sql(route)  # a sink that takes only some alerts
        with self.transaction() as conn:
            rows = conn.execute(
                "SELECT d.alert_id FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE "
                f"d.sink = ? AND d.status != 'delivered' AND d.alert_id > ? {among} {routed} "
                "ORDER BY d.alert_id LIMIT ? FOR UPDATE OF d SKIP LOCKED",
                (sink, after, *(only or []), *params, limit),
            ).fetchall()
            ids = [int(row[0]) for row in rows]
            yield self.pending_alerts(sink, len(ids), 0, ids) if ids else []

    def integrity(self) -> str:
        """PostgreSQL checks its pages itself; here: the server answers and the schema is known."""
        self.pg.execute("SELECT 1 FROM meta LIMIT 1")
        return "ok"


def _phrase_sql(phrase: str) -> tuple[str, list[Any]]:
    """A run of index tokens, checked in the search text: the tokens side by side, whole
    (`_candidates` asks the GIN indexes for documents with their lexemes; this checks only the
    text). One token in the title is checked by the title's lexemes."""
    text, needle = _in_text(phrase)
    if " " not in phrase:
        return (f"(d.search_t @@ ?::tsquery OR strpos({text('d.search_body')}, ?) > 0)",
                [_lexemes(phrase), needle])  # fmt: skip
    return (f"(strpos({text('d.search_title')}, ?) > 0 OR strpos({text('d.search_body')}, ?) > 0)",
            [needle, needle])  # fmt: skip


def _chinese(token: str, length: int) -> bool:
    """Whether a token is `length` Chinese characters: one, a word asked for as a prefix; two,
    a bigram, a whole token wherever it stands in a search text."""
    return len(token) == length and _CJK_RUN.fullmatch(token) is not None


def _in_text(phrase: str) -> tuple[Callable[[str], str], str]:
    """How to find `phrase`'s tokens whole in a search text: the text to look in, and what to
    look for in it (`strpos`, a search with skips: 10% faster than `LIKE '%…%'` on a count of
    15k hits). A token is whole between spaces; a bigram is whole wherever it stands (no
    token holds one inside it: Chinese runs are cut into bigrams, and Latin tokens hold no
    Chinese), so a phrase that starts and ends with one needs no spaces added around the text,
    which spares a copy of every candidate's text."""
    tokens = phrase.split(" ")
    left, right = not _chinese(tokens[0], 2), not _chinese(tokens[-1], 2)
    needle = f"{' ' if left else ''}{phrase}{' ' if right else ''}"
    before, after = ("' ' || " if left else ""), (" || ' '" if right else "")
    return (lambda column: f"{before}COALESCE({column}, ''){after}"), needle


def _by_lexemes(term: Term) -> bool:
    """Whether the term's lexemes alone decide it: each word (or the phrase) is one token."""
    if term.phrase:
        return " " not in search_form(" ".join(term.words))
    return all(" " not in search_form(word) for word in term.words)


def _term_sql(term: Term) -> tuple[str, list[Any]]:
    if term.phrase:
        return _phrase_sql(search_form(" ".join(term.words)))
    parts: list[str] = []
    params: list[Any] = []
    for word in term.words:
        if _chinese(word, 1):
            parts.append(
                "(d.search_t @@ ?::tsquery OR strpos(' ' || COALESCE(d.search_body, ''), ?) > 0)"
            )
            params += [_lexemes(word, prefix=True), f" {word}"]  # a token that starts with it
        else:
            sql, more = _phrase_sql(search_form(word))
            parts.append(sql)
            params += more
    return "(" + " AND ".join(parts) + ")", params


def _any_sql(
    terms: Sequence[Term], term_sql: Callable[[Term], tuple[str, list[Any]]]
) -> tuple[str, list[Any]]:
    """One of these terms: `(a OR b)`, with its parameters."""
    parts = [term_sql(term) for term in terms]
    return "(" + " OR ".join(sql for sql, _ in parts) + ")", [p for _, ps in parts for p in ps]


def _groups_sql(
    groups: Sequence[Sequence[Term]], term_sql: Callable[[Term], tuple[str, list[Any]]]
) -> tuple[list[str], list[Any]]:
    """A clause per group (one of its terms), and their parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    for group in groups:
        sql, values = _any_sql(group, term_sql)
        clauses.append(sql)
        params += values
    return clauses, params


def _candidates(
    parsed: Query, portal: str | None, kind: str | None, since: str | None
) -> tuple[str, list[Any]]:
    """SQL for the documents a query may find, answered by the GIN indexes alone: every document
    holding all bigrams of one of each group's terms (in title or body) and passing the filters.
    A superset of the hits (`_pg_where` keeps the checks that need the search text)."""
    clauses, params = _groups_sql(parsed.groups, _term_lexemes)
    where, filter_params = filters(kind=kind, since=since, portal=portal, prefix="d.")
    if where:
        clauses.append(where.removeprefix("WHERE "))
        params += filter_params
    return " AND ".join(clauses) or "TRUE", params


def _term_lexemes(term: Term) -> tuple[str, list[Any]]:
    """A term's lexemes, in the title or the body: what `_term_sql` requires before adjacency."""
    if term.phrase:
        lookups = [_lexemes(search_form(" ".join(term.words)))]
    else:
        lookups = [_lexemes(word, prefix=True) if _chinese(word, 1)
                   else _lexemes(search_form(word)) for word in term.words]  # fmt: skip
    parts: list[str] = []
    params: list[Any] = []
    for value in lookups:
        parts.append(f"(d.search_t @@ ?::tsquery OR {BODY_LEXEMES} @@ ?::tsquery)")
        params += [value, value]
    return "(" + " AND ".join(parts) + ")", params


def _lexemes(tokens: str, *, prefix: bool = False) -> str:
    """A tsquery asking for all these index tokens (space-separated) as they are, each a
    lexeme (the full-text parser would cut some in two); `prefix`: a lexeme starting so."""
    return " & ".join(_quoted(token) + (":*" if prefix else "") for token in tokens.split())


def _quoted(token: str) -> str:
    escaped = token.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'"


def _tokens(term: Term) -> list[str]:
    """The tsquery lexemes of a term, for ranking title hits first."""
    found: list[str] = []
    for word in term.words:
        if _chinese(word, 1):
            found.append(_lexemes(word, prefix=True))
        else:
            found.extend(_quoted(token) for token in search_form(word).split())
    return found


class AdvisoryLock:
    """A database-wide lock held on a connection of its own: until `release()`, or until the
    holder dies (the server drops its connection and the lock with it), so any machine can take
    over. `key` is one of the LOCK_* namespaces, `sub` what is locked within it."""

    def __init__(self, url: str, key: int, sub: int = 0) -> None:
        self.url, self.key, self.sub = url, key, sub
        self.conn: psycopg.Connection[Any] | None = None

    def try_acquire(self) -> bool:
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=30)
        except psycopg.Error as error:
            raise StoreError(f"{redact(self.url)}: cannot connect to PostgreSQL: {error}") from None
        row = conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (self.key, self.sub)).fetchone()
        if not (row and row[0]):
            conn.close()
            return False
        self.conn = conn
        return True

    def release(self) -> None:
        if self.conn is not None:
            # Unlocked before the connection closes: the server drops a closed connection's locks
            # a moment later, and whoever asks in that moment would find the lock still held.
            with contextlib.suppress(psycopg.Error):
                self.conn.execute("SELECT pg_advisory_unlock(%s, %s)", (self.key, self.sub))
            self.conn.close()
            self.conn = None
