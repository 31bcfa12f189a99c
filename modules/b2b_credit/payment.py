# This file is part of the B2B wholesale suite.
"""Payments of customer companies: one accounting move per payment,
allocated to invoices, the rest left as the company's credit balance"""
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import PaymentError

STATES = [
    ('posted', "Posted"),
    ('cancelled', "Cancelled"),
    ]


class Payment(ModelSQL, ModelView):
    __name__ = 'b2b.payment'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    party = fields.Many2One(
        'party.party', "Company Paying", required=True, readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    date = fields.Date("Date", required=True, readonly=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        readonly=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')
    journal = fields.Many2One('account.journal', "Journal", readonly=True)
    account = fields.Many2One(
        'account.account', "Cash Account", readonly=True,
        help="The bank or cash account the money came into.")
    move = fields.Many2One('account.move', "Move", readonly=True)
    cancel_move = fields.Many2One(
        'account.move', "Cancel Move", readonly=True,
        states={
            'invisible': ~Eval('cancel_move'),
            })
    reference = fields.Char("Reference", readonly=True)
    origin = fields.Reference(
        "Origin", selection='get_origin', readonly=True,
        help="Where the payment comes from, e.g. a bank statement line.")
    reason = fields.Text(
        "Reason", readonly=True,
        help="Why the payment was matched to these invoices.")
    allocations = fields.One2Many(
        'b2b.payment.allocation', 'payment', "Allocations", readonly=True)
    allocated_amount = fields.Function(Monetary(
            "Allocated", currency='currency', digits='currency'),
        'get_amounts')
    credit_amount = fields.Function(Monetary(
            "Left as Credit Balance", currency='currency',
            digits='currency'),
        'get_amounts')
    state = fields.Selection(STATES, "State", required=True, readonly=True)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'cancel_button': {
                    'invisible': Eval('state') != 'posted',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'posted'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def _get_origin(cls):
        "Return the names of the models a payment may come from"
        pool = Pool()
        models = ['account.invoice']
        for name in ['account.statement.line']:
            try:
                pool.get(name)
            except KeyError:
                continue
            models.append(name)
        return models

    @classmethod
    def get_origin(cls):
        IrModel = Pool().get('ir.model')
        return [(None, '')] + [
            (m, IrModel.get_name(m)) for m in cls._get_origin()]

    @classmethod
    def get_amounts(cls, payments, names):
        result = {n: {} for n in names}
        for payment in payments:
            allocated = sum((a.amount for a in payment.allocations),
                Decimal(0))
            if 'allocated_amount' in names:
                result['allocated_amount'][payment.id] = allocated
            if 'credit_amount' in names:
                result['credit_amount'][payment.id] = (
                    payment.amount - allocated
                    if payment.state == 'posted' else Decimal(0))
        return result

    def get_rec_name(self, name):
        return f'{self.party.rec_name} {self.date} {self.amount}'

    @classmethod
    def b2b_payments(cls, web_user):
        "Return the booked payments of the account's company, newest first"
        web_user.b2b_check('view', web_user.party)
        return cls.b2b_company_payments(web_user.party)

    @classmethod
    def b2b_company_payments(cls, party, limit=None):
        """Return the company's booked payments, newest first (those the user
        may read); the caller decides who may see them"""
        return cls.search([
                ('party', '=', party.id),
                ('state', '=', 'posted'),
                ], order=[('date', 'DESC'), ('id', 'DESC')], limit=limit)

    @classmethod
    def b2b_paid_since(cls, party, company, since):
        "Return the amount of the party's payments recorded after since"
        from .party import paid_since_query
        cursor = Transaction().connection.cursor()
        cursor.execute(*paid_since_query(
                cls.__table__(), party.id, company.id, since))
        value, = cursor.fetchone()
        return Decimal(str(value or 0))

    @classmethod
    def _payment_accounts(cls, company, date, journal=None, account=None):
        """Return the journal and the cash account of a payment: those
        given, else those of the configured invoice payment method"""
        pool = Pool()
        Configuration = pool.get('b2b.configuration')
        method = Configuration(1).payment_method
        if method and method.company != company:
            method = None
        if journal is None and method:
            journal = method.journal
        if account is None and method:
            account = method.debit_account.current(date=date)
        if not journal or not account:
            raise PaymentError(gettext(
                    'b2b_credit.msg_payment_not_configured'))
        return journal, account

    @classmethod
    def b2b_open_invoices(cls, party, company=None):
        """Return the open (posted, not paid) customer invoices of the
        party, oldest first"""
        Invoice = Pool().get('account.invoice')
        domain = [
            ('party', '=', party.id),
            ('type', '=', 'out'),
            ('state', '=', 'posted'),
            ]
        if company:
            domain.append(('company', '=', company.id))
        return Invoice.search(domain, order=[
                ('invoice_date', 'ASC NULLS FIRST'), ('number', 'ASC'),
                ('id', 'ASC')])

    @classmethod
    def record(cls, party, amount, date, invoices=None, reference=None,
            origin=None, journal=None, reason=None, account=None):
        """Book a payment of amount by party on date and return it.

        One posted move: debit of the cash account (of journal, else of
        the configured payment method), credit of the receivable. The
        amount pays the invoices in the order given (else the party's open
        invoices, oldest first), each in full or the last in part; what is
        left stays as the party's credit balance."""
        pool = Pool()
        Company = pool.get('company.company')
        Invoice = pool.get('account.invoice')
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        Period = pool.get('account.period')
        Allocation = pool.get('b2b.payment.allocation')

        company_id = Transaction().context.get('company')
        if invoices:
            company = invoices[0].company
        elif company_id is not None and company_id >= 0:
            company = Company(company_id)
        else:
            raise PaymentError(gettext('b2b_credit.msg_payment_no_company'))
        currency = company.currency
        amount = currency.round(Decimal(str(amount)))
        if amount <= 0:
            raise PaymentError(gettext(
                    'b2b_credit.msg_payment_amount_positive'))
        journal, cash_account = cls._payment_accounts(
            company, date, journal=journal, account=account)

        if invoices is None:
            invoices = cls.b2b_open_invoices(party, company)
        else:
            invoices = Invoice.browse(invoices)
            for invoice in invoices:
                if (invoice.type != 'out' or invoice.party != party
                        or invoice.company != company
                        or invoice.state != 'posted'
                        or invoice.currency != currency):
                    raise PaymentError(gettext(
                            'b2b_credit.msg_payment_invoice_not_open',
                            invoice=invoice.rec_name,
                            party=party.rec_name))
            if len(set(invoices)) != len(invoices):
                raise PaymentError(gettext(
                        'b2b_credit.msg_payment_invoice_twice'))

        allocations, left = [], amount
        for invoice in invoices:
            if left <= 0:
                break
            to_pay = invoice.amount_to_pay
            if not to_pay or to_pay <= 0:
                continue
            paid = min(to_pay, left)
            allocations.append((invoice, paid, paid == to_pay))
            left -= paid

        payment = cls(company=company, party=party, date=date,
            amount=amount, journal=journal, account=cash_account,
            reference=reference, origin=origin, reason=reason,
            state='posted')
        payment.save()

        lines = [Line(account=cash_account, debit=amount, credit=0)]
        if cash_account.party_required:
            lines[0].party = party
        for invoice, paid, _ in allocations:
            lines.append(Line(account=invoice.account, party=party,
                    debit=0, credit=paid))
        if left:
            # an overpayment stays on the receivable as a credit balance
            lines.append(Line(
                    account=party.account_receivable_used, party=party,
                    debit=0, credit=left))
        move = Move(journal=journal, company=company, date=date,
            period=Period.find(company, date=date), origin=payment,
            description=reference, lines=lines)
        move.save()
        Move.post([move])

        # the saved lines, by account and amount (equal ones are alike)
        saved = defaultdict(list)
        for line in move.lines:
            saved[(line.account.id, line.credit)].append(line)
        Invoice.add_payment_lines({
                invoice: [saved[(invoice.account.id, paid)].pop(0)]
                for invoice, paid, _ in allocations})
        paid_invoices = []
        for invoice, _, full in allocations:
            if not full:
                continue
            invoice = Invoice(invoice.id)
            to_reconcile = [l for l in list(invoice.lines_to_pay)
                + list(invoice.payment_lines) if not l.reconciliation]
            Line.reconcile(to_reconcile)
            paid_invoices.append(invoice)
        # the queued processing would run only after commit; the invoice
        # must read "paid" at once
        Invoice.process(Invoice.browse(paid_invoices))

        payment.move = move
        payment.save()
        Allocation.save([
                Allocation(payment=payment, invoice=invoice, amount=paid)
                for invoice, paid, _ in allocations])
        return payment

    @classmethod
    def cancel(cls, payments):
        """Undo the payments: their move is cancelled by a reversing move,
        the invoices they paid are open again"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        Reconciliation = pool.get('account.move.reconciliation')

        payments = [p for p in payments if p.state == 'posted']
        for payment in payments:
            move = payment.move
            invoices = list({a.invoice for a in payment.allocations})
            reconciliations = list({l.reconciliation for l in move.lines
                    if l.reconciliation})
            if reconciliations:
                Reconciliation.delete(reconciliations)
                Invoice.process(Invoice.browse(invoices))
            Invoice.remove_payment_lines(list(move.lines))

            cancel_move = move.cancel()
            cancel_move.origin = payment
            cancel_move.save()
            Move.post([cancel_move])
            # each line of the payment is settled by its reversal
            reversals = defaultdict(list)
            for line in cancel_move.lines:
                reversals[(line.account, line.party,
                        line.credit - line.debit)].append(line)
            for line in move.lines:
                if not line.account.reconcile:
                    continue
                key = (line.account, line.party, line.debit - line.credit)
                if reversals[key]:
                    Line.reconcile([line, reversals[key].pop()])
            payment.cancel_move = cancel_move
            payment.state = 'cancelled'
        cls.save(payments)

    @classmethod
    @ModelView.button
    def cancel_button(cls, payments):
        cls.cancel(payments)

    @classmethod
    def check_modification(cls, mode, payments, values=None, external=False):
        super().check_modification(
            mode, payments, values=values, external=external)
        if mode == 'delete':
            for payment in payments:
                if payment.move:
                    raise PaymentError(gettext(
                            'b2b_credit.msg_payment_delete_posted',
                            payment=payment.rec_name))


class PaymentAllocation(ModelSQL, ModelView):
    __name__ = 'b2b.payment.allocation'

    payment = fields.Many2One(
        'b2b.payment', "Payment", required=True, ondelete='CASCADE')
    invoice = fields.Many2One(
        'account.invoice', "Invoice", required=True, ondelete='RESTRICT')
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"),
        'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # who may read a payment may read what it paid, nobody else (the
        # payment's access rights and record rules apply)
        cls.__access__.add('payment')

    @fields.depends('payment', '_parent_payment.company')
    def on_change_with_currency(self, name=None):
        if self.payment and self.payment.company:
            return self.payment.company.currency


class Move(metaclass=PoolMeta):
    __name__ = 'account.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['b2b.payment']


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    @classmethod
    def _b2b_company_paths(cls):
        return super()._b2b_company_paths() | {
            'b2b.payment': 'party',
            }
