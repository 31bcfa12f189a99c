# This file is part of the B2B wholesale suite.
"""The `b2b` command: its arguments and, for each subcommand, a function
that calls the parts doing the work: the database (database.py), the
servers (serving.py, supervisor.py), the imports (commands/), the demo
data and the benchmarks (bench/).

The configuration is $TRYTOND_CONFIG or the repository's trytond.conf, with
TRYTOND_<SECTION>__<OPTION> environment variables on top (see config.py)."""
import argparse
import datetime
import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from b2b_suite import config, serving
from b2b_suite.database import Database, DatabaseError, admin_password
from b2b_suite.supervisor import run_all
from b2b_suite.transactions import CompanyError

DEFAULT_DATABASE = 'b2b_demo'
SIZES = ['small', 'large']
DEMO_DATA = 'b2b_suite.demo'
BENCHMARKS = ['pricing', 'portal', 'matching', 'credit']
BENCH_DATABASE = 'b2b_bench'
PORTAL_SCENARIOS = ('catalog', 'cart', 'checkout', 'rep_search')


class CommandError(Exception):
    pass


def say(message):
    print(message, flush=True)


def demo_logins(demo=None):
    """Return the demo logins as (login, password, what) tuples, with those
    that the demo data module (if loaded) creates"""
    logins = [('admin', admin_password(), "administrator, back office")]
    if demo is not None:
        password = getattr(demo, 'REP_PASSWORD', '?')
        reps = getattr(demo, 'REP_LOGINS', [])
        for number, login in enumerate(reps):
            logins.append((login, password,
                    "sales rep, back office and portal /rep: half the "
                    "customer companies"
                    + (", the demo buyer's among them, and one on holiday "
                        "cover" if number == 0 else "")
                    + "; their leads"))
        if getattr(demo, 'TEAM_LEADER_LOGIN', None):
            logins.append((demo.TEAM_LEADER_LOGIN, password,
                    f"team leader of {', '.join(reps)}, back office and "
                    "portal /rep: the companies and leads of both"))
        if hasattr(demo, 'DEMO_LOGIN'):
            password = getattr(demo, 'DEMO_PASSWORD', '?')
            logins.append((demo.DEMO_LOGIN, password,
                    "customer employee account, for the portal"))
    return logins


def check_demo_data():
    if importlib.util.find_spec(DEMO_DATA) is None:
        raise CommandError(
            f"{DEMO_DATA} is not available: this checkout has no demo data "
            "loader (b2b_suite/demo/)")


def import_demo_data(config_path):
    "Import the demo data module, trytond being configured first"
    check_demo_data()
    # trytond reads its configuration when its modules are imported
    from trytond import config as trytond_config
    trytond_config.update_etc(str(config_path))
    return importlib.import_module(DEMO_DATA)


def set_up_database(args, parser, config_path):
    "The database of the command, set up; trytond configured for it"
    database = Database(parser, args.database)
    if not database.is_set_up():
        raise CommandError(f"database {args.database} is not set up: "
            "run b2b setup first")
    from trytond import config as trytond_config
    trytond_config.update_etc(str(config_path))
    return database


def setup(args, parser, config_path):
    "Create the database if missing, activate or update all modules"
    Database(parser, args.database).set_up(
        config_path, force=args.force, say=say)
    return 0


def demo_data(args, parser, config_path):
    "Load the demo data (setting the database up first if needed)"
    database = Database(parser, args.database)
    check_demo_data()
    if not database.is_set_up():
        say(f"Database {args.database} is not set up yet: running setup")
        database.set_up(config_path, say=say)
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


def serve(args, parser, config_path):
    """Run trytond (the back office and its RPC), its scheduler and queue
    worker, the customer portal and the mail catcher in the foreground,
    until Ctrl-C or one of them stops"""
    database = Database(parser, args.database)
    if not database.is_set_up():
        raise CommandError(f"Database {args.database} is not set up: "
            f"run `b2b setup --database {args.database}` first")
    root = Path(parser.get('web', 'root', fallback=''))
    if not (root / 'index.html').is_file():
        say(f"Warning: the web client (sao) is not installed in {root}: "
            "only RPC is served (./dev demo installs it)")
    say(f"Back office: {serving.server_url(parser)}  "
        f"(database {database.name})")
    if serving.runs_worker(database.backend):
        # every server queues its tasks for trytond-worker, as in production
        if not parser.has_section('queue'):
            parser.add_section('queue')
        parser.set('queue', 'worker', 'True')
        say("Scheduled jobs: trytond-cron; queued tasks: trytond-worker")
    else:
        say("Scheduled jobs: trytond-cron; queued tasks run when their "
            "transaction commits (trytond-worker does not run on SQLite)")
    with config.written(parser) as servers_config:
        commands, portal_url = serving.servers(
            database.name, database.backend, servers_config, args.portal)
        if portal_url:
            say(f"Customer portal: {portal_url}/")
        catcher, mail_url = serving.mail_catcher(parser, args.mail)
        if catcher:
            commands.append(catcher)
            say(f"E-mails sent by the demo: {mail_url}  (caught, not "
                f"delivered: {parser.get('email', 'uri')})")
        else:
            say("E-mails: sent through "
                f"{config.safe_uri(parser.get('email', 'uri', fallback='?'))}")
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
        return run_all(commands, say=say)


def import_statement(args, parser, config_path):
    "Import bank statement files and book the payments they match"
    database = set_up_database(args, parser, config_path)
    from b2b_suite.commands import bank
    totals = bank.run(database.name, args.files, company=args.company,
        say=say)
    return 1 if totals['errors'] else 0


def import_credit(args, parser, config_path):
    "Import the ERP's credit limits and used credit (CSV or JSON)"
    return _import_erp('credit', args, parser, config_path)


def import_invoices(args, parser, config_path):
    "Import the ERP's invoices (CSV or JSON)"
    return _import_erp('invoices', args, parser, config_path)


def _import_erp(kind, args, parser, config_path):
    database = set_up_database(args, parser, config_path)
    from b2b_suite.commands import credit
    errors = credit.run(database.name, kind, args.files,
        company=args.company, say=say)
    return 1 if errors else 0


def api_key(args, parser, config_path):
    "Create a key of the ERP's HTTP API and print it once"
    database = set_up_database(args, parser, config_path)
    from b2b_suite.commands import credit
    print(credit.create_key(database.name, args.name,
            company=args.company))
    return 0


def bench(args):
    "Run a benchmark on PostgreSQL with its data set (bench/runner.py)"
    from b2b_suite.bench import runner
    return runner.run(args.name, args.database, args.iterations,
        duration=args.duration, scenarios=args.scenario)


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


# The commands on the configured database: command(args, parser, config_path)
COMMANDS = {
    'setup': setup,
    'demo-data': demo_data,
    'serve': serve,
    'import-statement': import_statement,
    'import-credit': import_credit,
    'import-invoices': import_invoices,
    'api-key': api_key,
    }
# The commands bringing their own PostgreSQL and configuration: command(args)
STANDALONE_COMMANDS = {
    'bench': bench,
    'fuzz': fuzz,
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
    serve_parser.add_argument('--mail', metavar='HOST:PORT',
        default=os.environ.get('B2B_MAIL_LISTEN', '127.0.0.1:8025'),
        help="address of the mail catcher's page, `off` for none; it "
        "catches what [email] uri sends when that is a local smtp:// "
        "address (default: $B2B_MAIL_LISTEN or %(default)s)")
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
    bench_parser.add_argument('--scenario', action='append',
        choices=PORTAL_SCENARIOS, metavar='NAME',
        help="portal: measure only this scenario (repeatable; "
        f"{', '.join(PORTAL_SCENARIOS)}; default: all)")
    fuzz_parser = subparsers.add_parser('fuzz',
        help="drive every portal route and API endpoint with hostile "
        "values (Hypothesis) on PostgreSQL; needs the test extra")
    fuzz_parser.add_argument('--examples', type=int, default=200,
        metavar='N', help="examples to generate (default: %(default)s; "
        "the test suite runs 30)")
    return parser



def main(argv=None):
    args = get_parser().parse_args(argv)
    if args.command in STANDALONE_COMMANDS:
        return STANDALONE_COMMANDS[args.command](args)
    try:
        parser = config.load()
        if config.backend(parser) == 'sqlite':
            Path(parser.get('database', 'path')).mkdir(
                parents=True, exist_ok=True)
        with config.written(parser) as config_path:
            return COMMANDS[args.command](args, parser, config_path)
    except (CommandError, DatabaseError, CompanyError,
            FileNotFoundError) as exception:
        print(f"b2b {args.command}: error: {exception}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == '__main__':
    sys.exit(main())
