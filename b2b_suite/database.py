# This file is part of the B2B wholesale suite.
"""The database that `b2b` works on, on the configured backend (SQLite or
PostgreSQL): creating it, the modules activated in it, what `b2b` did to
it (a state file beside it), and setting it up: trytond-admin activates or
updates our modules, its log shown as one line per module loaded."""
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from b2b_suite import config
from b2b_suite.fingerprint import fingerprint
from b2b_suite.serving import tryton_command
from b2b_suite.supervisor import forwarding_signals, wait

# Our Tryton modules, activated (with their dependencies) by `b2b setup`
MODULES = [
    'b2b_base', 'b2b_credit', 'b2b_bank_import', 'b2b_salesrep']
# Translations loaded besides English
LANGUAGES = ['pl']
ADMIN_EMAIL = 'admin@example.com'
# trytond's log format: pid thread [time] LEVEL logger message
LOG_LINE = re.compile(
    r'^\d+ \d+ \[[^\]]*\] (?P<level>[A-Z]+) (?P<logger>\S+) (?P<message>.*)$')


class DatabaseError(Exception):
    "The database cannot be named, reached or set up as asked"


def admin_password():
    "The password of Tryton's admin: $B2B_ADMIN_PASSWORD, else admin"
    password = os.environ.get('B2B_ADMIN_PASSWORD') or 'admin'
    if '\n' in password:
        raise DatabaseError("B2B_ADMIN_PASSWORD must be a single line")
    return password


class Database:
    "A database of the configured backend and its state file"

    def __init__(self, parser, name):
        if not re.fullmatch(r'[A-Za-z0-9_][A-Za-z0-9_.-]*', name):
            raise DatabaseError(f"Invalid database name: {name!r}")
        self.name = name
        self.uri = parser.get('database', 'uri')
        self.backend = config.backend(parser)
        if self.backend not in {'sqlite', 'postgresql'}:
            raise DatabaseError(f"Unsupported database URI: {self.uri}")
        self.directory = Path(parser.get('database', 'path'))

    def __str__(self):
        if self.backend == 'sqlite':
            return f"{self.name} (SQLite, {self.sqlite_file})"
        return f"{self.name} (PostgreSQL, {config.safe_uri(self.uri)})"

    @property
    def sqlite_file(self):
        return self.directory / f'{self.name}.sqlite'

    @property
    def state_file(self):
        "JSON file beside the database: what `b2b` did to it"
        return self.directory / f'{self.name}.b2b-state.json'

    def _pg_connect(self, dbname, **kwargs):
        import psycopg
        try:
            return psycopg.connect(self.uri, dbname=dbname, **kwargs)
        except psycopg.OperationalError as exception:
            raise DatabaseError(
                f"Cannot connect to {config.safe_uri(self.uri)} "
                f"(database {dbname}): {exception}") from exception

    def exists(self):
        if self.backend == 'sqlite':
            return self.sqlite_file.is_file()
        with self._pg_connect('template1') as connection:
            return bool(connection.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s",
                    (self.name,)).fetchone())

    def create(self):
        if self.backend == 'sqlite':
            self.directory.mkdir(parents=True, exist_ok=True)
            self.sqlite_file.touch()
        else:
            from psycopg import sql
            with self._pg_connect('template1', autocommit=True) as connection:
                connection.execute(sql.SQL(
                        "CREATE DATABASE {} TEMPLATE template0 "
                        "ENCODING 'unicode'").format(
                        sql.Identifier(self.name)))
        self.state_file.unlink(missing_ok=True)

    def activated_modules(self):
        "Return the names of the activated modules, None if not initialised"
        query = "SELECT name FROM ir_module WHERE state = 'activated'"
        if self.backend == 'sqlite':
            connection = sqlite3.connect(
                f'{self.sqlite_file.as_uri()}?mode=ro', uri=True)
            try:
                if not connection.execute(
                        "SELECT 1 FROM sqlite_master "
                        "WHERE type = 'table' AND name = 'ir_module'"
                        ).fetchone():
                    return None
                return {name for name, in connection.execute(query)}
            finally:
                connection.close()
        with self._pg_connect(self.name) as connection:
            if connection.execute(
                    "SELECT to_regclass('ir_module')").fetchone()[0] is None:
                return None
            return {name for name, in connection.execute(query)}

    def close_config_wizard(self):
        """Mark the items of Tryton's module configuration wizard done:
        `b2b setup` has configured what they ask (company, accounts), and
        the administrator's first log in opens the back office, not the
        wizard; return the number of items closed"""
        table = 'ir_module_config_wizard_item'
        query = f"UPDATE {table} SET state = 'done' WHERE state = 'open'"
        if self.backend == 'sqlite':
            connection = sqlite3.connect(self.sqlite_file)
            try:
                with connection:
                    if not connection.execute(
                            "SELECT 1 FROM sqlite_master "
                            "WHERE type = 'table' AND name = ?",
                            (table,)).fetchone():
                        return 0
                    return connection.execute(query).rowcount
            finally:
                connection.close()
        with self._pg_connect(self.name) as connection:
            if connection.execute(
                    "SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:
                return 0
            return connection.execute(query).rowcount

    def is_set_up(self):
        "Tell if the database exists with all of MODULES activated"
        if not self.exists():
            return False
        activated = self.activated_modules()
        return activated is not None and set(MODULES) <= activated

    def state(self):
        "Return what `b2b` recorded about this database"
        try:
            state = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}
        if state.get('uri') != config.safe_uri(self.uri):
            # same name on another server
            return {}
        return state

    def update_state(self, **values):
        state = self.state()
        state.update(values, uri=config.safe_uri(self.uri))
        self.directory.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps(state, indent=2) + '\n')

    def set_up(self, config_path, force=False, say=print):
        """Create the database if missing, activate MODULES or update all
        activated modules; nothing when nothing changed since the last
        set-up (unless force)"""
        started = time.monotonic()
        if not self.exists():
            say(f"Creating database {self}")
            self.create()
        activated = self.activated_modules()
        missing = [m for m in MODULES if m not in (activated or ())]
        digest = fingerprint(self.uri, MODULES, LANGUAGES)
        if (not missing and not force
                and self.state().get('setup') == digest):
            say(f"Database {self.name} is up to date "
                f"({len(activated)} modules activated, nothing changed "
                "since the last setup; --force updates anyway)")
            return
        if missing:
            say(f"Activating {', '.join(missing)} and dependencies in "
                f"{self} (about a minute the first time)")
        else:
            say(f"Updating the modules of {self}")
        run_admin(config_path, self, initialise=activated is None, say=say)
        activated = self.activated_modules() or set()
        if missing := [m for m in MODULES if m not in activated]:
            raise DatabaseError(
                f"Modules not activated: {', '.join(missing)}")
        self.close_config_wizard()
        self.update_state(setup=digest)
        say(f"Database {self.name} ready: {len(activated)} modules "
            f"activated in {time.monotonic() - started:.1f} s")


def run_admin(config_path, database, initialise, say=print):
    """Run trytond-admin to activate MODULES (and dependencies) and update
    every activated module, showing one line per module loaded and its
    warnings and errors"""
    command = tryton_command('trytond-admin', 'trytond.cli.admin') + [
        '-c', str(config_path), '-d', database.name,
        '-u', *MODULES, '--activate-dependencies', '--all',
        '-l', *LANGUAGES, '-vv']
    if initialise:
        command += ['--email', ADMIN_EMAIL]
    with tempfile.TemporaryDirectory(prefix='b2b-admin-') as directory:
        passfile = Path(directory) / 'password'
        passfile.write_text(admin_password() + '\n')
        passfile.chmod(0o600)
        env = dict(os.environ, TRYTONPASSFILE=str(passfile))
        started = time.monotonic()
        process = subprocess.Popen(command, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, bufsize=1)
        with forwarding_signals(process), process.stdout:
            for line in process.stdout:
                match = LOG_LINE.match(line)
                if match and match['level'] in {'INFO', 'DEBUG'}:
                    loaded = re.fullmatch(r'(\S+) load', match['message'])
                    if match['logger'] == 'trytond.modules' and loaded:
                        elapsed = time.monotonic() - started
                        say(f"  {elapsed:6.1f} s  {loaded[1]}")
                    continue
                sys.stdout.write(line)
            returncode = wait(process)
        if returncode:
            raise DatabaseError(
                f"trytond-admin failed (exit code {returncode})")
