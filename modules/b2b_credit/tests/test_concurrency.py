# This file is part of the B2B wholesale suite.
"""Checkouts on credit in parallel transactions (PostgreSQL)"""
import threading
import unittest
from decimal import Decimal

from b2b_base.tests.tools import SUITE_MODULES, create_customer
from b2b_base.transaction import run_in_transaction
from trytond import backend
from trytond.exceptions import UserError
from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME,
    TestCase,
    activate_module,
    drop_db,
)
from trytond.transaction import Transaction

from .tools import CreditSetupMixin, place_order

BUYERS = 20
# PostgreSQL's SQLSTATE of a statement cancelled by lock_timeout
LOCK_NOT_AVAILABLE = '55P03'
# how long a held checkout keeps its transaction open at most: far longer
# than any lock_timeout below, so that a lock wait can only end by the
# timeout, however slow the machine
HOLD = 300


def set_lock_timeout(timeout):
    """Make any wait for a lock of the current transaction fail after
    timeout (lock_timeout counts only the time spent waiting for a lock,
    not the time the work takes: a busy machine does not trigger it)"""
    # SET LOCAL takes no parameter: set_config(…, true) is the same
    Transaction().connection.cursor().execute(
        "SELECT set_config('lock_timeout', %s, true)", (timeout,))


def run_transaction(func, context, hold=None):
    """Run func in a transaction of its own that commits, starting again
    when Tryton asks (as its dispatcher does); hold() runs before the
    commit"""
    def work():
        result = func()
        if hold:
            hold()
        return result
    return run_in_transaction(DB_NAME, work, user=1, context=context)


@unittest.skipUnless(backend.name == 'postgresql', "row locks of PostgreSQL")
class CreditConcurrencyTestCase(CreditSetupMixin, TestCase):
    "Checkouts on credit in parallel"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(SUITE_MODULES)

        def setup():
            company = create_company()
            with set_company(company):
                cls._setup_credit(cls, company)
                cls.company_id = company.id
                cls.ids = (cls.carrier.id, cls.deferred.id)
        run_transaction(setup, {})
        cls.context = {'company': cls.company_id,
            'companies': [cls.company_id]}

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    def _customer(self, name, nip, buyers, limit):
        """Create a company with buyers whose carts hold a drill each;
        return the ids of the buyers and of the company's address"""
        def create():
            pool = Pool()
            Sale = pool.get('sale.sale')
            Product = pool.get('product.product')
            drill, = Product.search([('name', '=', "Drill")])
            party, users = create_customer(name, nip,
                [(f'buyer{i}@{nip}.example', 'buyer')
                    for i in range(buyers)], group=self.group.id)
            self._set_limit(party, limit)
            for user in users:
                Sale.b2b_cart_add(user, [(drill, 1)])
            return [u.id for u in users], party.addresses[0].id
        return run_transaction(create, self.context)

    def _place(self, buyer_id, address_id):
        "Place the buyer's cart on credit and return the order"
        return place_order(buyer_id, address_id, *self.ids)

    def test_parallel_checkouts_never_exceed_the_limit(self):
        "20 buyers of one company at once: the limit holds"
        buyers, address = self._customer(
            "Many Buyers", '1132853869', BUYERS, '1000')
        results = [None] * BUYERS
        start = threading.Barrier(BUYERS)

        def buy(index):
            start.wait()
            try:
                total = run_transaction(lambda: self._place(
                        buyers[index], address).total_amount,
                    self.context)
                results[index] = ('confirmed', total)
            except UserError as exception:
                results[index] = ('refused', exception.message)

        threads = [threading.Thread(target=buy, args=(i,))
            for i in range(BUYERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            # only a guard against a hang (PostgreSQL detects deadlocks),
            # no measure of speed
            thread.join(HOLD)
            self.assertFalse(thread.is_alive(), results)

        # each order is 147.60 with the courier: 6 fit in 1000.00
        confirmed = [r[1] for r in results if r and r[0] == 'confirmed']
        refused = [r[1] for r in results if r and r[0] == 'refused']
        self.assertEqual(len(confirmed) + len(refused), BUYERS, results)
        self.assertEqual(len(confirmed), 6, results)
        for message in refused:
            self.assertIn("Deferred payment is not available", message)
            self.assertIn("exceeds the available trade credit", message)
        with Transaction().start(DB_NAME, 1, context=self.context):
            pool = Pool()
            Sale = pool.get('sale.sale')
            Party = pool.get('party.party')
            WebUser = pool.get('web.user')
            party = Party(WebUser(buyers[0]).party.id)
            orders = Sale.search([
                    ('party', '=', party.id),
                    ('state', '=', 'confirmed'),
                    ])
            total = sum((o.total_amount for o in orders), Decimal(0))
            self.assertEqual(len(orders), 6)
            self.assertLessEqual(total, Decimal('1000'))
            self.assertEqual(party.b2b_credit_available,
                Decimal('1000') - total)

    def _hold_checkout(self, buyer, address, outcome):
        """Start the buyer's checkout in a thread that keeps its transaction
        (and its locks) open until the returned event is set; return the
        thread and the event once the checkout is done but not committed"""
        held, release = threading.Event(), threading.Event()

        def hold():
            held.set()
            release.wait(HOLD)

        def first():
            try:
                outcome['first'] = run_transaction(lambda: self._place(
                        buyer, address).state,
                    self.context, hold=hold)
            except Exception as exception:
                outcome['first'] = exception
                held.set()

        thread = threading.Thread(target=first)
        thread.start()
        self.assertTrue(held.wait(HOLD))
        self.assertNotIn('first', outcome)
        return thread, release

    def test_other_company_does_not_wait(self):
        "A checkout held open does not make another company's wait"
        (first_buyer,), first_address = self._customer(
            "First", '5260250274', 1, '1000')
        (other_buyer,), other_address = self._customer(
            "Other", '7740001454', 1, '1000')
        outcome = {}
        thread, release = self._hold_checkout(
            first_buyer, first_address, outcome)
        try:
            def other():
                # any wait for a lock fails this checkout: the only
                # transaction it could wait for is the held one
                set_lock_timeout('2s')
                return self._place(other_buyer, other_address).state
            state = run_transaction(other, self.context)
            self.assertEqual(state, 'confirmed')
            # the other company's checkout committed while the first
            # was still open
            self.assertNotIn('first', outcome)
        finally:
            release.set()
            thread.join(HOLD)
        self.assertEqual(outcome['first'], 'confirmed')

    def test_same_company_waits(self):
        "A checkout held open makes another of the same company wait"
        (first_buyer, second_buyer), address = self._customer(
            "Same", '9542583988', 2, '1000')
        outcome = {}
        thread, release = self._hold_checkout(first_buyer, address, outcome)
        try:
            def second():
                # the same setting as for the other company: here the
                # checkout waits for the held one's lock, so it is
                # cancelled
                set_lock_timeout('2s')
                return self._place(second_buyer, address).state
            with self.assertRaises(
                    backend.DatabaseOperationalError) as raised:
                run_transaction(second, self.context)
            self.assertEqual(
                getattr(raised.exception, 'sqlstate', None)
                or getattr(raised.exception, 'pgcode', None),
                LOCK_NOT_AVAILABLE, raised.exception)
            self.assertNotIn('first', outcome)
        finally:
            release.set()
            thread.join(HOLD)
        self.assertEqual(outcome['first'], 'confirmed')
        # once the first committed the same checkout goes through
        state = run_transaction(
            lambda: self._place(second_buyer, address).state, self.context)
        self.assertEqual(state, 'confirmed')
