# This file is part of the B2B wholesale suite.
"""Trade credit of a customer company: limit, used, available"""
import datetime
from collections import namedtuple
from decimal import Decimal

from sql import Null
from sql.aggregate import Sum
from sql.conditionals import Coalesce

from b2b_base import formats
from trytond import backend
from trytond.i18n import gettext
from trytond.model import fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, TransactionError

Credit = namedtuple('Credit', [
        'limit',  # None: no trade credit granted
        'used', 'available',
        'receivable',  # what the company owes (negative: credit balance)
        'orders',  # confirmed orders not yet invoiced, gross
        'external', 'synced_at',  # the used credit of the last ERP sync
        'overdue', 'overdue_days',
        'currency',
        ])
# why deferred payment is refused: kind ('no_credit', 'overdue',
# 'exceeded'), the message, the missing amount (for 'exceeded')
Refusal = namedtuple('Refusal', ['kind', 'message', 'missing'])


class CreditLockRetry(TransactionError):
    """The company's credit changed after this transaction started: it
    starts again (Tryton's dispatcher, the portal and the tests restart a
    transaction on a TransactionError) and sees the change"""


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    b2b_credit_used = fields.Function(Monetary(
            "Used Credit", currency='currency', digits='currency',
            help="Unpaid invoices and confirmed orders not yet invoiced "
            "(gross); with an ERP sync: its used credit plus the orders "
            "placed here since, minus the payments recorded here since."),
        'get_b2b_credit')
    b2b_credit_available = fields.Function(Monetary(
            "Available Credit", currency='currency', digits='currency'),
        'get_b2b_credit')
    b2b_credit_orders = fields.Function(Monetary(
            "Orders Not Invoiced", currency='currency', digits='currency'),
        'get_b2b_credit')
    b2b_credit_overdue = fields.Function(Monetary(
            "Overdue Blocking", currency='currency', digits='currency',
            help="Invoices overdue longer than the customer group allows."),
        'get_b2b_credit')
    b2b_credit_external_used = fields.Numeric(
        "ERP Used Credit", digits=(16, 2), readonly=True,
        states={
            'invisible': ~Eval('b2b_credit_synced_at'),
            },
        help="The used credit last sent by the external system.")
    b2b_credit_synced_at = fields.Timestamp(
        "ERP Synced At", readonly=True,
        help="When the external system last sent the used credit.")
    b2b_credit_version = fields.Integer(
        "Credit Version", readonly=True,
        help="Bumped by each checkout on credit: the company's lock.")

    @classmethod
    def get_b2b_credit(cls, parties, names):
        result = {n: {} for n in names}
        for party in parties:
            credit = party.b2b_credit()
            values = {
                'b2b_credit_used': credit.used,
                'b2b_credit_available': credit.available,
                'b2b_credit_orders': credit.orders,
                'b2b_credit_overdue': credit.overdue,
                }
            for name in names:
                result[name][party.id] = values[name]
        return result

    def _b2b_company(self, company=None):
        Company = Pool().get('company.company')
        if company is None:
            company_id = Transaction().context.get('company')
            if company_id is None or company_id < 0:
                return None
            company = Company(company_id)
        return company

    def b2b_credit(self, company=None, exclude=None):
        """Return the Credit of the company at the shop's company (the
        context's); exclude: sales not to count (the one being checked)"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Payment = pool.get('b2b.payment')
        company = self._b2b_company(company)
        zero = Decimal(0)
        if company is None:
            return Credit(None, zero, zero, zero, zero, None, None, zero,
                None, None)
        currency = company.currency
        excluded = {s.id for s in exclude or []}
        with Transaction().set_context(company=company.id):
            limit = self.get_multivalue(
                'credit_limit_amount', company=company.id)
            receivable = self.get_receivable_payable(
                [self], ['receivable'])['receivable'][self.id]
        domain = [
            ('company', '=', company.id),
            ('party', '=', self.id),
            ('id', 'not in', list(excluded)),
            ]
        orders = Sale.b2b_credit_pending_amounts(Sale.search(
                domain + [('state', 'in', ['confirmed', 'processing'])]))
        synced_at = self.b2b_credit_synced_at
        if synced_at:
            # what the ERP knows, plus what happened here since it spoke
            since = sum((s.total_amount for s in Sale.search(domain + [
                            ('state', 'in',
                                ['confirmed', 'processing', 'done']),
                            ('b2b_placed_at', '>', synced_at),
                            ])), zero)
            used = ((self.b2b_credit_external_used or zero) + since
                - Payment.b2b_paid_since(self, company, synced_at))
        else:
            used = receivable + orders
        used = currency.round(used)
        available = (currency.round(limit - used)
            if limit is not None else zero)
        overdue, days = self._b2b_overdue(company)
        return Credit(limit, used, available, receivable, orders,
            self.b2b_credit_external_used, synced_at, overdue, days,
            currency)

    def _b2b_overdue(self, company):
        """Return the amount of the invoices overdue longer than the days
        of the company's customer group (and the days)"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Date = pool.get('ir.date')
        group = self.b2b_customer_group
        days = group.overdue_days if group else None
        if days is None:
            return Decimal(0), None
        with Transaction().set_context(company=company.id):
            cutoff = Date.today() - datetime.timedelta(days=days)
        invoices = Invoice.search([
                ('company', '=', company.id),
                ('party', '=', self.id),
                ('type', '=', 'out'),
                ('state', '=', 'posted'),
                ])
        overdue = sum((i.amount_to_pay for i in invoices
                if i.b2b_due_date() and i.b2b_due_date() < cutoff
                and i.amount_to_pay > 0), Decimal(0))
        return overdue, days

    def b2b_deferred_refusal(self, amount, company=None, exclude=None,
            credit=None):
        """Return the Refusal of deferred payment of amount (gross) by the
        company, None when it fits its available credit (credit: the
        company's Credit when already computed)"""
        if credit is None:
            credit = self.b2b_credit(
                self._b2b_company(company), exclude=exclude)

        def money(value):
            # as the portal shows amounts: 1 234,56 zł, PLN 1,234.56
            return formats.money(value, credit.currency.code)
        if credit.limit is None or credit.limit <= 0:
            return Refusal('no_credit', gettext(
                    'b2b_credit.msg_deferred_no_credit',
                    party=self.rec_name), None)
        if credit.overdue > 0:
            return Refusal('overdue', gettext(
                    'b2b_credit.msg_deferred_overdue',
                    amount=money(credit.overdue),
                    days=credit.overdue_days), None)
        if amount > credit.available:
            missing = credit.currency.round(amount - credit.available)
            return Refusal('exceeded', gettext(
                    'b2b_credit.msg_deferred_exceeded',
                    total=money(amount),
                    available=money(max(credit.available, Decimal(0))),
                    missing=money(missing)), missing)
        return None

    @classmethod
    def b2b_lock_credit(cls, parties):
        """Lock the credit of the parties until the transaction ends.

        Only the parties' own rows are locked: checkouts of other companies
        never wait. The lock is an UPDATE of the row, so that under
        PostgreSQL's repeatable read a transaction whose snapshot predates
        another checkout of the same company that committed meanwhile fails
        and starts again (CreditLockRetry) instead of reading stale credit.
        With the context b2b_credit_lock='table' it uses Tryton's standard
        credit-limit table locks instead (for comparison)."""
        pool = Pool()
        transaction = Transaction()
        if backend.name != 'postgresql' or not parties:
            return
        if transaction.context.get('b2b_credit_lock') == 'table':
            for model in cls._credit_limit_to_lock():
                pool.get(model).lock()
            return
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        # always in the same order: two locks never wait on each other
        for party_id in sorted({p.id for p in parties}):
            try:
                cursor.execute(*table.update(
                        [table.b2b_credit_version],
                        [Coalesce(table.b2b_credit_version, 0) + 1],
                        where=table.id == party_id))
            except backend.DatabaseOperationalError as exception:
                if getattr(exception, 'sqlstate', None) == '40001':
                    raise CreditLockRetry() from exception
                raise

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('b2b_credit_external_used')
        default.setdefault('b2b_credit_synced_at')
        default.setdefault('b2b_credit_version')
        return super().copy(parties, default=default)


def paid_since_query(payment_table, party_id, company_id, since):
    "SQL sum of the posted payments of the party recorded after since"
    return payment_table.select(
        Coalesce(Sum(payment_table.amount), 0),
        where=(payment_table.party == party_id)
        & (payment_table.company == company_id)
        & (payment_table.state == 'posted')
        & (payment_table.create_date != Null)
        & (payment_table.create_date > since))
