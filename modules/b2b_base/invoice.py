# This file is part of the B2B wholesale suite.
"""The invoices of a customer company and their payment status"""
from trytond.model import fields
from trytond.pool import Pool, PoolMeta

PAYMENT_STATUS_NAMES = [
    ('paid', "Paid"),
    ('partial', "Partially paid"),
    ('unpaid', "Unpaid"),
    ('overdue', "Overdue"),
    ]
PAYMENT_STATUSES = [code for code, _ in PAYMENT_STATUS_NAMES]


def payment_status(total, to_pay, due_date, today):
    """Return the payment status (PAYMENT_STATUSES) of an invoice of the
    total amount with to_pay left to pay, due on due_date: overdue wins
    over partially paid"""
    if not to_pay or to_pay <= 0:
        return 'paid'
    if due_date and due_date < today:
        return 'overdue'
    if to_pay < total:
        return 'partial'
    return 'unpaid'


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    b2b_payment_state = fields.Function(fields.Selection(
            [(None, "")] + PAYMENT_STATUS_NAMES, "Payment Status"),
        'get_b2b_payment_state')

    def get_b2b_payment_state(self, name):
        return self.b2b_payment_status()

    @classmethod
    def b2b_payment_status_names(cls):
        """Return the names of the payment statuses (code: name) in the
        language of the context"""
        selection = cls.fields_get(['b2b_payment_state'])[
            'b2b_payment_state']['selection']
        return {code: name for code, name in selection if code}

    def b2b_due_date(self):
        "The earliest maturity of what is left to pay (else of all)"
        lines = [l for l in self.lines_to_pay if l.maturity_date]
        open_lines = [l for l in lines if not l.reconciliation]
        dates = [l.maturity_date for l in open_lines or lines]
        return min(dates) if dates else self.invoice_date

    def b2b_payment_status(self, today=None):
        "Return the payment status of a posted invoice, None for others"
        Date = Pool().get('ir.date')
        if self.state not in {'posted', 'paid'}:
            return None
        if today is None:
            today = Date.today()
        if self.state == 'paid':
            return 'paid'
        return payment_status(self.total_amount, self.amount_to_pay,
            self.b2b_due_date(), today)

    @classmethod
    def b2b_invoices(cls, web_user):
        "Return the posted customer invoices of the account's company"
        web_user.b2b_check('view', web_user.party)
        return cls.b2b_company_invoices(web_user.party)

    @classmethod
    def b2b_company_invoices(cls, party, limit=None):
        """Return the company's posted customer invoices, newest first (those
        the user may read); the caller decides who may see them"""
        return cls.search([
                ('party', '=', party.id),
                ('type', '=', 'out'),
                ('state', 'in', ['posted', 'paid']),
                ], order=[('invoice_date', 'DESC'), ('id', 'DESC')],
            limit=limit)

    def b2b_visible(self):
        "Tell if the portal shows this invoice (a posted customer invoice)"
        return self.type == 'out' and self.state in {'posted', 'paid'}


