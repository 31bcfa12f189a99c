# This file is part of the B2B wholesale suite.
"""Bank statement files imported into account.statement, their received
transfers matched to open invoices and booked through b2b.payment

Each operation of a file becomes an ``account.statement.origin`` keyed by
``b2b_key`` (unique): reading the same file again books nothing twice.
Matched transfers are booked at once by ``b2b.payment.record`` (its move
debits the statement journal's account), so these statements are records
of the bank file; they are not posted through statement lines as well.
"""
import time
from collections import Counter
from decimal import Decimal

from sql import Literal
from sql.operators import In

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .exceptions import StatementImportError
from .matcher import InvoiceIndex, OpenInvoice, Payer, describe, match_line
from .parsers import StatementFormatError, normalize_account, parse

B2B_STATES = [
    (None, ''),
    ('matched', "Matched"),
    ('assigned', "Assigned"),
    ('review', "To Review"),
    ('skipped', "Not a customer payment"),
    ]
KINDS = [
    (None, ''),
    ('transfer', "Transfer received"),
    ('fee', "Bank fee"),
    ('outgoing', "Outgoing transfer"),
    ]


def _language():
    return Transaction().language or 'en'


def _refuse_line(filename, statement, position, line, cause):
    """The error refusing a file for one of its operations: the file, the
    operation (its number in the statement and its text) and why"""
    text = ' '.join((line.title or line.description or line.name
            or '').split())
    if len(text) > 100:
        text = text[:99] + '…'
    return StatementImportError(gettext(
            'b2b_bank_import.msg_line_refused',
            file=filename or gettext('b2b_bank_import.msg_uploaded_file'),
            statement=statement, line=position, date=line.date,
            amount=line.amount, text=text, error=cause))


def build_index(company, currency=None):
    """The open customer invoices of the company and the companies that
    may pay (B2B customers, those with open invoices or an identifying
    account), read in a few batched queries"""
    pool = Pool()
    Invoice = pool.get('account.invoice')
    Party = pool.get('party.party')
    Identifier = pool.get('party.identifier')
    AccountNumber = pool.get('bank.account.number')
    AccountParty = pool.get('bank.account-party.party')
    cursor = Transaction().connection.cursor()

    domain = [
        ('company', '=', company.id),
        ('type', '=', 'out'),
        ('state', '=', 'posted'),
        ]
    invoice_ids = [i.id for i in Invoice.search(domain)]
    invoices = []
    party_ids = set()
    for sub_ids in grouped_slice(invoice_ids, 1000):
        for values in Invoice.read(list(sub_ids), ['number', 'party',
                    'amount_to_pay', 'invoice_date', 'currency.code',
                    'b2b_ksef_number']):
            if not values['amount_to_pay'] or values['amount_to_pay'] <= 0:
                continue
            invoices.append(OpenInvoice(id=values['id'],
                    number=values['number'] or '', party=values['party'],
                    amount=values['amount_to_pay'],
                    date=values['invoice_date'],
                    ksef=values['b2b_ksef_number'] or '',
                    currency=values['currency.']['code']))
            party_ids.add(values['party'])
    # every customer: a payer is recognised (and a citation of another
    # company's invoice caught) also when it has nothing open itself
    party_ids |= {p.id for p in Party.search(['OR',
                ('b2b_virtual_account', '!=', None),
                ('b2b_customer', '=', True),
                ])}
    payers = {i: Payer(id=i) for i in party_ids}
    party = Party.__table__()
    identifier = Identifier.__table__()
    number = AccountNumber.__table__()
    owner = AccountParty.__table__()
    for sub_ids in grouped_slice(list(party_ids), 1000):
        sub_ids = list(sub_ids)
        cursor.execute(*party.select(party.id, party.name,
                party.b2b_virtual_account,
                where=In(party.id, sub_ids)))
        for id_, name, virtual in cursor:
            payers[id_].name = name or ''
            if virtual:
                payers[id_].virtual_accounts = (virtual,)
        cursor.execute(*identifier.select(identifier.party, identifier.code,
                where=In(identifier.party, sub_ids)
                & (identifier.type == Literal('pl_vat'))))
        for id_, code in cursor:
            payers[id_].nip = code
        cursor.execute(*owner.join(number,
                condition=number.account == owner.account).select(
                owner.owner, number.number,
                where=In(owner.owner, sub_ids)))
        accounts = {}
        for id_, account in cursor:
            accounts.setdefault(id_, []).append(
                normalize_account(account))
        for id_, values in accounts.items():
            payers[id_].accounts = tuple(values)
    return InvoiceIndex(invoices, payers.values())


class Statement(metaclass=PoolMeta):
    __name__ = 'account.statement'

    @classmethod
    def b2b_import(cls, company, data, filename=None, book=True):
        """Import a bank file of any supported format for the company:
        create its statements, match and book the transfers received.
        Return (statements, summary)"""
        pool = Pool()
        Journal = pool.get('account.statement.journal')
        Origin = pool.get('account.statement.origin')
        Payment = pool.get('b2b.payment')
        Invoice = pool.get('account.invoice')
        Party = pool.get('party.party')
        Period = pool.get('account.period')

        try:
            parsed = parse(data, filename)
        except StatementFormatError as e:
            raise StatementImportError(gettext(
                    'b2b_bank_import.msg_file_refused',
                    error=e.message(_language()))) from e

        summary = Counter(read=0, matched=0, queued=0, skipped=0,
            duplicate=0, errors=0)
        statements, todo, todo_origins = [], [], []
        for stmt in parsed:
            journal = Journal.get_by_bank_account(
                company.id, stmt.account, stmt.currency)
            if journal is None:
                raise StatementImportError(gettext(
                        'b2b_bank_import.msg_no_journal',
                        file=filename or gettext(
                            'b2b_bank_import.msg_uploaded_file'),
                        account=stmt.account,
                        currency=stmt.currency or ''))
            keys = stmt.line_keys()
            summary['read'] += len(keys)
            existing = set()
            for sub_keys in grouped_slice(keys, 1000):
                existing.update(o.b2b_key for o in Origin.search([
                            ('b2b_key', 'in', list(sub_keys)),
                            ]))
            label = ' '.join(filter(None, [stmt.account, stmt.number]))
            new = [(k, l, n) for n, (k, l) in enumerate(
                    zip(keys, stmt.lines), 1) if k not in existing]
            summary['duplicate'] += len(keys) - len(new)
            if not new and keys:
                continue
            total = sum((l.amount for _, l, _ in new), Decimal(0))
            start = stmt.opening_balance
            end = stmt.closing_balance
            if start is None:
                start = (end - total) if end is not None else Decimal(0)
            if end is None or len(new) != len(keys):
                end = start + total
            statement = cls(company=company, journal=journal,
                name=' '.join(filter(None, [
                            stmt.account, stmt.number,
                            stmt.format.upper()])),
                date=stmt.date or new[0][1].date,
                start_balance=start, end_balance=end,
                total_amount=total, number_of_lines=len(new),
                origin_file=data)
            origins = []
            for key, line, position in new:
                origin = Origin(statement=statement, date=line.date,
                    amount=line.amount,
                    number=(line.transaction_id or line.reference or '')[:64],
                    description=' '.join(
                        (line.title or line.description or '').split())[:250],
                    b2b_key=key, b2b_kind=line.kind,
                    b2b_counterparty=line.name,
                    b2b_counterparty_account=line.account,
                    b2b_virtual_account=line.virtual_account,
                    b2b_title=line.title,
                    b2b_bank_code=line.code)
                origins.append(origin)
                todo.append((origin, line, journal, label, position))
            statements.append(statement)
            todo_origins.extend(origins)
        if not todo:
            return statements, summary

        # matched before anything is written: a transfer to book needs an
        # open period at its date, else the file is refused naming it
        started = time.perf_counter()
        currency = company.currency.code
        index = build_index(company)
        matches = []
        for origin, line, journal, label, position in todo:
            match = match_line(index, line.amount, line.title,
                account=line.account, name=line.name,
                virtual_account=line.virtual_account, kind=line.kind,
                currency=line.currency or currency)
            if match.status == 'matched' and book:
                try:
                    Period.find(company.id, date=line.date)
                except UserError as e:
                    raise _refuse_line(filename, label, position, line,
                        e.message) from e
                for invoice_id, amount in match.allocations:
                    index.remove(invoice_id, amount)
            matches.append(match)

        cls.save(statements)
        # saved on their own (not through statement.origins) so that these
        # very instances get their ids for the payments' origin
        Origin.save(todo_origins)
        for (origin, line, journal, label, position), match in zip(
                todo, matches):
            origin.b2b_state = match.status
            origin.b2b_reason = describe(match.reasons, _language())
            origin.b2b_candidates = match.candidates
            if match.party is not None:
                origin.party = match.party
            try:
                if match.status == 'matched' and book:
                    invoices = [i for i, _ in match.allocations]
                    payment = Payment.record(Party(match.party),
                        line.amount, line.date,
                        invoices=Invoice.browse(invoices),
                        reference=origin.number or origin.description,
                        origin=origin, journal=journal.journal,
                        account=journal.account,
                        reason=describe(match.reasons, 'en'))
                    origin.b2b_payment = payment
                    summary['matched'] += 1
                elif match.status == 'review':
                    # prefilled only when it may pay for the payer found:
                    # another company's invoice stays a candidate (the
                    # field's domain would refuse it, and the file)
                    if len(match.candidates) == 1 and (match.party is None
                            or index.invoices[match.candidates[0]].party
                            == match.party):
                        origin.b2b_invoice = match.candidates[0]
                    summary['queued'] += 1
                else:
                    summary['skipped'] += 1
                # saved one by one: a refusal names its operation
                origin.save()
            except UserError as e:
                raise _refuse_line(filename, label, position, line,
                    e.message) from e
        summary['seconds'] = time.perf_counter() - started
        return statements, summary


class Origin(metaclass=PoolMeta):
    __name__ = 'account.statement.origin'

    b2b_key = fields.Char("Import Key", readonly=True,
        help="Identifies the bank operation: a file read again books "
        "nothing twice.")
    b2b_kind = fields.Selection(KINDS, "Operation", readonly=True)
    b2b_state = fields.Selection(B2B_STATES, "Matching", readonly=True)
    b2b_reason = fields.Text("Reason", readonly=True)
    b2b_counterparty = fields.Char("Counterparty", readonly=True)
    b2b_counterparty_account = fields.Char(
        "Counterparty Account", readonly=True)
    b2b_virtual_account = fields.Char("Identifying Account", readonly=True)
    b2b_title = fields.Text("Title", readonly=True)
    b2b_bank_code = fields.Char("Bank Code", readonly=True)
    b2b_candidates = fields.Many2Many(
        'b2b.bank.origin-candidate', 'origin', 'invoice', "Candidates",
        readonly=True)
    b2b_invoice = fields.Many2One('account.invoice', "Invoice to Pay",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '=', 'out'),
            # the invoice an assignment paid in full is paid
            If(Eval('b2b_state') == 'review',
                ('state', '=', 'posted'),
                ('state', 'in', ['posted', 'paid'])),
            If(Bool(Eval('party')), ('party', '=', Eval('party', -1)), ()),
            ],
        states={
            'readonly': Eval('b2b_state') != 'review',
            'invisible': Eval('b2b_kind') != 'transfer',
            },
        help="The invoice the transfer pays, booked by \"Assign\".")
    b2b_payment = fields.Many2One('b2b.payment', "Payment", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('b2b_key_unique', Unique(t, t.b2b_key),
                'b2b_bank_import.msg_origin_key_unique'),
            ]
        cls._buttons.update({
                'b2b_assign': {
                    'invisible': Eval('b2b_state') != 'review',
                    'readonly': ~Bool(Eval('b2b_invoice'))
                    & ~Bool(Eval('party')),
                    'depends': ['b2b_state', 'b2b_invoice', 'party'],
                    },
                'b2b_undo': {
                    'invisible': ~Eval('b2b_state').in_(
                        ['matched', 'assigned']),
                    'depends': ['b2b_state'],
                    },
                })

    @classmethod
    def copy(cls, origins, default=None):
        default = default.copy() if default is not None else {}
        for name in ['b2b_key', 'b2b_payment', 'b2b_state', 'b2b_reason']:
            default.setdefault(name)
        return super().copy(origins, default=default)

    @classmethod
    @ModelView.button
    def b2b_assign(cls, origins):
        """Book the transfer for the chosen invoice (else for the chosen
        company's open invoices, oldest first)"""
        pool = Pool()
        Payment = pool.get('b2b.payment')
        User = pool.get('res.user')
        user = User(Transaction().user)
        for origin in origins:
            if origin.b2b_state != 'review' or origin.b2b_payment:
                raise StatementImportError(gettext(
                        'b2b_bank_import.msg_not_to_review',
                        origin=origin.rec_name))
            if origin.b2b_kind != 'transfer' or origin.amount <= 0:
                raise StatementImportError(gettext(
                        'b2b_bank_import.msg_not_received',
                        origin=origin.rec_name))
            invoice = origin.b2b_invoice
            party = invoice.party if invoice else origin.party
            if party is None:
                raise StatementImportError(gettext(
                        'b2b_bank_import.msg_assign_what',
                        origin=origin.rec_name))
            journal = origin.statement.journal
            reasons = [('manual', user.rec_name)]
            origin.b2b_payment = Payment.record(party, origin.amount,
                origin.date, invoices=[invoice] if invoice else None,
                reference=origin.number or origin.description,
                origin=origin, journal=journal.journal,
                account=journal.account, reason=describe(reasons, 'en'))
            origin.party = party
            origin.b2b_state = 'assigned'
            origin.b2b_reason = '\n'.join(filter(None, [
                        describe(reasons, _language()), origin.b2b_reason]))
        cls.save(origins)

    @classmethod
    @ModelView.button
    def b2b_undo(cls, origins):
        "Cancel the payment booked for the transfer; it waits for review"
        Payment = Pool().get('b2b.payment')
        payments = [o.b2b_payment for o in origins if o.b2b_payment]
        Payment.cancel(payments)
        for origin in origins:
            origin.b2b_state = 'review'
            origin.b2b_payment = None
            origin.b2b_invoice = None
        cls.save(origins)


class OriginCandidate(ModelSQL):
    "Invoice a bank transfer may pay"
    __name__ = 'b2b.bank.origin-candidate'
    origin = fields.Many2One('account.statement.origin', "Origin",
        required=True, ondelete='CASCADE')
    invoice = fields.Many2One('account.invoice', "Invoice",
        required=True, ondelete='CASCADE')


class ImportStatementStart(metaclass=PoolMeta):
    __name__ = 'account.statement.import.start'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.file_format.selection.append(
            ('b2b_auto', "Polish bank (MT940, MT942, CAMT.053, Elixir-O)"))


class ImportStatement(metaclass=PoolMeta):
    __name__ = 'account.statement.import'

    def do_import_(self, action):
        if self.start.file_format != 'b2b_auto':
            return super().do_import_(action)
        Statement = Pool().get('account.statement')
        statements, _ = Statement.b2b_import(
            self.start.company, bytes(self.start.file_), None)
        self.start.file_ = None
        data = {'res_id': [s.id for s in statements]}
        if len(statements) == 1:
            action['views'].reverse()
        return action, data
