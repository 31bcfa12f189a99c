# This file is part of the B2B wholesale suite.
"""The command lines, environments and addresses of the servers that the
`b2b` command and the benchmarks start: trytond's scripts (the back office
and its RPC, the scheduler trytond-cron, the queue's trytond-worker), the
portal (gunicorn) and the demo's mail catcher. It imports nothing of the
command itself."""
import hashlib
import os
import sys
import urllib.parse
from pathlib import Path


def tryton_command(script, module):
    "Return the command line running a trytond script of this environment"
    path = Path(sys.executable).parent / script
    if path.exists():
        return [str(path)]
    return [sys.executable, '-m', module]


def portal_command(listen, workers=1, threads=4, access_log=True):
    """Return the command line serving the portal (portal.wsgi:app) with
    gunicorn: `workers` processes of `threads` threads each"""
    return tryton_command('gunicorn', 'gunicorn') + [
        '--bind', listen, '--workers', str(workers),
        '--worker-class', 'gthread', '--threads', str(threads),
        *(['--access-logfile', '-'] if access_log else []),
        '--log-level', 'warning', '--graceful-timeout', '5',
        'portal.wsgi:app']


def portal_environment(database, config_path, listen):
    "Return the environment of the portal's server"
    host, _, port = listen.rpartition(':')
    if host in {'', '0.0.0.0', '[::]'}:
        host = 'localhost'
    url = f'http://{host}:{port}'
    env = dict(os.environ, TRYTON_DATABASE=database,
        TRYTON_CONFIG=str(config_path))
    env.setdefault('PORTAL_URL', url)
    # one key for every worker, so that their CSRF tokens agree
    env.setdefault('SECRET_KEY', hashlib.sha256(
            os.urandom(32)).hexdigest())
    return env, url


def server_url(parser):
    "Return the back office's URL: the first address of [web] listen"
    listen = parser.get('web', 'listen', fallback='localhost:8000')
    netloc = listen.split(',')[0].strip()
    host, _, port = netloc.rpartition(':')
    if host in {'', '*', '0.0.0.0', '[::]'}:
        host = 'localhost'
    root_path = parser.get('web', 'root_path', fallback='/')
    return urllib.parse.urlunsplit(
        ('http', f'{host}:{port}', root_path.rstrip('/') + '/', '', ''))


def runs_worker(backend):
    """Tell if `b2b serve` runs trytond-worker on the backend. Not on
    SQLite: the worker waits for the queue's notifications on its
    database connection, which SQLite does not have (the selector refuses
    it), so there queued tasks run at the commit of the transaction that
    queued them, in its process ([queue] worker unset)"""
    return backend != 'sqlite'


def mail_catcher(parser, listen):
    """Return the (name, command, env) of the mail catcher receiving what
    trytond's [email] uri sends, its page served on listen (HOST:PORT),
    and the page's URL; (None, None) when listen is 'off' or the uri is
    not a local smtp:// address (a real server delivers the e-mails)"""
    uri = urllib.parse.urlsplit(parser.get('email', 'uri', fallback=''))
    if (listen == 'off' or uri.scheme != 'smtp'
            or uri.hostname not in {'localhost', '127.0.0.1', '::1'}):
        return None, None
    host, _, port = listen.rpartition(':')
    if host in {'', '0.0.0.0', '[::]'}:
        host = 'localhost'
    smtp_host = f'[{uri.hostname}]' if ':' in uri.hostname else uri.hostname
    command = [sys.executable, '-m', 'b2b_suite.mailcatcher',
        '--smtp', f'{smtp_host}:{uri.port or 25}', '--web', listen]
    return ('mail', command, None), f'http://{host}:{port}/'


def servers(database, backend, config_path, portal):
    """Return the (name, command, env) of the servers of `b2b serve` on
    the database: trytond, trytond-cron, trytond-worker (see
    runs_worker), and the portal listening on portal (HOST:PORT) unless
    it is 'off'; and the portal's URL (None without it)"""
    def script(name, module):
        return (name, tryton_command(name, module) + [
                '-c', str(config_path), '-d', database], None)
    commands = [script('trytond', 'trytond.cli'),
        script('trytond-cron', 'trytond.cli.cron')]
    if runs_worker(backend):
        commands.append(script('trytond-worker', 'trytond.cli.worker'))
    if portal == 'off':
        return commands, None
    # SQLite takes one writer at a time: one process
    workers = 1 if backend == 'sqlite' else 2
    env, url = portal_environment(database, config_path, portal)
    commands.append(('portal', portal_command(portal, workers=workers), env))
    return commands, url
