# This file is part of the B2B wholesale suite.
"""The template databases the test suite caches on a PostgreSQL server,
recorded so that only they are ever dropped.

trytond's DB_CACHE=postgresql:// keeps an activated database as a
template named `test-<hash of the module names>`: the name says nothing
of the sources it was built from, and other projects (or people) on the
same server may have databases named alike. So each template this suite
creates is recorded on the server itself, in the database's comment
(`b2b-wholesale test template <sources hash>`), as soon as the suite
sees it; a template is dropped only when its comment says it is ours and
built from other sources. Anything else is left alone, whatever its
name."""
import re

__all__ = ['MARK', 'comment', 'ours', 'existing', 'record_new',
    'drop_stale']

MARK = 'b2b-wholesale test template '
# what the suite wrote before it recorded its templates with MARK: the
# bare sources hash (16 hexadecimal digits) on a test-% database
_LEGACY = re.compile(r'[0-9a-f]{16}')


def comment(sources_hash):
    "Return the comment recording a template built from these sources"
    return MARK + sources_hash


def ours(text):
    "Tell if a database comment records a template of this suite"
    return bool(text) and (text.startswith(MARK) or bool(
            _LEGACY.fullmatch(text)))


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def existing(connection):
    "Return {name: comment} of the test-% databases of the server"
    return dict(connection.execute(
            "SELECT d.datname, shobj_description(d.oid, 'pg_database') "
            "FROM pg_database d WHERE d.datname LIKE 'test-%'").fetchall())


def record_new(connection, before, sources_hash):
    """Record as ours, built from these sources, the test-% databases
    without a comment that did not exist before (a dict or set of names
    taken when the suite started); return their names"""
    names = [name for name, text in existing(connection).items()
        if text is None and name not in before]
    for name in names:
        connection.execute(f"COMMENT ON DATABASE {_quote(name)} IS "
            f"'{comment(sources_hash)}'")
    return names


def drop_stale(connection, sources_hash, log=print):
    """Drop the templates of this suite built from other sources; return
    {name: comment} of the test-% databases left (ours and others')"""
    import psycopg
    left = {}
    for name, text in existing(connection).items():
        if ours(text) and text != comment(sources_hash):
            try:
                connection.execute(f'DROP DATABASE {_quote(name)}')
                continue
            except psycopg.errors.ObjectInUse:
                # another run uses it: that run checks it itself
                log(f"template {name} of other sources is in use: kept")
        left[name] = text
    return left
