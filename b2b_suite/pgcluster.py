# This file is part of the B2B wholesale suite.
"""A private, throw-away PostgreSQL cluster for the test suite.

    python -m b2b_suite.pgcluster run -- CMD ARGS...

runs CMD with TRYTOND_DATABASE__URI (and TRYTOND_DATABASE_URI) pointing at
PostgreSQL and exits with CMD's exit code. When the environment already
names a PostgreSQL server (TRYTOND_DATABASE__URI=postgresql://...), that
server is used; otherwise a cluster is initialised in a temporary directory,
started on a free port of 127.0.0.1 and removed at the end, whatever
happens (also on Ctrl-C)."""
import argparse
import contextlib
import glob
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN_PATTERN = '/usr/lib/postgresql/*/bin'
URI_VARIABLES = ['TRYTOND_DATABASE__URI', 'TRYTOND_DATABASE_URI']
SERVER_OPTIONS = [
    'fsync=off', 'synchronous_commit=off', 'full_page_writes=off',
    'listen_addresses=127.0.0.1', 'max_connections=200']


class ClusterError(Exception):
    pass


def log(message):
    print(f"pgcluster: {message}", file=sys.stderr, flush=True)


def _version(path):
    "Return the sort key of the version in /usr/lib/postgresql/<v>/bin"
    return [int(n) for n in re.findall(r'\d+', Path(path).parent.name)]


def find_bin_dir(pattern=BIN_PATTERN):
    "Return the bin directory of the newest PostgreSQL installed, or None"
    candidates = [p for p in glob.glob(pattern)
        if os.access(os.path.join(p, 'initdb'), os.X_OK)]
    if candidates:
        return Path(max(candidates, key=_version))


def install_postgresql():
    "Install Debian's postgresql package (as root)"
    log("PostgreSQL is not installed; installing Debian's postgresql package")
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    for command in [
            ['apt-get', 'update'],
            ['apt-get', 'install', '-y', '--no-install-recommends',
                'postgresql']]:
        subprocess.run(command, env=env, check=True)


def ensure_bin_dir():
    "Return the PostgreSQL bin directory, installing PostgreSQL if needed"
    bin_dir = find_bin_dir()
    if bin_dir:
        return bin_dir
    if os.geteuid() != 0:
        raise ClusterError(
            "PostgreSQL binaries not found in /usr/lib/postgresql/*/bin. "
            "Install them (apt-get install postgresql) or point "
            "TRYTOND_DATABASE__URI at a server (postgresql://user@host:port/)")
    if not shutil.which('apt-get'):
        raise ClusterError(
            "PostgreSQL binaries not found and apt-get is not available")
    install_postgresql()
    bin_dir = find_bin_dir()
    if not bin_dir:
        raise ClusterError(
            "PostgreSQL was installed but no initdb found in "
            "/usr/lib/postgresql/*/bin")
    return bin_dir


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def _port_free(port):
    with socket.socket() as probe:
        try:
            probe.bind(('127.0.0.1', port))
        except OSError:
            return False
        return True


def _as_postgres(command):
    "initdb and postgres refuse to run as root: run them as postgres"
    if os.geteuid() == 0:
        return ['runuser', '-u', 'postgres', '--'] + command
    return command


def _run(command, **kwargs):
    "Run command quietly; raise ClusterError with its output on failure"
    process = subprocess.run(_as_postgres(command),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, **kwargs)
    if process.returncode:
        raise ClusterError(
            f"{shlex.join(command)} failed ({process.returncode}):\n"
            f"{process.stdout}")
    return process


def _accepts_connections(bin_dir, port):
    return subprocess.run(
        [str(bin_dir / 'pg_isready'), '-q', '-h', '127.0.0.1',
            '-p', str(port), '-U', 'postgres', '-d', 'postgres'],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def _start(bin_dir, directory, data, port):
    options = ['-p', str(port)]
    for option in SERVER_OPTIONS + [f'unix_socket_directories={directory}']:
        options += ['-c', option]
    _run([str(bin_dir / 'pg_ctl'), '-D', str(data),
            '-l', str(directory / 'server.log'), '-w', '-t', '60',
            '-o', shlex.join(options), 'start'])
    deadline = time.monotonic() + 30
    while not _accepts_connections(bin_dir, port):
        if time.monotonic() > deadline:
            raise ClusterError(
                f"PostgreSQL did not accept connections on port {port}")
        time.sleep(0.1)


def _stop(bin_dir, data):
    "Stop the server (fast shutdown); kill it if pg_ctl cannot"
    pidfile = data / 'postmaster.pid'
    if not pidfile.exists():
        return
    try:
        _run([str(bin_dir / 'pg_ctl'), '-D', str(data), '-m', 'fast', '-w',
                '-t', '30', 'stop'])
        return
    except ClusterError as exception:
        log(str(exception))
    try:
        pid = int(pidfile.read_text().split()[0])
        os.kill(pid, signal.SIGQUIT)
    except (OSError, ValueError, IndexError):
        pass


@contextlib.contextmanager
def private_cluster():
    """Start a throw-away PostgreSQL cluster and yield its URI
    postgresql://postgres@127.0.0.1:PORT/"""
    bin_dir = ensure_bin_dir()
    started = time.monotonic()
    directory = Path(tempfile.mkdtemp(prefix='b2b-pg-'))
    data = directory / 'data'
    try:
        if os.geteuid() == 0:
            postgres = pwd.getpwnam('postgres')
            os.chown(directory, postgres.pw_uid, postgres.pw_gid)
        _run([str(bin_dir / 'initdb'), '-D', str(data), '--auth=trust',
                '-E', 'UTF8', '--locale=C.UTF-8', '-U', 'postgres',
                '--no-sync'])
        for attempt in range(3):
            port = free_port()
            try:
                _start(bin_dir, directory, data, port)
                break
            except ClusterError:
                log_file = directory / 'server.log'
                text = log_file.read_text() if log_file.exists() else ''
                if attempt == 2 or 'already in use' not in text:
                    _stop(bin_dir, data)
                    raise ClusterError(
                        f"PostgreSQL failed to start:\n{text}") from None
        log(f"PostgreSQL {bin_dir.parent.name} cluster started on "
            f"127.0.0.1:{port} in {directory} "
            f"({time.monotonic() - started:.1f} s)")
        yield f'postgresql://postgres@127.0.0.1:{port}/'
    finally:
        _stop(bin_dir, data)
        shutil.rmtree(directory, ignore_errors=True)
        log("PostgreSQL cluster stopped and removed")


@contextlib.contextmanager
def kept_cluster(directory):
    """Start the cluster kept in directory (initialised on first use, e.g.
    for benchmark data sets built once), yield its URI and stop it at the
    end; its data stays for the next run"""
    bin_dir = ensure_bin_dir()
    directory = Path(directory).resolve()
    data = directory / 'data'
    if not (data / 'PG_VERSION').exists():
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        if os.geteuid() == 0:
            postgres = pwd.getpwnam('postgres')
            for path in [directory, *directory.parents]:
                if path == Path(path.anchor):
                    break
                # postgres must reach its data directory
                os.chmod(path, os.stat(path).st_mode | 0o011)
            os.chown(directory, postgres.pw_uid, postgres.pw_gid)
        _run([str(bin_dir / 'initdb'), '-D', str(data), '--auth=trust',
                '-E', 'UTF8', '--locale=C.UTF-8', '-U', 'postgres',
                '--no-sync'])
        log(f"PostgreSQL cluster initialised in {directory}")
    _stop(bin_dir, data)
    # the same port each time when free: the URI is part of what `b2b
    # setup` remembers, so a new port would mean a new set-up
    port_file = directory / 'port'
    port = int(port_file.read_text()) if port_file.exists() else None
    if port is None or not _port_free(port):
        port = free_port()
        port_file.write_text(str(port))
    _start(bin_dir, directory, data, port)
    log(f"PostgreSQL cluster of {directory} started on 127.0.0.1:{port}")
    try:
        yield f'postgresql://postgres@127.0.0.1:{port}/'
    finally:
        _stop(bin_dir, data)
        log(f"PostgreSQL cluster of {directory} stopped (data kept)")


def configured_uri(environ=None):
    "Return the PostgreSQL URI set in the environment, or None"
    environ = os.environ if environ is None else environ
    for name in URI_VARIABLES:
        uri = environ.get(name, '')
        if uri:
            if uri.startswith('postgresql://'):
                return uri
            return None


@contextlib.contextmanager
def ensure_postgresql():
    """Yield the URI of a PostgreSQL server: the configured one
    (TRYTOND_DATABASE__URI or TRYTOND_DATABASE_URI) or a private cluster"""
    uri = configured_uri()
    if uri:
        yield uri
    else:
        with private_cluster() as uri:
            yield uri


class _Signals:
    """On SIGTERM/SIGHUP: before the command runs, stop (the cluster is
    still removed); while it runs, pass the signal on and wait for it"""

    signals = [signal.SIGTERM, signal.SIGHUP]

    def __init__(self):
        self.process = None
        self.previous = {}

    def __enter__(self):
        for signum in self.signals:
            self.previous[signum] = signal.signal(signum, self.handle)
        return self

    def __exit__(self, *exc_info):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    def handle(self, signum, frame):
        if self.process is None:
            raise SystemExit(128 + signum)
        if self.process.poll() is None:
            self.process.send_signal(signum)

    def wait(self):
        "Wait for the command; on Ctrl-C (it got SIGINT too) let it end"
        process, timeout = self.process, None
        while True:
            try:
                return process.wait(timeout=timeout)
            except KeyboardInterrupt:
                if timeout is not None:
                    break
                timeout = 15
            except subprocess.TimeoutExpired:
                break
        process.kill()
        return process.wait()


def run(command):
    "Run command against PostgreSQL and return its exit code"
    from b2b_suite.config import safe_uri
    try:
        with _Signals() as signals, ensure_postgresql() as uri:
            env = dict(os.environ)
            for name in URI_VARIABLES:
                env[name] = uri
            bin_dir = find_bin_dir()
            if bin_dir:
                # pg_dump and pg_restore, e.g. for DB_CACHE directories
                env['PATH'] = os.pathsep.join(
                    [env.get('PATH', ''), str(bin_dir)])
            log(f"running {shlex.join(command)} on {safe_uri(uri)}")
            try:
                signals.process = subprocess.Popen(command, env=env)
            except OSError as exception:
                log(f"cannot run {command[0]}: {exception}")
                return 127
            returncode = signals.wait()
    except ClusterError as exception:
        log(str(exception))
        return 1
    except KeyboardInterrupt:
        return 130
    return 128 - returncode if returncode < 0 else returncode


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m b2b_suite.pgcluster',
        description="Run a command against PostgreSQL (the configured "
        "server or a private throw-away cluster)")
    subparsers = parser.add_subparsers(dest='action', required=True)
    run_parser = subparsers.add_parser('run',
        help="run CMD with TRYTOND_DATABASE__URI set")
    run_parser.add_argument('command', nargs=argparse.REMAINDER,
        metavar='-- CMD ARGS')
    args = parser.parse_args(argv)
    command = args.command
    if command[:1] == ['--']:
        command = command[1:]
    if not command:
        parser.error("no command given")
    return run(command)


if __name__ == '__main__':
    sys.exit(main())
