# This file is part of the B2B wholesale suite.
"""Fast tests of the b2b command, its configuration and pgcluster
(no module activation: trytond-admin is replaced by a fake)"""
import sqlite3
import sys
import tempfile
from pathlib import Path

import pytest

from b2b_suite import cli, config, pgcluster, serving
from b2b_suite.database import MODULES, Database

URI_VARIABLES = ['TRYTOND_DATABASE__URI', 'TRYTOND_DATABASE_URI']


@pytest.fixture
def demo_config(tmp_path, monkeypatch):
    "A configuration file like trytond.conf in tmp_path, used by `b2b`"
    path = tmp_path / 'trytond.conf'
    path.write_text(
        "[database]\nuri = sqlite://\npath = ./var/db\n"
        "[web]\nlisten = 127.0.0.1:8123\nroot = ./var/sao/package\n")
    monkeypatch.setenv('TRYTOND_CONFIG', str(path))
    for name in URI_VARIABLES + ['TRYTOND_DATABASE__PATH']:
        monkeypatch.delenv(name, raising=False)
    return path


def activate(path, modules):
    "Make the SQLite database at path look initialised with modules"
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS ir_module (name TEXT, state TEXT)")
        connection.executemany(
            "INSERT INTO ir_module (name, state) VALUES (?, 'activated')",
            [(m,) for m in modules])
    connection.close()


@pytest.fixture
def fake_admin(monkeypatch):
    "Replace trytond-admin: record the calls, activate the modules"
    calls = []

    def run_admin(config_path, database, initialise, say):
        calls.append((database.name, initialise))
        activate(database.sqlite_file, ['ir', 'res'] + MODULES)
    monkeypatch.setattr('b2b_suite.database.run_admin', run_admin)
    return calls


def test_default_config_is_the_repository_file(monkeypatch):
    "Without TRYTOND_CONFIG the repository's trytond.conf is used"
    monkeypatch.delenv('TRYTOND_CONFIG', raising=False)
    assert config.config_file() == config.ROOT / 'trytond.conf'
    assert config.config_file().is_file()


def test_paths_relative_to_config_file(demo_config, monkeypatch):
    "Relative paths of the file are relative to the file's directory"
    monkeypatch.chdir('/')
    parser = config.load(demo_config, environ={})
    directory = demo_config.parent
    assert parser.get('database', 'path') == str(directory / 'var' / 'db')
    assert parser.get('web', 'root') == str(
        directory / 'var' / 'sao' / 'package')


def test_environment_overrides_config_file(demo_config, monkeypatch):
    "TRYTOND_<SECTION>__<OPTION> wins over the file, paths from the cwd"
    monkeypatch.chdir(demo_config.parent)
    parser = config.load(demo_config, environ={
            'TRYTOND_DATABASE__URI': 'postgresql://user@host:5/',
            'TRYTOND_DATABASE_URI': 'postgresql://ignored@host:6/',
            'TRYTOND_WEB__ROOT': 'other/sao',
            'TRYTOND_EMAIL__FROM': 'shop@example.com',
            })
    assert parser.get('database', 'uri') == 'postgresql://user@host:5/'
    assert parser.get('web', 'root') == str(
        demo_config.parent / 'other' / 'sao')
    assert parser.get('email', 'from') == 'shop@example.com'
    assert config.backend(parser) == 'postgresql'


def test_single_underscore_database_uri(demo_config):
    "TRYTOND_DATABASE_URI also overrides the file"
    parser = config.load(demo_config, environ={
            'TRYTOND_DATABASE_URI': 'postgresql://user@host:5/'})
    assert parser.get('database', 'uri') == 'postgresql://user@host:5/'


def test_written_config(demo_config):
    "The merged configuration is written to a temporary file"
    parser = config.load(demo_config, environ={})
    with config.written(parser) as path:
        assert 'path = ' + str(demo_config.parent) in path.read_text()
    assert not path.exists()


def test_safe_uri():
    assert config.safe_uri('postgresql://u:secret@h:5/') == (
        'postgresql://u:***@h:5/')
    assert config.safe_uri('sqlite://') == 'sqlite://'


def test_setup_creates_and_initialises(demo_config, fake_admin, capsys):
    "setup creates a missing SQLite database and initialises it"
    assert cli.main(['setup', '--database', 'shop']) == 0
    database_file = demo_config.parent / 'var' / 'db' / 'shop.sqlite'
    assert database_file.is_file()
    assert fake_admin == [('shop', True)]
    assert "Creating database shop" in capsys.readouterr().out


def test_setup_closes_config_wizard(demo_config, monkeypatch):
    """The module configuration wizard's items that trytond-admin opens
    are done after setup: the administrator's first log in goes to the
    back office"""
    def run_admin(config_path, database, initialise, say):
        activate(database.sqlite_file, ['ir', 'res'] + MODULES)
        with sqlite3.connect(database.sqlite_file) as connection:
            connection.execute("CREATE TABLE ir_module_config_wizard_item "
                "(id INTEGER, state TEXT)")
            connection.executemany("INSERT INTO "
                "ir_module_config_wizard_item (id, state) VALUES (?, ?)",
                [(1, 'open'), (2, 'open'), (3, 'done')])
        connection.close()
    monkeypatch.setattr('b2b_suite.database.run_admin', run_admin)
    assert cli.main(['setup', '--database', 'shop']) == 0
    database_file = demo_config.parent / 'var' / 'db' / 'shop.sqlite'
    connection = sqlite3.connect(database_file)
    try:
        states = connection.execute("SELECT state "
            "FROM ir_module_config_wizard_item ORDER BY id").fetchall()
    finally:
        connection.close()
    assert states == [('done',), ('done',), ('done',)]


def test_setup_skips_when_nothing_changed(demo_config, fake_admin, capsys):
    "A second setup with nothing changed runs no trytond-admin"
    assert cli.main(['setup', '--database', 'shop']) == 0
    assert cli.main(['setup', '--database', 'shop']) == 0
    assert fake_admin == [('shop', True)]
    assert "is up to date" in capsys.readouterr().out
    assert cli.main(['setup', '--database', 'shop', '--force']) == 0
    assert fake_admin == [('shop', True), ('shop', False)]


def test_setup_updates_when_modules_changed(
        demo_config, fake_admin, monkeypatch):
    "setup updates the database when the fingerprint changes"
    assert cli.main(['setup', '--database', 'shop']) == 0
    monkeypatch.setattr('b2b_suite.database.fingerprint',
        lambda *args: 'changed')
    assert cli.main(['setup', '--database', 'shop']) == 0
    assert fake_admin == [('shop', True), ('shop', False)]


def test_database_state(demo_config):
    "The state of a SQLite database is read from its ir_module table"
    parser = config.load(demo_config, environ={})
    database = Database(parser, 'shop')
    assert not database.exists()
    database.create()
    assert database.exists()
    assert database.activated_modules() is None
    assert not database.is_set_up()
    activate(database.sqlite_file, ['ir', 'res'])
    assert database.activated_modules() == {'ir', 'res'}
    assert not database.is_set_up()
    activate(database.sqlite_file, MODULES)
    assert database.is_set_up()


def test_invalid_database_name(demo_config, capsys):
    assert cli.main(['setup', '--database', '../etc']) == 1
    assert "Invalid database name" in capsys.readouterr().err


def test_demo_data_without_loader(demo_config, monkeypatch, capsys):
    "demo-data fails clearly when the demo data module is missing"
    monkeypatch.setattr(cli, 'DEMO_DATA', 'b2b_suite.no_such_module')
    assert cli.main(['demo-data', '--database', 'shop']) == 1
    assert "is not available" in capsys.readouterr().err


def test_serve_needs_setup(demo_config, capsys):
    assert cli.main(['serve', '--database', 'shop']) == 1
    assert "b2b setup --database shop" in capsys.readouterr().err


def test_server_url(demo_config):
    parser = config.load(demo_config, environ={})
    assert serving.server_url(parser) == 'http://127.0.0.1:8123/'
    parser.set('web', 'listen', '0.0.0.0:8000')
    assert serving.server_url(parser) == 'http://localhost:8000/'


def test_find_bin_dir_newest(tmp_path):
    "The newest PostgreSQL with an initdb is chosen"
    for version in ['9.6', '13', '15', '16']:
        bin_dir = tmp_path / version / 'bin'
        bin_dir.mkdir(parents=True)
        if version != '16':
            (bin_dir / 'initdb').touch(mode=0o755)
    pattern = str(tmp_path / '*' / 'bin')
    assert pgcluster.find_bin_dir(pattern) == tmp_path / '15' / 'bin'
    assert pgcluster.find_bin_dir(str(tmp_path / 'none' / 'bin')) is None


def test_configured_uri():
    assert pgcluster.configured_uri({}) is None
    assert pgcluster.configured_uri(
        {'TRYTOND_DATABASE__URI': 'sqlite://'}) is None
    assert pgcluster.configured_uri(
        {'TRYTOND_DATABASE_URI': 'postgresql://u@h:1/'}) == (
        'postgresql://u@h:1/')


def test_run_with_configured_server(monkeypatch):
    "run passes the configured URI and the command's exit code through"
    monkeypatch.setenv('TRYTOND_DATABASE__URI', 'postgresql://u@h:1/')
    check = ("import os, sys; sys.exit(7 if os.environ['TRYTOND_DATABASE_URI']"
        " == 'postgresql://u@h:1/' else 1)")
    assert pgcluster.main(['run', '--', sys.executable, '-c', check]) == 7
    assert pgcluster.main(['run', '--', '/nonexistent/command']) == 127


@pytest.mark.skipif(pgcluster.find_bin_dir() is None,
    reason="PostgreSQL binaries not installed")
def test_private_cluster(monkeypatch):
    "A private cluster accepts connections and is removed afterwards"
    import psycopg
    directories, original = [], tempfile.mkdtemp

    def mkdtemp(**kwargs):
        directories.append(Path(original(**kwargs)))
        return str(directories[-1])
    monkeypatch.setattr(pgcluster.tempfile, 'mkdtemp', mkdtemp)
    with pgcluster.private_cluster() as uri:
        assert uri.startswith('postgresql://postgres@127.0.0.1:')
        with psycopg.connect(uri + 'postgres') as connection:
            encoding, = connection.execute(
                "SHOW server_encoding").fetchone()
            fsync, = connection.execute("SHOW fsync").fetchone()
        assert (encoding, fsync) == ('UTF8', 'off')
        directory, = directories
        assert (directory / 'data' / 'postmaster.pid').exists()
    assert not directory.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(uri + 'postgres', connect_timeout=2)


@pytest.fixture
def served(demo_config, fake_admin, monkeypatch):
    """Run `b2b serve` on a set-up SQLite database with the processes
    replaced by a fake; return a function running it with arguments and
    giving the (name, command) of each process it starts and the output"""
    assert cli.main(['setup', '--database', 'shop']) == 0
    started = []

    def run_all(commands, say):
        for name, command, env in commands:
            config_files = [command[i + 1] for i, arg in enumerate(command)
                if arg == '-c']
            started.append((name, command, [
                        Path(f).read_text() for f in config_files]))
        return 0
    monkeypatch.setattr(cli, 'run_all', run_all)

    def serve(*args, capsys):
        started.clear()
        assert cli.main(['serve', '--database', 'shop', *args]) == 0
        return list(started), capsys.readouterr().out
    return serve


def test_serve_starts_cron_worker_and_mail_catcher(
        served, monkeypatch, capsys):
    """b2b serve starts trytond, trytond-cron, the portal and the mail
    catcher (on the SMTP address of [email] uri) and prints its page's
    URL; trytond-worker and [queue] worker only on PostgreSQL"""
    monkeypatch.setenv('TRYTOND_EMAIL__URI', 'smtp://127.0.0.1:2526')
    started, out = served('--portal', '127.0.0.1:5123',
        '--mail', '127.0.0.1:8123', capsys=capsys)
    names = [name for name, *_ in started]
    assert names == ['trytond', 'trytond-cron', 'portal', 'mail']
    commands = {name: command for name, command, _ in started}
    assert Path(commands['trytond-cron'][0]).name == 'trytond-cron'
    assert commands['trytond-cron'][-2:] == ['-d', 'shop']
    assert commands['mail'][-4:] == [
        '--smtp', '127.0.0.1:2526', '--web', '127.0.0.1:8123']
    assert "E-mails sent by the demo: http://127.0.0.1:8123/" in out
    assert "trytond-worker does not run on SQLite" in out
    assert not any('worker = True' in c
        for _, _, configs in started for c in configs)

    # as on PostgreSQL: the worker, and every server queues for it
    runs_worker = serving.runs_worker
    monkeypatch.setattr(serving, 'runs_worker', lambda backend: True)
    started, out = served('--portal', 'off', '--mail', 'off',
        capsys=capsys)
    assert [name for name, *_ in started] == [
        'trytond', 'trytond-cron', 'trytond-worker']
    assert all('[queue]\nworker = True' in c
        for _, _, configs in started for c in configs)
    monkeypatch.setattr(serving, 'runs_worker', runs_worker)

    # a real SMTP server: nothing to catch
    monkeypatch.setenv('TRYTOND_EMAIL__URI', 'smtp://mail.example:25')
    started, out = served('--portal', 'off', capsys=capsys)
    assert [name for name, *_ in started] == ['trytond', 'trytond-cron']
    assert "E-mails: sent through smtp://mail.example:25" in out


def test_servers_with_worker_on_postgresql(tmp_path):
    "On PostgreSQL trytond-worker runs beside trytond and trytond-cron"
    commands, url = serving.servers(
        'shop', 'postgresql', tmp_path / 'trytond.conf', 'off')
    assert [name for name, *_ in commands] == [
        'trytond', 'trytond-cron', 'trytond-worker']
    worker = commands[-1][1]
    assert Path(worker[0]).name == 'trytond-worker'
    assert worker[1:] == ['-c', str(tmp_path / 'trytond.conf'), '-d', 'shop']
    assert serving.runs_worker('postgresql')
    assert not serving.runs_worker('sqlite')


def test_mail_catcher_lists_what_it_receives(tmp_path):
    """The mail catcher receives an e-mail by SMTP and lists it on its page,
    its text on the message's page"""
    import json
    import smtplib
    import socket
    import subprocess
    import time
    import urllib.request
    from email.message import EmailMessage

    ports = []
    for _ in range(2):
        with socket.socket() as probe:
            probe.bind(('127.0.0.1', 0))
            ports.append(probe.getsockname()[1])
    smtp_port, web_port = ports
    process = subprocess.Popen([sys.executable, '-m',
            'b2b_suite.mailcatcher', '--smtp', f'127.0.0.1:{smtp_port}',
            '--web', f'127.0.0.1:{web_port}'])
    page = f'http://127.0.0.1:{web_port}/'
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(page, timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        message = EmailMessage()
        message['From'] = 'shop@example.com'
        message['To'] = 'kupiec@demo.example'
        message['Subject'] = "Zamówienie nr 7 przyjęte"
        message.set_content("Dziękujemy za zamówienie.\nZespół sklepu")
        with smtplib.SMTP('127.0.0.1', smtp_port, timeout=10) as smtp:
            smtp.send_message(message)
        listing = urllib.request.urlopen(page, timeout=5).read().decode()
        assert "Zamówienie nr 7 przyjęte" in listing
        assert "kupiec@demo.example" in listing
        caught, = json.loads(urllib.request.urlopen(
                page + 'messages.json', timeout=5).read())
        assert caught['to'] == ['kupiec@demo.example']
        shown = urllib.request.urlopen(
            page + f'messages/{caught["id"]}', timeout=5).read().decode()
        assert "Dziękujemy za zamówienie." in shown
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
