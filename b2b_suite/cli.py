# This file is part of the B2B wholesale suite.
"""The `b2b` command: set up a database, load demo data, run the server.

The configuration is $TRYTOND_CONFIG or the repository's trytond.conf, with
TRYTOND_<SECTION>__<OPTION> environment variables on top (see config.py)."""
import argparse
import contextlib
import datetime
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from b2b_suite import config
from b2b_suite.serving import (
    portal_command,
    portal_environment,
    tryton_command,
)
from b2b_suite.transactions import CompanyError

# Our Tryton modules, activated (with their dependencies) by `b2b setup`
MODULES = ['b2b_base', 'b2b_credit', 'b2b_bank_import']
# Translations loaded besides English
LANGUAGES = ['pl']
DEFAULT_DATABASE = 'b2b_demo'
ADMIN_EMAIL = 'admin@example.com'
SIZES = ['small', 'large']
DEMO_DATA = 'b2b_suite.demo'
BENCHMARKS = ['pricing', 'portal', 'matching', 'credit']
BENCH_DATABASE = 'b2b_bench'
# trytond's log format: pid thread [time] LEVEL logger message
LOG_LINE = re.compile(
    r'^\d+ \d+ \[[^\]]*\] (?P<level>[A-Z]+) (?P<logger>\S+) (?P<message>.*)$')


class CommandError(Exception):
    pass


def say(message):
    print(message, flush=True)


def admin_password():
    password = os.environ.get('B2B_ADMIN_PASSWORD') or 'admin'
    if '\n' in password:
        raise CommandError("B2B_ADMIN_PASSWORD must be a single line")
    return password


def demo_logins(demo=None):
    """Return the demo logins as (login, password, what) tuples, with those
    that the demo data module (if loaded) creates"""
    logins = [('admin', admin_password(), "administrator, back office")]
    if demo is not None:
        for login in getattr(demo, 'REP_LOGINS', []):
            logins.append((login, getattr(demo, 'REP_PASSWORD', '?'),
                    "sales rep, back office"))
        if hasattr(demo, 'DEMO_LOGIN'):
            password = getattr(demo, 'DEMO_PASSWORD', '?')
            logins.append((demo.DEMO_LOGIN, password,
                    "customer employee account, for the portal"))
    return logins


def check_demo_data():
    if importlib.util.find_spec(DEMO_DATA) is None:
        raise CommandError(
            f"{DEMO_DATA} is not available: this checkout has no demo data "
            "loader (b2b_suite/demo_data.py)")


def import_demo_data(config_path):
    "Import the demo data module, trytond being configured first"
    check_demo_data()
    # trytond reads its configuration when its modules are imported
    from trytond import config as trytond_config
    trytond_config.update_etc(str(config_path))
    return importlib.import_module(DEMO_DATA)


class Database:
    "A database of the configured backend and its state file"

    def __init__(self, parser, name):
        if not re.fullmatch(r'[A-Za-z0-9_][A-Za-z0-9_.-]*', name):
            raise CommandError(f"Invalid database name: {name!r}")
        self.name = name
        self.uri = parser.get('database', 'uri')
        self.backend = config.backend(parser)
        if self.backend not in {'sqlite', 'postgresql'}:
            raise CommandError(f"Unsupported database URI: {self.uri}")
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
            raise CommandError(
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


def _module_directories():
    "Yield the package directory of each module of MODULES"
    packages = {ep.name: ep.value for ep in importlib.metadata.entry_points(
            group='trytond.modules')}
    for module in MODULES:
        spec = importlib.util.find_spec(packages.get(module, module))
        if spec and spec.origin:
            yield module, Path(spec.origin).parent
        else:
            yield module, None


def fingerprint(uri):
    """Return a hash of what `setup` installs: our modules' files, the
    installed Tryton distributions, the languages and the database URI"""
    digest = hashlib.sha256()
    digest.update(json.dumps(
            [MODULES, LANGUAGES, config.safe_uri(uri)]).encode())
    for module, directory in _module_directories():
        digest.update(f'\0module {module} {directory}\0'.encode())
        if directory is None:
            continue
        for path in sorted(directory.rglob('*')):
            relative = path.relative_to(directory)
            if (not path.is_file() or relative.parts[0] == 'tests'
                    or '__pycache__' in relative.parts):
                continue
            digest.update(f'\0{relative}\0'.encode())
            digest.update(path.read_bytes())
    versions = sorted(
        f"{dist.metadata['Name']}=={dist.version}"
        for dist in importlib.metadata.distributions()
        if (dist.metadata['Name'] or '').lower().replace('-', '_')
        .startswith(('trytond', 'proteus')))
    digest.update('\0'.join(versions).encode())
    return digest.hexdigest()


def run_admin(config_path, database, initialise):
    """Run trytond-admin to activate MODULES (and dependencies) and update
    every activated module, printing one line per module loaded"""
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
            raise CommandError(
                f"trytond-admin failed (exit code {returncode})")


def setup(args, parser, config_path):
    "Create the database if missing, activate or update all modules"
    database = Database(parser, args.database)
    started = time.monotonic()
    if not database.exists():
        say(f"Creating database {database}")
        database.create()
    activated = database.activated_modules()
    missing = [m for m in MODULES if m not in (activated or ())]
    digest = fingerprint(database.uri)
    if (not missing and not args.force
            and database.state().get('setup') == digest):
        say(f"Database {database.name} is up to date "
            f"({len(activated)} modules activated, nothing changed since "
            "the last setup; --force updates anyway)")
        return 0
    if missing:
        say(f"Activating {', '.join(missing)} and dependencies in "
            f"{database} (about a minute the first time)")
    else:
        say(f"Updating the modules of {database}")
    run_admin(config_path, database, initialise=activated is None)
    activated = database.activated_modules() or set()
    if missing := [m for m in MODULES if m not in activated]:
        raise CommandError(f"Modules not activated: {', '.join(missing)}")
    database.update_state(setup=digest)
    say(f"Database {database.name} ready: {len(activated)} modules "
        f"activated in {time.monotonic() - started:.1f} s")
    return 0


def is_set_up(database):
    if not database.exists():
        return False
    activated = database.activated_modules()
    return activated is not None and set(MODULES) <= activated


def demo_data(args, parser, config_path):
    "Load the demo data (setting the database up first if needed)"
    database = Database(parser, args.database)
    check_demo_data()
    if not is_set_up(database):
        say(f"Database {args.database} is not set up yet: running setup")
        setup(argparse.Namespace(database=args.database, force=False),
            parser, config_path)
    loaded = database.state().get('demo', {})
    if args.if_needed and args.size in loaded:
        say(f"Demo data ({args.size}) already loaded into {database.name} "
            f"on {loaded[args.size]}")
        return 0
    module = import_demo_data(config_path)
    # it shows its own progress
    statement = args.statement or config.ROOT / 'var' / (
        'demo-statement.sta' if args.database == DEFAULT_DATABASE
        else f'demo-statement-{args.database}.sta')
    module.load(database.name, size=args.size, statement=statement)
    loaded[args.size] = datetime.datetime.now().isoformat(timespec='seconds')
    database.update_state(demo=loaded)
    return 0


def server_url(parser):
    "Return the URL of the first address of [web] listen"
    listen = parser.get('web', 'listen', fallback='localhost:8000')
    netloc = listen.split(',')[0].strip()
    host, _, port = netloc.rpartition(':')
    if host in {'', '*', '0.0.0.0', '[::]'}:
        host = 'localhost'
    root_path = parser.get('web', 'root_path', fallback='/')
    return urllib.parse.urlunsplit(
        ('http', f'{host}:{port}', root_path.rstrip('/') + '/', '', ''))


def serve(args, parser, config_path):
    """Run trytond (the back office and its RPC) and the customer portal
    in the foreground, until Ctrl-C or one of them stops"""
    database = Database(parser, args.database)
    if not is_set_up(database):
        raise CommandError(f"Database {args.database} is not set up: "
            f"run `b2b setup --database {args.database}` first")
    root = Path(parser.get('web', 'root', fallback=''))
    if not (root / 'index.html').is_file():
        say(f"Warning: the web client (sao) is not installed in {root}: "
            "only RPC is served (./dev demo installs it)")
    url = server_url(parser)
    say(f"Back office: {url}  (database {database.name})")
    commands = [('trytond', tryton_command('trytond', 'trytond.cli') + [
                '-c', str(config_path), '-d', database.name], None)]
    if args.portal != 'off':
        # SQLite takes one writer at a time: one process
        workers = 1 if database.backend == 'sqlite' else 2
        env, portal_url = portal_environment(
            database.name, config_path, args.portal)
        say(f"Customer portal: {portal_url}/")
        commands.append(('portal',
                portal_command(args.portal, workers=workers), env))
    demo = None
    if database.state().get('demo'):
        try:
            demo = import_demo_data(config_path)
        except (CommandError, ImportError):
            pass
    say("Demo logins:")
    for login, password, what in demo_logins(demo):
        say(f"  {login} / {password}  ({what})")
    say("Press Ctrl-C to stop.")
    return run_all(commands)


def run_all(commands):
    """Run the (name, command, env) processes together until one ends or
    Ctrl-C; stop the others and return the first one's exit code"""
    processes = []

    def forward(signum, frame):
        for process in processes:
            if process.poll() is None:
                process.send_signal(signum)
    signals = [signal.SIGTERM, signal.SIGHUP]
    previous = {s: signal.signal(s, forward) for s in signals}
    try:
        for name, command, env in commands:
            processes.append(subprocess.Popen(command, env=env))
        returncode = None
        while returncode is None:
            for (name, _, _), process in zip(commands, processes):
                if process.poll() is not None:
                    returncode = process.returncode
                    if len(processes) > 1:
                        say(f"{name} stopped (exit code {returncode}): "
                            "stopping the others")
                    break
            else:
                time.sleep(0.2)
    except KeyboardInterrupt:
        returncode = 130
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - returncode if returncode < 0 else returncode


@contextlib.contextmanager
def forwarding_signals(process):
    """Pass SIGTERM and SIGHUP on to process (it gets Ctrl-C's SIGINT
    itself) so that it never outlives this one"""
    def forward(signum, frame):
        if process.poll() is None:
            process.send_signal(signum)
    signals = [signal.SIGTERM, signal.SIGHUP]
    previous = {s: signal.signal(s, forward) for s in signals}
    try:
        yield process
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def wait(process):
    "Wait for process to end, also after a Ctrl-C; return its exit code"
    try:
        returncode = process.wait()
    except KeyboardInterrupt:
        try:
            returncode = process.wait(timeout=10)
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            process.kill()
            returncode = process.wait()
        raise
    return 128 - returncode if returncode < 0 else returncode


def run_foreground(command):
    "Run command until it ends and return its exit code"
    with forwarding_signals(subprocess.Popen(command)) as process:
        return wait(process)


def _set_up_database(args, parser, config_path):
    "The database of the command, set up; trytond configured for it"
    database = Database(parser, args.database)
    if not is_set_up(database):
        raise CommandError(f"database {args.database} is not set up: "
            "run b2b setup first")
    from trytond import config as trytond_config
    trytond_config.update_etc(str(config_path))
    return database


def import_statement(args, parser, config_path):
    "Import bank statement files and book the payments they match"
    database = _set_up_database(args, parser, config_path)
    from b2b_suite.commands import bank
    totals = bank.run(database.name, args.files, company=args.company,
        say=say)
    return 1 if totals['errors'] else 0


def import_erp(args, parser, config_path):
    "Import the ERP's credit or invoice files (CSV or JSON)"
    database = _set_up_database(args, parser, config_path)
    from b2b_suite.commands import credit
    kind = 'credit' if args.command == 'import-credit' else 'invoices'
    errors = credit.run(database.name, kind, args.files,
        company=args.company, say=say)
    return 1 if errors else 0


def api_key(args, parser, config_path):
    "Create a key of the ERP's HTTP API and print it once"
    database = _set_up_database(args, parser, config_path)
    from b2b_suite.commands import credit
    print(credit.create_key(database.name, args.name,
            company=args.company))
    return 0


def fuzz(args):
    """Run the portal's property-based test (portal/tests/test_fuzz.py)
    with N examples, on PostgreSQL as `./dev test` does: the configured
    server (TRYTOND_DATABASE__URI) or a private throw-away cluster"""
    root = Path(__file__).resolve().parent.parent
    test = root / 'portal' / 'tests' / 'test_fuzz.py'
    missing = [m for m in ['pytest', 'hypothesis']
        if importlib.util.find_spec(m) is None]
    if missing or not test.exists():
        print("b2b fuzz: error: needs the source tree and the test extra "
            "(pip install -e '.[test]'); missing: "
            + ', '.join(missing or [str(test)]), file=sys.stderr)
        return 1
    if args.examples < 1:
        print("b2b fuzz: error: --examples must be at least 1",
            file=sys.stderr)
        return 1
    env = dict(os.environ, B2B_FUZZ_EXAMPLES=str(args.examples),
        DB_NAME='test_b2b', DB_CACHE='postgresql://')
    env.setdefault('TRYTOND_EMAIL__URI', 'smtp://127.0.0.1:1')
    # the tests always run on PostgreSQL, whatever the configuration file
    env.pop('TRYTOND_CONFIG', None)
    command = [sys.executable, '-m', 'b2b_suite.pgcluster', 'run', '--',
        sys.executable, '-m', 'pytest', '-q', str(test)]
    say(f"fuzzing every portal route with {args.examples} examples")
    return subprocess.run(command, cwd=root, env=env).returncode


COMMANDS = {
    'setup': setup,
    'demo-data': demo_data,
    'serve': serve,
    'import-statement': import_statement,
    'import-credit': import_erp,
    'import-invoices': import_erp,
    'api-key': api_key,
    }


def get_parser():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('-d', '--database', default=DEFAULT_DATABASE,
        metavar='NAME', help="database name (default: %(default)s)")
    parser = argparse.ArgumentParser(prog='b2b',
        description="B2B wholesale suite: set-up, demo data and server")
    subparsers = parser.add_subparsers(dest='command', required=True,
        metavar='COMMAND')
    setup_parser = subparsers.add_parser('setup', parents=[common],
        help="create or upgrade a database and install or update all "
        "modules")
    setup_parser.add_argument('--force', action='store_true',
        help="update the modules even if nothing changed")
    demo_parser = subparsers.add_parser('demo-data', parents=[common],
        help="load demo data (a Polish wholesaler)")
    demo_parser.add_argument('--size', choices=SIZES, default='small',
        help="small: a realistic demo; large: benchmark volumes "
        "(default: %(default)s)")
    demo_parser.add_argument('--if-needed', action='store_true',
        help="do nothing if this size was already loaded into the database")
    demo_parser.add_argument('--statement', metavar='FILE',
        help="where to write the bank statement paying the demo invoices "
        "(default: var/demo-statement.sta, var/demo-statement-NAME.sta for "
        "another database)")
    serve_parser = subparsers.add_parser('serve', parents=[common],
        help="run the server with the back office (sao) and the customer "
        "portal")
    serve_parser.add_argument('--portal', metavar='HOST:PORT',
        default=os.environ.get('B2B_PORTAL_LISTEN', '127.0.0.1:5000'),
        help="address of the portal, `off` for none (default: "
        "$B2B_PORTAL_LISTEN or %(default)s)")
    import_parser = subparsers.add_parser('import-statement',
        parents=[common], help="import bank statement files (MT940, MT942, "
        "CAMT.053, Elixir-O), book the payments matched to invoices and "
        "print a summary")
    import_parser.add_argument('files', nargs='+', metavar='FILE')
    import_parser.add_argument('--company', type=int, metavar='ID',
        help="company id (default: the only company)")
    for name, what in [('import-credit', "credit limits and used credit"),
            ('import-invoices', "invoices")]:
        erp_parser = subparsers.add_parser(name, parents=[common],
            help=f"import the ERP's {what} from CSV or JSON files "
            "(README: ERP sync)")
        erp_parser.add_argument('files', nargs='+', metavar='FILE')
        erp_parser.add_argument('--company', type=int, metavar='ID',
            help="company id (default: the only company)")
    key_parser = subparsers.add_parser('api-key', parents=[common],
        help="create a key of the ERP's HTTP API and print it (once)")
    key_parser.add_argument('name', help="what the key is for")
    key_parser.add_argument('--company', type=int, metavar='ID',
        help="company id (default: the only company)")
    bench_parser = subparsers.add_parser('bench',
        help="benchmark a hot path on PostgreSQL with the large data set")
    bench_parser.add_argument('name', choices=BENCHMARKS)
    bench_parser.add_argument('-d', '--database', default=BENCH_DATABASE,
        metavar='NAME', help="database name (default: %(default)s)")
    bench_parser.add_argument('-n', '--iterations', type=int, default=30,
        help="pricing: measured runs of each side (default: %(default)s)")
    bench_parser.add_argument('--duration', type=int, default=20,
        help="portal: seconds of each scenario (default: %(default)s)")
    fuzz_parser = subparsers.add_parser('fuzz',
        help="drive every portal route and API endpoint with hostile "
        "values (Hypothesis) on PostgreSQL; needs the test extra")
    fuzz_parser.add_argument('--examples', type=int, default=200,
        metavar='N', help="examples to generate (default: %(default)s; "
        "the test suite runs 30)")
    return parser


def main(argv=None):
    args = get_parser().parse_args(argv)
    if args.command == 'fuzz':
        return fuzz(args)
    if args.command == 'bench':
        # it brings its own PostgreSQL and configuration
        from b2b_suite.bench import runner
        return runner.run(args.name, args.database, args.iterations,
            duration=args.duration)
    try:
        parser = config.load()
        if config.backend(parser) == 'sqlite':
            Path(parser.get('database', 'path')).mkdir(
                parents=True, exist_ok=True)
        with config.written(parser) as config_path:
            return COMMANDS[args.command](args, parser, config_path)
    except (CommandError, CompanyError, FileNotFoundError) as exception:
        print(f"b2b {args.command}: error: {exception}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == '__main__':
    sys.exit(main())
