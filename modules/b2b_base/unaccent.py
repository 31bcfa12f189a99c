# This file is part of the B2B wholesale suite.
"""Searching without diacritics (maka finds Mąka).

Tryton's ilike on a Char field compares unaccent(column) with
unaccent(value) when the database has an unaccent function: PostgreSQL's
extension of that name, which create_extension adds to the database when
the modules are activated or updated. Tryton's SQLite backend has none;
enable_sqlite gives its connections one in Python, so that the demo (on
SQLite) searches the same way."""
import logging
import unicodedata

from sql.functions import Function

from trytond import backend
from trytond.transaction import Transaction

logger = logging.getLogger(__name__)

# letters that Unicode does not decompose into a base letter and a mark
# (PostgreSQL's unaccent rules map them too)
UNDECOMPOSED = str.maketrans({
        'ł': 'l', 'Ł': 'L', 'ø': 'o', 'Ø': 'O', 'đ': 'd', 'Đ': 'D',
        'ß': 'ss', 'æ': 'ae', 'Æ': 'AE', 'œ': 'oe', 'Œ': 'OE'})


def unaccent(text):
    "Return text without its diacritics: Mąka → Maka, Łódź → Lodz"
    if not isinstance(text, str):
        return text
    decomposed = unicodedata.normalize('NFKD', text.translate(UNDECOMPOSED))
    return ''.join(c for c in decomposed if not unicodedata.combining(c))


def create_extension():
    """Add PostgreSQL's unaccent extension to the database if missing and
    allowed (a trusted extension: the database's owner may add it); leave
    the search with diacritics otherwise"""
    if backend.name != 'postgresql':
        return
    transaction = Transaction()
    database = transaction.database
    cursor = transaction.connection.cursor()
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
    if cursor.fetchone():
        return
    # Tryton's PostgreSQL backend is psycopg's: its errors (no privilege,
    # the extension not installed on the server) leave the search as it was
    from psycopg import Error as PostgreSQLError
    cursor.execute('SAVEPOINT b2b_unaccent')
    try:
        cursor.execute('CREATE EXTENSION IF NOT EXISTS unaccent')
    except PostgreSQLError as exception:
        cursor.execute('ROLLBACK TO SAVEPOINT b2b_unaccent')
        logger.warning("The search keeps diacritics: PostgreSQL's unaccent "
            "extension could not be added (%s)", exception)
        return
    cursor.execute('RELEASE SAVEPOINT b2b_unaccent')
    # trytond remembers per database whether the function exists
    getattr(database, '_has_proc', {}).get(database.name, {}).pop(
        'unaccent', None)


class Unaccent(Function):
    __slots__ = ()
    _function = 'unaccent'


def enable_sqlite():
    """Give Tryton's SQLite backend an unaccent function (Python's, on each
    connection): its Database answers has_unaccent() with False and
    unaccent(value) with the value itself"""
    try:
        from trytond.backend.sqlite.database import Database
    except ImportError:
        return
    if getattr(Database, '_b2b_unaccent', False):
        return

    def connection(database):
        "Register the function on the database's connection once"
        conn = database._conn
        if conn is not None and getattr(database, '_b2b_unaccent_conn',
                None) is not conn:
            conn.create_function('unaccent', 1, unaccent, deterministic=True)
            database._b2b_unaccent_conn = conn
        return conn is not None

    connect = Database.connect

    def connect_with_unaccent(self):
        result = connect(self)
        connection(self)
        return result

    def has_unaccent(self):
        return connection(self)

    def unaccent_sql(self, value):
        return Unaccent(value) if self.has_unaccent() else value

    Database.connect = connect_with_unaccent
    Database.has_unaccent = has_unaccent
    Database.unaccent = unaccent_sql
    Database._b2b_unaccent = True
