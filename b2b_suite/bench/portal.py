# This file is part of the B2B wholesale suite.
"""`b2b bench portal`: the portal under 20 concurrent clients.

The portal (portal.wsgi:app) runs under gunicorn on the bench database
with the large data set: WORKERS processes of THREADS threads each. The
catalog page is CPU-bound Python (rendering, the ORM, the pricing
service), which a process runs on one core at a time whatever its threads
(the GIL), so the workers are processes, one per core; a few threads each
keep the connections of the clients alive (HTTP/1.1 keep-alive) and let a
worker go on while another request waits for PostgreSQL.

The clients are Python threads of this process, each with its own
keep-alive connection and its own customer account (a company of a
customer group with a price list, so the catalog shows the company's own
prices of 48 products): the load generator shares the 2 cores with the
server, as the target says. Each scenario runs DURATION seconds after a
short warm-up: the catalog page (GET /?page=N), a cart update (POST of
a quantity to a cart line, with the form's CSRF token) and a checkout (each
client puts a product in its cart, then places the order: the POST of the
checkout form is timed).

As in production, the portal queues the work that follows an order (its
confirmation and e-mail, the sale's processing) and one trytond-worker
process does it on the same cores; the e-mails go to an SMTP sink of this
process."""
import configparser
import http.client
import json
import os
import re
import secrets
import signal
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

CLIENTS = 20
DURATION = 20
WARMUP = 3
WORKERS = int(os.environ.get('B2B_BENCH_WORKERS') or os.cpu_count() or 2)
THREADS = 4
PAGES = 5  # the clients walk the first catalog pages
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LINE = re.compile(r'action="/cart/line/(\d+)"')
PRODUCT = re.compile(r'name="product" value="(\d+)"')
CHOICE = re.compile(
    r'type="radio" name="(\w+)" value="(\d+)"[^>]*\bchecked\b')


def _free_port():
    import socket
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def accounts(database, count=CLIENTS):
    """Return the e-mails of count active accounts allowed to order, each
    of a company whose customer group has a price list"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    if database not in Pool.database_list():
        Pool(database).init()
    with Transaction().start(database, 0, readonly=True):
        WebUser = Pool().get('web.user')
        users = WebUser.search([
                ('active', '=', True),
                ('b2b_role', 'in', ['admin', 'buyer']),
                ('party.b2b_status', '=', 'active'),
                ('party.b2b_customer_group.price_list', '!=', None),
                ('email', 'like', 'zakupy@firma-l%'),
                ], order=[('id', 'ASC')], limit=count)
        return [u.email for u in users]


def rep_logins(database, count=CLIENTS):
    """Return the logins of count reps of the large set (b2b_salesrep), each
    serving as many companies"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    if database not in Pool.database_list():
        Pool(database).init()
    with Transaction().start(database, 0, readonly=True):
        User = Pool().get('res.user')
        users = User.search([('login', 'like', 'rep-l%')],
            order=[('login', 'ASC')], limit=count)
        return [u.login for u in users]


# what the reps type in the search of their customers: names, cities, NIPs
# in several spellings, e-mails
REP_SEARCHES = ['sp', 'Kraków', 'hurt', 'Poznań', '52', 'PL 7', 'firma-l0',
    'Gdańsk', 'handel', '1-2', 'Łódź', 'biuro', 'Wrocław', 'trans', '000']


class Client:
    "One HTTP/1.1 keep-alive connection with the cookies of a session"

    def __init__(self, port, cookies=None, language='pl'):
        self.port = port
        # shared by clients of one session on several portal processes
        self.cookies = {} if cookies is None else cookies
        self.language = language
        self.connection = None

    def request(self, method, path, form=None):
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                '127.0.0.1', self.port, timeout=60)
        headers = {'Accept-Language': self.language}
        if self.cookies:
            headers['Cookie'] = '; '.join(
                f'{k}={v}' for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
        for attempt in range(2):
            try:
                self.connection.request(
                    method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                # the server closed an idle keep-alive connection: again
                # on a new one, once
                self.connection.close()
                if attempt:
                    self.connection = None
                    raise
                self.connection = http.client.HTTPConnection(
                    '127.0.0.1', self.port, timeout=60)
        for header, value in response.getheaders():
            if header.lower() == 'set-cookie':
                name, _, rest = value.partition('=')
                self.cookies[name.strip()] = rest.split(';', 1)[0]
        if response.getheader('Connection', '').lower() == 'close':
            self.connection.close()
            self.connection = None
        return response.status, data.decode('utf-8', 'replace')

    def login(self, email, password):
        status, page = self.request('GET', '/login')
        token = CSRF.search(page)[1]
        status, _ = self.request('POST', '/login', {
                'email': email, 'password': password, 'csrf_token': token})
        if status != 302 or 'b2b_session' not in self.cookies:
            raise RuntimeError(f"log in of {email} failed ({status})")

    def rep_login(self, login, password):
        "Log in to the reps' area with a back-office login"
        status, page = self.request('GET', '/rep/login')
        token = CSRF.search(page)[1]
        status, _ = self.request('POST', '/rep/login', {
                'login': login, 'password': password, 'csrf_token': token})
        if status != 302 or 'b2b_rep_session' not in self.cookies:
            raise RuntimeError(f"log in of rep {login} failed ({status})")

    def prepare_cart(self):
        """Put the first product of the catalog in the cart; return the
        cart line's id and the CSRF token of the session"""
        status, page = self.request('GET', '/')
        token = CSRF.search(page)[1]
        product = PRODUCT.search(page)[1]
        status, _ = self.request('POST', '/cart/add', {
                'product': product, 'quantity': '12', 'next': '/cart',
                'csrf_token': token})
        status, page = self.request('GET', '/cart')
        match = LINE.search(page)
        if status != 200 or not match:
            raise RuntimeError("no cart line to update")
        return match[1], CSRF.search(page)[1]


class SMTPSink(socketserver.ThreadingTCPServer):
    "An SMTP server that accepts every message and counts them"
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.received = 0
        super().__init__(('127.0.0.1', 0), _SMTPHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def uri(self):
        return f'smtp://127.0.0.1:{self.server_address[1]}'


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b'220 sink\r\n')
        data = False
        for line in self.rfile:
            if data:
                if line in {b'.\r\n', b'.\n'}:
                    data = False
                    self.server.received += 1
                    self.wfile.write(b'250 OK\r\n')
                continue
            command = line[:4].upper()
            if command == b'DATA':
                data = True
                self.wfile.write(b'354 go on\r\n')
            elif command == b'QUIT':
                self.wfile.write(b'221 bye\r\n')
                break
            else:
                self.wfile.write(b'250 OK\r\n')


def bench_config(config_path, smtp_uri):
    """Write the configuration of the portal and the worker: the one given,
    e-mails to the sink, the queue's tasks to the worker; return its path"""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(config_path, encoding='utf-8')
    for section, option, value in [
            ('email', 'uri', smtp_uri), ('queue', 'worker', 'True')]:
        if not parser.has_section(section):
            parser.add_section(section)
        parser.set(section, option, value)
    file = tempfile.NamedTemporaryFile('w', prefix='b2b-bench-',
        suffix='.conf', delete=False, encoding='utf-8')
    with file:
        parser.write(file)
    return file.name


def start_worker(database, config_path):
    "Start one trytond-worker process doing the queue's tasks"
    from b2b_suite.serving import portal_environment
    env, _ = portal_environment(database, config_path, '127.0.0.1:0')
    # its own process group: the worker runs its tasks in a child process,
    # which must stop with it
    return subprocess.Popen([sys.executable, '-m', 'trytond.cli.worker',
            '-c', str(config_path), '-d', database, '-n', '1'],
        env=env, stdin=subprocess.DEVNULL, start_new_session=True)


def _stop(process, group=False):
    "Stop the process (and its process group when it leads one)"
    def send(sig):
        if group:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
    send(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        process.wait()
    if group:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _run_clients(clients, action, duration, server, database):
    """Run action(client, i) in a loop in one thread per client for the
    duration (after WARMUP seconds not counted); return the latencies in
    ms and the errors. The action returns whether it succeeded, or the
    milliseconds of its timed part."""
    start = threading.Barrier(len(clients) + 1)
    stop = threading.Event()
    counting = threading.Event()
    latencies = [[] for _ in clients]
    errors = []

    def loop(index, client):
        start.wait()
        i = 0
        while not stop.is_set():
            i += 1
            began = time.perf_counter()
            try:
                ok = action(client, index, i)
            except Exception as exception:
                ok = False
                if len(errors) < 5:
                    errors.append(repr(exception))
            elapsed = (time.perf_counter() - began) * 1000
            if ok is not True and ok:
                elapsed = ok
            if counting.is_set() and not stop.is_set():
                if ok:
                    latencies[index].append(elapsed)
                else:
                    errors.append('failed')
    threads = [threading.Thread(target=loop, args=(i, c), daemon=True)
        for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    time.sleep(WARMUP)
    counting.set()
    began = time.perf_counter()
    cpu = _cpu_seconds(server, database)
    time.sleep(duration)
    stop.set()
    elapsed = time.perf_counter() - began
    end = _cpu_seconds(server, database)
    cpu = [end[0] - cpu[0], end[1] - cpu[1],
        # per backend: one that ended took its time with it (so a little
        # less than used), one that started counts from 0
        sum(max(ticks - cpu[2].get(pid, 0), 0)
            for pid, ticks in end[2].items())]
    for thread in threads:
        thread.join(timeout=60)
    print(f"  CPU while measured: load generator {cpu[0] / elapsed:.0%} "
        f"of a core, portal (gunicorn) and worker {cpu[1] / elapsed:.0%}, "
        f"PostgreSQL {cpu[2] / elapsed:.0%}", flush=True)
    return [x for l in latencies for x in l], errors, elapsed


def _cpu_seconds(server, database):
    """Return the CPU seconds used so far by this process (the clients),
    the processes of server (the pids of the portal and the worker) and
    their children, and the PostgreSQL backends of the database (from
    /proc, 0 elsewhere)"""
    clock = os.sysconf('SC_CLK_TCK') if hasattr(os, 'sysconf') else 100
    portal, postgres = 0, {}
    try:
        entries = os.listdir('/proc')
    except OSError:
        entries = []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as stat:
                fields = stat.read().rpartition(')')[2].split()
            with open(f'/proc/{entry}/cmdline', 'rb') as cmdline:
                command = cmdline.read().decode('utf-8', 'replace')
        except OSError:
            continue
        ticks = int(fields[11]) + int(fields[12])
        if int(entry) in server or int(fields[1]) in server:
            portal += ticks
        elif command.startswith('postgres:') and (
                f' {database} ' in command):
            postgres[entry] = ticks / clock
    return time.process_time(), portal / clock, postgres


def _summary(name, latencies, errors, elapsed):
    if not latencies:
        raise RuntimeError(f"{name}: no successful request ({errors[:3]})")
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    rps = len(latencies) / elapsed
    print(f"{name:8s} {len(latencies):6d} requests in {elapsed:4.1f} s: "
        f"{rps:7.1f} requests/s, median {p50:7.1f} ms, p95 {p95:7.1f} ms, "
        f"max {latencies[-1]:7.1f} ms, errors {len(errors)}", flush=True)
    if errors:
        print(f"  first errors: {sorted(set(errors))[:3]}", flush=True)
    return p50, p95, rps


def start_server(database, config_path, port, workers=WORKERS,
        threads=THREADS):
    "Start gunicorn serving the portal; return the process when it answers"
    from b2b_suite.serving import portal_command, portal_environment
    env, _ = portal_environment(database, config_path,
        f'127.0.0.1:{port}')
    env['SECRET_KEY'] = secrets.token_hex(32)
    command = portal_command(f'127.0.0.1:{port}', workers=workers,
        threads=threads, access_log=False) + ['--keep-alive', '30']
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"gunicorn stopped (exit code {process.returncode})")
        try:
            connection = http.client.HTTPConnection(
                '127.0.0.1', port, timeout=5)
            connection.request('GET', '/login')
            if connection.getresponse().status == 200:
                # every worker up (each imports the pool on its own)
                time.sleep(2)
                return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError("the portal did not answer within 120 s")


def measure(database, config_path, duration=DURATION, clients=CLIENTS,
        workers=WORKERS, scenarios=None):
    """Measure the scenarios (all by default) and return their figures
    (the JSON line's)"""
    from b2b_suite.demo import DEMO_PASSWORD, REP_PASSWORD
    emails = accounts(database, clients)
    if len(emails) < clients:
        raise RuntimeError(f"only {len(emails)} accounts with a price list")
    reps = rep_logins(database, clients)
    if len(reps) < clients:
        # a database loaded before the reps' module was activated
        from b2b_suite.demo.large import ensure_large_reps
        ensure_large_reps(database)
        reps = rep_logins(database, clients)
    if len(reps) < clients:
        raise RuntimeError(f"only {len(reps)} reps in the large set")
    port = _free_port()
    print(f"Portal: gunicorn, {workers} worker processes × {THREADS} "
        f"threads on 127.0.0.1:{port}, one trytond-worker; {clients} "
        f"clients (keep-alive connections, one account each of as many "
        f"companies), {duration} s per scenario after {WARMUP} s of "
        f"warm-up", flush=True)
    sink = SMTPSink()
    config_path = bench_config(config_path, sink.uri)
    worker = start_worker(database, config_path)
    server = start_server(database, config_path, port, workers=workers)
    pids = {server.pid, worker.pid}
    try:
        wait_for_queue(database)
        sessions = [Client(port) for _ in emails]
        for session, email in zip(sessions, emails):
            session.login(email, DEMO_PASSWORD)
        carts = [session.prepare_cart() for session in sessions]

        def catalog(client, index, i):
            page = (index + i) % PAGES + 1
            status, body = client.request('GET', f'/?page={page}')
            return status == 200 and body.count('class="card"') == 48

        def cart(client, index, i):
            line, token = carts[index]
            status, _ = client.request('POST', f'/cart/line/{line}', {
                    'quantity': str(12 * (1 + i % 3)),
                    'csrf_token': token})
            return status == 302

        def checkout(client, index, i):
            "Fill the cart again, then time the placing of the order"
            _, token = carts[index]
            status, _ = client.request('POST', '/cart/add', {
                    'product': products[index], 'quantity': '12',
                    'next': '/cart', 'csrf_token': token})
            status, page = client.request('GET', '/checkout')
            if status != 200:
                return False
            form = dict(CHOICE.findall(page), csrf_token=token,
                reference=f'BENCH-{index}-{i}')
            began = time.perf_counter()
            status, _ = client.request('POST', '/checkout', form)
            elapsed = (time.perf_counter() - began) * 1000
            return status == 302 and elapsed

        rep_sessions = [Client(port) for _ in reps]
        for session, login in zip(rep_sessions, reps):
            session.rep_login(login, REP_PASSWORD)

        def rep_search(client, index, i):
            "A rep searches the companies they serve"
            query = REP_SEARCHES[(index + i) % len(REP_SEARCHES)]
            status, body = client.request('GET',
                '/rep/?' + urllib.parse.urlencode({'q': query}))
            return status == 200 and 'rep-search' in body

        # the product each client orders: the one of its cart
        products = [_cart_product(session) for session in sessions]
        results = {}
        for name, action, clients_ in [
                ('catalog', catalog, sessions), ('cart', cart, sessions),
                ('checkout', checkout, sessions),
                ('rep_search', rep_search, rep_sessions)]:
            if scenarios and name not in scenarios:
                continue
            results[name] = _summary(name,
                *_run_clients(clients_, action, duration, pids,
                    database))
    finally:
        _stop(server)
        _stop(worker, group=True)
        sink.shutdown()
        os.unlink(config_path)
    print(f"  e-mails received by the SMTP sink: {sink.received}",
        flush=True)
    figures = {}
    if 'catalog' in results:
        catalog_p50, catalog_p95, catalog_rps = results['catalog']
        figures.update({
                'catalog_p50_ms': round(catalog_p50, 1),
                'catalog_p95_ms': round(catalog_p95, 1),
                })
    for name in ['cart', 'checkout', 'rep_search']:
        if name in results:
            figures[f'{name}_p95_ms'] = round(results[name][1], 1)
    if 'catalog' in results:
        figures['catalog_rps'] = round(catalog_rps, 1)
    return figures


def queued_tasks(database):
    """Return the number of the queue's tasks no worker has taken yet (a
    failed task stays taken and unfinished)"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(database, 0, readonly=True):
        Queue = Pool().get('ir.queue')
        return Queue.search_count([('dequeued_at', '=', None)])


def wait_for_queue(database, timeout=300):
    """Wait until the worker has done the tasks an earlier run left (the
    confirmation and processing of its orders): they would otherwise take
    the cores from the portal while it is measured"""
    deadline = time.monotonic() + timeout
    left = queued_tasks(database)
    if left:
        print(f"  waiting for the worker to do {left} tasks of an earlier "
            "run", flush=True)
    while left and time.monotonic() < deadline:
        time.sleep(2)
        left = queued_tasks(database)


def _cart_product(client):
    "Return the id of the product of the client's cart"
    status, page = client.request('GET', '/cart')
    match = re.search(r'href="/product/(\d+)"', page)
    if status != 200 or not match:
        raise RuntimeError("no product in the cart")
    return match[1]


if __name__ == '__main__':
    # python -m bench.portal DATABASE CONFIG: on a prepared database
    print(json.dumps(measure(sys.argv[1], sys.argv[2])))
