# This file is part of the B2B wholesale suite.
"""20 buyers of 20 different companies check out on trade credit at once.

Ours: the credit check at confirmation locks the buyer's company only (an
UPDATE of its party row, party.party.b2b_lock_credit).
Baseline, in the same run: the same check behind Tryton's standard
credit-limit locks (what account_credit_limit / sale_credit_limit do:
``Model.lock()`` of account.move.line, sale.sale and sale.line, i.e.
``LOCK TABLE ... IN EXCLUSIVE MODE NOWAIT``, the transaction started again
until it gets them).

Each side gets 20 new companies of the demo group that offers deferred
payment, one buyer each with ORDERS carts of the same product; the limit
of each company fits ORDERS - 1 of them, so every buyer is refused once.
The buyers run as threads spread over PROCESSES processes (Python runs
one thread at a time per process), each checkout in its own transaction,
started again on a TransactionError as Tryton's dispatcher does."""
import multiprocessing
import threading
import time
import uuid
from decimal import Decimal

BUYERS = 20
ORDERS = 3
PROCESSES = 4


def _init(database, config_path):
    import logging

    # the order e-mails are sent to no server here: no log of each failure
    logging.getLogger('trytond.sendmail').setLevel(logging.CRITICAL)
    from trytond import config as trytond_config
    if config_path:
        trytond_config.update_etc(str(config_path))
    from trytond.pool import Pool
    if database not in Pool.database_list():
        Pool(database).init()


def _run(database, func, context=None, user=0):
    """Run func() in a transaction that commits, started again as Tryton
    asks (or when a lock is not obtained at the start); return
    (result, restarts)"""
    from b2b_suite import transactions
    from trytond import backend
    restarts = 0

    def count():
        nonlocal restarts
        restarts += 1
    while True:
        try:
            return transactions.run(database, func, user=user,
                context=context, on_restart=count), restarts
        except backend.DatabaseOperationalError:
            # Tryton's NOWAIT table locks not obtained after its retries
            count()
            time.sleep(0.01)


def _context(database):
    from trytond.pool import Pool

    def get():
        pool = Pool()
        User = pool.get('res.user')
        admin, = User.search([('login', '=', 'admin')])
        return admin.id, admin.company.id
    (user, company), _ = _run(database, get)
    return user, {'company': company, 'companies': [company]}


def prepare(database, config_path, label, count=BUYERS):
    """Create count companies with one buyer and ORDERS carts each;
    return [(buyer id, address id, carrier id, method id)] and the total
    of one order"""
    from trytond.pool import Pool
    _init(database, config_path)
    user, context = _context(database)

    def create():
        pool = Pool()
        Party = pool.get('party.party')
        WebUser = pool.get('web.user')
        Method = pool.get('b2b.payment.method')
        Product = pool.get('product.product')
        Sale = pool.get('sale.sale')
        method, = Method.search([('kind', '=', 'deferred')], limit=1)
        group = [g for g in method.groups if g.carriers][0]
        carrier = group.carriers[0]
        product = next(p for p in Product.search([
                    ('salable', '=', True),
                    ], order=[('id', 'ASC')], limit=100)
            if _sells_one(p))
        rows = []
        for index in range(count):
            party = Party(name=f"Bench Credit {label} {index + 1:02d}",
                b2b_customer=True, b2b_status='active',
                b2b_customer_group=group,
                addresses=[{'street': "ul. Testowa 1", 'city': "Kraków",
                        'postal_code': '30-001', 'invoice': True,
                        'delivery': True}])
            party.save()
            buyer = WebUser(email=f'bench-{uuid.uuid4().hex[:12]}'
                '@credit.example', party=party, b2b_role='buyer')
            buyer.save()
            for _ in range(ORDERS):
                cart = Sale(party=party, b2b_web_user=buyer)
                cart.on_change_party()
                cart.save()
                Sale.b2b_cart_add(buyer, [(product, 1)])
            rows.append((buyer.id, party.addresses[0].id, carrier.id,
                    method.id))
        return rows
    rows, _ = _run(database, create, context=context, user=user)
    return rows


def set_limits(database, rows, limit):
    from trytond.pool import Pool
    user, context = _context(database)

    def write():
        pool = Pool()
        WebUser = pool.get('web.user')
        Party = pool.get('party.party')
        parties = [WebUser(r[0]).party for r in rows]
        Party.write(parties, {'credit_limit_amount': limit})
    _run(database, write, context=context, user=user)


def _sells_one(product):
    "Tell if one sale unit of the product passes the selling rules"
    from trytond.exceptions import UserError
    try:
        product.b2b_check_sale_quantity(1, product.sale_uom)
    except UserError:
        return False
    return True


def place(row):
    "Place the buyer's cart on credit; return its total or the refusal"
    from b2b_credit.tests.tools import place_order
    from trytond.exceptions import UserError
    try:
        order = place_order(*row)
    except UserError as exception:
        return ('refused', exception.message)
    return ('confirmed', order.total_amount)


def _worker(database, config_path, rows, lock, barrier, queue):
    "Run a thread per row, each placing its carts one after the other"
    _init(database, config_path)
    user, context = _context(database)
    context = context | {'b2b_credit_lock': lock}
    results = []

    def buyer(row):
        for _ in range(ORDERS):
            (outcome, value), restarts = _run(
                database, lambda: place(row), context=context, user=user)
            results.append((row[0], outcome, value, restarts))

    threads = [threading.Thread(target=buyer, args=(r,)) for r in rows]
    barrier.wait()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(results)


def checkout(database, config_path, rows, lock):
    """Run the buyers of rows in PROCESSES processes with the lock mode;
    return (seconds, results)"""
    ctx = multiprocessing.get_context('spawn')
    barrier = ctx.Barrier(PROCESSES + 1)
    queue = ctx.Queue()
    chunks = [rows[i::PROCESSES] for i in range(PROCESSES)]
    processes = [ctx.Process(target=_worker,
            args=(database, config_path, chunk, lock, barrier, queue))
        for chunk in chunks]
    for process in processes:
        process.start()
    barrier.wait()
    start = time.perf_counter()
    results = []
    for _ in processes:
        results.extend(queue.get())
    elapsed = time.perf_counter() - start
    for process in processes:
        process.join()
    return elapsed, results


def overspend(database, rows, results):
    """Return the largest amount by which a company's confirmed orders on
    credit exceed its limit (0 when none does)"""
    from trytond.pool import Pool
    user, context = _context(database)

    def check():
        pool = Pool()
        WebUser = pool.get('web.user')
        Sale = pool.get('sale.sale')
        worst = Decimal(0)
        for row in rows:
            party = WebUser(row[0]).party
            orders = Sale.search([
                    ('party', '=', party.id),
                    ('state', 'in', ['confirmed', 'processing', 'done']),
                    ('b2b_payment_method.kind', '=', 'deferred'),
                    ])
            total = sum((o.total_amount for o in orders), Decimal(0))
            worst = max(worst, total - party.credit_limit_amount)
        return worst
    worst, _ = _run(database, check, context=context, user=user)
    return worst


def measure(database, config_path, say=print):
    label = time.strftime('%H%M%S')
    say(f"Preparing {BUYERS} companies × {ORDERS} carts for each side…")
    # one order placed to learn its total with the delivery cost
    probe = prepare(database, config_path, f'{label} probe', count=1)
    set_limits(database, probe, Decimal('1000000'))
    _init(database, config_path)
    user, context = _context(database)
    (_, total), _ = _run(database, lambda: place(probe[0]),
        context=context, user=user)
    limit = total * (ORDERS - 1) + total / 2
    figures = {}
    for name, lock in [('ours', 'company'), ('baseline', 'table')]:
        rows = prepare(database, config_path, f'{label} {name}')
        set_limits(database, rows, limit)
        elapsed, results = checkout(database, config_path, rows, lock)
        confirmed = [r for r in results if r[1] == 'confirmed']
        refused = [r for r in results if r[1] == 'refused']
        restarts = sum(r[3] for r in results)
        worst = overspend(database, rows, results)
        rate = len(confirmed) / elapsed
        say(f"{name:8}: {len(confirmed)} orders confirmed, "
            f"{len(refused)} refused (limit), {restarts} restarts, "
            f"{elapsed:.2f} s: {rate:.1f} orders/s; overspend {worst}")
        figures[name] = (rate, worst, len(confirmed), refused)
    ours, baseline = figures['ours'], figures['baseline']
    for _, _, count, refused in figures.values():
        assert count == BUYERS * (ORDERS - 1), count
        assert all("Deferred payment is not available" in r[2]
            for r in refused), refused[:1]
    return {
        'ours_orders_per_s': round(ours[0], 2),
        'baseline_orders_per_s': round(baseline[0], 2),
        'ratio': round(ours[0] / baseline[0], 2),
        'overspend': float(max(ours[1], baseline[1], Decimal(0))),
        }
