# This file is part of the B2B wholesale suite.
"""Placing an order on credit, for the concurrency tests and the credit
benchmark (b2b_suite.bench.credit), and accounting and a shop for the
tests of trade credit.

Importing this file imports none of trytond's test machinery, which the
benchmark must not load (trytond.tests.test_tryton puts the pool in test
mode, b2b_base's test tools need the test extra): the mixin imports it
when it runs."""
import datetime
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction


def place_order(buyer_id, address_id, carrier_id, method_id):
    """Place the buyer's cart (web.user) with the payment method, delivered
    by the carrier to the address, and return the order; by ids, as the
    callers pass them between transactions and processes"""
    pool = Pool()
    Sale = pool.get('sale.sale')
    WebUser = pool.get('web.user')
    Address = pool.get('party.address')
    Carrier = pool.get('carrier')
    Method = pool.get('b2b.payment.method')
    buyer = WebUser(buyer_id)
    return Sale.b2b_place_order(buyer, Sale.b2b_cart(buyer),
        shipment_address=Address(address_id),
        carrier=Carrier(carrier_id), payment_method=Method(method_id))


class CreditSetupMixin:
    "A company with a chart of accounts, a fiscal year, a shop, credit"

    def _setup_credit(self, company):
        from b2b_base.tests.test_cart import CartTestMixin
        from b2b_base.tests.test_pricing import PricingTestMixin
        from trytond.modules.account.tests import (
            create_chart,
            get_fiscalyear,
        )
        from trytond.modules.account_invoice.tests import (
            set_invoice_sequences,
        )
        pool = Pool()
        FiscalYear = pool.get('account.fiscalyear')
        Account = pool.get('account.account')
        Journal = pool.get('account.journal')
        InvoiceMethod = pool.get('account.invoice.payment.method')
        Configuration = pool.get('b2b.configuration')
        Method = pool.get('b2b.payment.method')

        create_chart(company)
        fiscalyear = set_invoice_sequences(get_fiscalyear(company))
        fiscalyear.save()
        FiscalYear.create_period([fiscalyear])
        PricingTestMixin._setup(self, company)
        CartTestMixin._shop(self)
        self.revenue, = Account.search([
                ('type.revenue', '=', True),
                ('closed', '=', False),
                ], limit=1)
        self.cash, = Account.search([
                ('name', '=', "Cash and Cash Equivalents"),
                ('type', '!=', None),
                ], limit=1)
        self.cash_journal, = Journal.search([('type', '=', 'cash')],
            limit=1)
        self.revenue_journal, = Journal.search([('type', '=', 'revenue')],
            limit=1)
        method = InvoiceMethod(name="Bank", company=company,
            journal=self.cash_journal, debit_account=self.cash,
            credit_account=self.cash)
        method.save()
        configuration = Configuration(1)
        configuration.payment_method = method
        configuration.save()
        self.deferred = Method(name="Trade credit", kind='deferred')
        self.deferred.save()
        self.group.payment_methods = [self.transfer, self.deferred]
        self.group.save()

    def _set_limit(self, party, amount):
        party.credit_limit_amount = Decimal(amount)
        party.save()

    def _invoice(self, amount, due_in=14, party=None):
        """Post a customer invoice of today of amount (gross, no tax), due
        in due_in days (negative: overdue), and return it"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Date = pool.get('ir.date')
        date = Date.today()
        invoice = Invoice(type='out', party=party or self.party,
            journal=self.revenue_journal, invoice_date=date,
            payment_term_date=date + datetime.timedelta(days=due_in))
        invoice.on_change_type()
        invoice.on_change_party()
        invoice.lines = [{
                'account': self.revenue.id, 'quantity': 1,
                'unit_price': Decimal(amount), 'description': "Goods",
                }]
        invoice.save()
        # a due date in the past is what an overdue test needs
        with Transaction().set_context(_skip_warnings=True):
            Invoice.post([invoice])
        return invoice


def with_credit(func):
    """Run the test in a transaction, in a new company with credit
    (CreditSetupMixin._setup_credit)"""
    from b2b_base.tests.test_pricing import in_company
    return in_company('_setup_credit')(func)
