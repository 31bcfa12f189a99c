# This file is part of the B2B wholesale suite.
"""The operations of an imported bank file (statement origins): why each
is booked, the review queue's Assign and Undo, and the events of each
operation

Whatever route books an operation (the import's match, a rule, Assign or
lines entered by hand), it is booked by statement lines of that operation,
and their total never exceeds the operation's amount: a second route is
refused with the reason.
"""
import json
from collections import defaultdict
from decimal import Decimal

from stdnum import iban as iban_number

from b2b_base import formats
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction, without_check_access

from .exceptions import StatementImportError
from .parsers import normalize_account
from .reason import reason_text

B2B_STATES = [
    (None, ''),
    ('matched', "Booked Automatically"),
    ('rule', "Booked by Rule"),
    ('assigned', "Assigned"),
    ('review', "To Review"),
    # before the rules: an operation that could not pay an invoice
    ('skipped', "Not a Customer Payment"),
    ]
BOOKED = {'matched', 'rule', 'assigned'}
KINDS = [
    (None, ''),
    ('transfer', "Transfer Received"),
    ('fee', "Bank Fee"),
    ('outgoing', "Outgoing Transfer"),
    ]
EVENTS = [
    ('matched', "Booked Automatically"),
    ('rule', "Booked by Rule"),
    ('assigned', "Assigned"),
    ('lines', "Lines Entered"),
    ('undone', "Undone"),
    ]


def _json_reasons(reasons):
    "The reasons (code, value) as stored: JSON, amounts as text"
    def plain(value):
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value
    return json.dumps([[code, plain(value)] for code, value in reasons])


def _read_reasons(text):
    return [tuple(r) for r in json.loads(text)] if text else []


def save_events(events):
    "Record the events: the history follows from a booking, not a right"
    Event = Pool().get('b2b.bank.origin.event')
    with without_check_access():
        Event.save(events)


def _reasons_of(field_name):
    "A property reading and writing the reasons stored in field_name"
    return property(
        lambda self: _read_reasons(getattr(self, field_name)),
        lambda self, reasons: setattr(
            self, field_name, _json_reasons(reasons)))


def _user_name():
    User = Pool().get('res.user')
    return User(Transaction().user).rec_name


class Origin(metaclass=PoolMeta):
    __name__ = 'account.statement.origin'

    b2b_key = fields.Char("Import Key", readonly=True,
        help="Identifies the bank operation: a file read again books "
        "nothing twice.")
    b2b_kind = fields.Selection(KINDS, "Operation", readonly=True)
    b2b_state = fields.Selection(B2B_STATES, "Matching", readonly=True)
    b2b_reason_codes = fields.Text("Reason Codes", readonly=True)
    b2b_match_codes = fields.Text("Match Reason Codes", readonly=True)
    b2b_reason = fields.Function(fields.Text("Reason"), 'get_b2b_reason')
    b2b_reason_text = fields.Text("Reason (Earlier Import)", readonly=True,
        help="The reason as written by an import before reasons were "
        "stored as codes.")
    b2b_counterparty = fields.Char("Counterparty", readonly=True)
    b2b_counterparty_account = fields.Char(
        "Counterparty Account", readonly=True)
    b2b_virtual_account = fields.Char("Identifying Account", readonly=True)
    b2b_title = fields.Text("Title", readonly=True)
    b2b_bank_code = fields.Char("Bank Code", readonly=True)
    b2b_candidates = fields.Many2Many(
        'b2b.bank.origin-candidate', 'origin', 'invoice', "Candidates",
        readonly=True)
    b2b_invoices = fields.Many2Many(
        'b2b.bank.origin-invoice', 'origin', 'invoice', "Invoices to Pay",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '=', 'out'),
            # an invoice the assignment paid in full is paid
            If(Eval('b2b_state') == 'review',
                ('state', '=', 'posted'),
                ('state', 'in', ['posted', 'paid'])),
            If(Bool(Eval('party')), ('party', '=', Eval('party', -1)), ()),
            ],
        states={
            'readonly': Eval('b2b_state') != 'review',
            },
        help="The invoices the operation pays, in this order, booked by "
        "\"Assign\"; what is left stays on the company's balance.")
    b2b_account = fields.Many2One('account.account', "Account to Book",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '!=', None),
            ('closed', '!=', True),
            ],
        states={
            'readonly': Eval('b2b_state') != 'review',
            },
        help="Books the whole operation to this account instead of "
        "invoices (fees, taxes, transfers between own accounts).")
    b2b_remember_account = fields.Boolean("Remember Payer's Account",
        states={
            'readonly': Eval('b2b_state') != 'review',
            'invisible': ~Bool(Eval('b2b_counterparty_account')),
            },
        help="On \"Assign\", the payer's bank account is added to the "
        "company so that its next payment is recognised.")
    b2b_events = fields.One2Many(
        'b2b.bank.origin.event', 'origin', "History", readonly=True)
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
                    'readonly': ~Bool(Eval('b2b_invoices'))
                    & ~Bool(Eval('party')) & ~Bool(Eval('b2b_account')),
                    'depends': ['b2b_state', 'b2b_invoices', 'party',
                        'b2b_account'],
                    },
                'b2b_undo': {
                    'invisible': ~Eval('b2b_state').in_(list(BOOKED)),
                    'depends': ['b2b_state'],
                    },
                })

    @classmethod
    def __register__(cls, module):
        pool = Pool()
        OriginInvoice = pool.get('b2b.bank.origin-invoice')
        table_h = cls.__table_handler__(module)
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        # Migration: the reason was text in the importer's language; kept
        # as such, new reasons are codes read in the reader's language
        if (table_h.column_exist('b2b_reason')
                and not table_h.column_exist('b2b_reason_text')):
            table_h.column_rename('b2b_reason', 'b2b_reason_text')
        one_invoice = table_h.column_exist('b2b_invoice')

        super().__register__(module)

        # Migration: one invoice to pay became several
        if one_invoice:
            relation = OriginInvoice.__table__()
            cursor.execute(*relation.insert(
                    [relation.origin, relation.invoice],
                    table.select(table.id, table.b2b_invoice,
                        where=table.b2b_invoice != None)))  # noqa: E711
            table_h.drop_column('b2b_invoice')

    @classmethod
    def default_b2b_remember_account(cls):
        return True

    # the reasons (code, value) now, and as the import's matcher gave them
    b2b_reasons = _reasons_of('b2b_reason_codes')
    b2b_match_reasons = _reasons_of('b2b_match_codes')

    def get_b2b_reason(self, name):
        reasons = self.b2b_reasons
        if reasons:
            return reason_text(reasons, self.b2b_currency_code)
        # an operation of an earlier import, also after its Undo
        return self.b2b_reason_text

    @property
    def b2b_currency_code(self):
        "The ISO code of the operation's currency (its statement's)"
        statement = self.statement
        if statement and statement.journal and statement.journal.currency:
            return statement.journal.currency.code

    @classmethod
    def b2b_information(cls, line):
        "The operation's information the statement rules can test"
        return {
            'b2b_kind': line.kind,
            'b2b_counterparty': line.name or '',
            'b2b_counterparty_account': line.account or '',
            'b2b_bank_code': line.code or '',
            }

    @classmethod
    def copy(cls, origins, default=None):
        default = default.copy() if default is not None else {}
        for name in ['b2b_key', 'b2b_payment', 'b2b_state',
                'b2b_reason_codes', 'b2b_match_codes', 'b2b_events',
                'b2b_invoices']:
            default.setdefault(name)
        return super().copy(origins, default=default)

    def _b2b_line(self, amount, account, party=None, invoice=None):
        Line = Pool().get('account.statement.line')
        return Line(statement=self.statement, origin=self, date=self.date,
            amount=amount, party=party if account.party_required else None,
            account=account, related_to=invoice, number=self.number,
            description=self.description)

    def _b2b_receivable(self, party):
        with Transaction().set_context(
                date=self.date, company=self.company.id):
            return party.__class__(party.id).account_receivable_used

    @classmethod
    def b2b_book_matches(cls, matches):
        """The statement lines of the matched transfers: a line per invoice
        paid, the overpayment on the company's balance; return the origins
        booked"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Party = pool.get('party.party')
        Line = pool.get('account.statement.line')
        Event = pool.get('b2b.bank.origin.event')
        invoices = {i.id: i for i in Invoice.browse(list({i
                        for _, m in matches for i, _ in m.allocations}))}
        lines, events = [], []
        for origin, match in matches:
            party = Party(match.party)
            for invoice_id, amount in match.allocations:
                invoice = invoices[invoice_id]
                lines.append(origin._b2b_line(
                        amount, invoice.account, party, invoice))
            rest = origin.amount - sum(
                (a for _, a in match.allocations), Decimal(0))
            if rest > 0:
                lines.append(origin._b2b_line(
                        rest, origin._b2b_receivable(party), party))
            origin.b2b_state = 'matched'
            events.append(Event(origin=origin, action='matched',
                    reason_codes=origin.b2b_reason_codes))
        # the state first: the lines' own check sees them booked
        cls.save([o for o, _ in matches])
        Line.save(lines)
        save_events(events)
        return {o for o, _ in matches}

    @classmethod
    def b2b_apply_rules(cls, origins):
        """Offer the operations without lines to the statement rules, in
        their order; return the origins a rule booked"""
        pool = Pool()
        Rule = pool.get('account.statement.rule')
        Line = pool.get('account.statement.line')
        Event = pool.get('b2b.bank.origin.event')
        origins = [o for o in origins if not o.lines]
        if not origins:
            return set()
        rules = Rule.search([])
        lines, events, ruled = [], [], []
        for origin in origins:
            for rule in rules:
                keywords = rule.match(origin)
                if not keywords:
                    continue
                new = list(rule.apply(origin, keywords))
                if not new:
                    continue
                lines.extend(new)
                origin.keywords = {k: str(v) if isinstance(v, Decimal) else v
                    for k, v in keywords.items()}
                if origin.b2b_key:
                    origin.b2b_state = 'rule'
                    origin.b2b_reasons = [('rule', rule.rec_name)]
                    events.append(Event(origin=origin, action='rule',
                            reason_codes=origin.b2b_reason_codes))
                ruled.append(origin)
                break
        cls.save(ruled)
        Line.save(lines)
        save_events(events)
        return set(ruled)

    def _b2b_assign_lines(self):
        "The lines and the reasons of Assign"
        from .statement import pending_in_statements
        user = _user_name()
        account = self.b2b_account
        if account:
            if account.party_required and not self.party:
                raise StatementImportError(gettext(
                        'b2b_bank_import.msg_assign_party_required',
                        origin=self.rec_name, account=account.rec_name))
            return ([self._b2b_line(self.amount, account, self.party)],
                [('manual', user), ('to_account', account.rec_name)])
        invoices = list(self.b2b_invoices)
        party = self.party or (invoices[0].party if invoices else None)
        if party is None:
            raise StatementImportError(gettext(
                    'b2b_bank_import.msg_assign_what',
                    origin=self.rec_name))
        if self.amount <= 0:
            raise StatementImportError(gettext(
                    'b2b_bank_import.msg_not_received',
                    origin=self.rec_name))
        pending = pending_in_statements([i.id for i in invoices])
        lines, reasons, left = [], [('manual', user)], self.amount
        partial = False
        for invoice in invoices:
            if (invoice.party != party or invoice.state != 'posted'
                    or invoice.company != self.company):
                # "… of Hurtownia Sp. z o.o.": the name's full stop ends
                raise StatementImportError(formats.one_full_stop(gettext(
                            'b2b_bank_import.msg_assign_invoice_not_open',
                            origin=self.rec_name, invoice=invoice.rec_name,
                            party=party.rec_name)))
            to_pay = invoice.amount_to_pay - pending.get(invoice.id, 0)
            if to_pay <= 0:
                raise StatementImportError(gettext(
                        'b2b_bank_import.msg_assign_invoice_paid',
                        origin=self.rec_name, invoice=invoice.rec_name))
            if left <= 0:
                break
            paid = min(to_pay, left)
            partial = paid < to_pay
            lines.append(self._b2b_line(
                    paid, invoice.account, party, invoice))
            left -= paid
        if len(lines) > 1:
            reasons.append(('several', len(lines)))
        if partial:
            reasons.append(('partial', None))
        if left > 0:
            lines.append(self._b2b_line(
                    left, self._b2b_receivable(party), party))
            reasons.append(('to_balance', left))
        self.party = party
        return lines, reasons

    def _b2b_remember_account(self):
        """Add the payer's bank account to the company assigned, unless it
        is known already; return the reason to record"""
        pool = Pool()
        Number = pool.get('bank.account.number')
        BankAccount = pool.get('bank.account')
        number = normalize_account(self.b2b_counterparty_account or '')
        if (not self.b2b_remember_account or not number or not self.party
                or self.b2b_account):
            return None
        known = Number.search([('number_compact', '=', number)], limit=1)
        if known:
            owners = known[0].account.owners
            if self.party in owners:
                return None
            return ('account_of_other', (number,
                    ', '.join(o.rec_name for o in owners) or '-'))
        kind = 'iban' if iban_number.is_valid(number) else 'other'
        # part of the accountant's Assign, who may not edit parties
        with without_check_access():
            BankAccount(owners=[self.party],
                numbers=[{'type': kind, 'number': number}]).save()
        return ('account_remembered', number)

    @classmethod
    @ModelView.button
    def b2b_assign(cls, origins):
        """Book the operation as chosen: the invoices in order (what is
        left on the company's balance), the company's balance, or an
        account"""
        pool = Pool()
        Line = pool.get('account.statement.line')
        Event = pool.get('b2b.bank.origin.event')
        lines, events = [], []
        for origin in origins:
            origin._b2b_check_bookable()
            new, reasons = origin._b2b_assign_lines()
            lines.extend(new)
            remembered = origin._b2b_remember_account()
            if remembered:
                reasons.append(remembered)
            origin.b2b_state = 'assigned'
            origin.b2b_reasons = reasons
            events.append(Event(origin=origin, action='assigned',
                    reason_codes=origin.b2b_reason_codes))
        cls.save(origins)
        Line.save(lines)
        save_events(events)

    def _b2b_check_bookable(self):
        "Refuse a second booking of the operation, naming the first"
        if self.b2b_state != 'review' or self.lines or self.b2b_payment:
            raise StatementImportError(gettext(
                    'b2b_bank_import.msg_already_booked',
                    origin=self.rec_name,
                    statement=self.statement.rec_name,
                    reason=self.b2b_reason or ''))
        if self.statement.state != 'draft':
            raise StatementImportError(gettext(
                    'b2b_bank_import.msg_statement_not_draft',
                    origin=self.rec_name,
                    statement=self.statement.rec_name))

    @classmethod
    @ModelView.button
    def b2b_undo(cls, origins):
        """Remove what booked the operation (its lines, or the payment of an
        earlier import); it waits for review again"""
        pool = Pool()
        Line = pool.get('account.statement.line')
        Payment = pool.get('b2b.payment')
        Event = pool.get('b2b.bank.origin.event')
        lines, payments, events = [], [], []
        user = _user_name()
        for origin in origins:
            if origin.b2b_state not in BOOKED:
                raise StatementImportError(gettext(
                        'b2b_bank_import.msg_not_booked',
                        origin=origin.rec_name))
            if origin.lines:
                if origin.statement.state != 'draft':
                    raise StatementImportError(gettext(
                            'b2b_bank_import.msg_statement_not_draft',
                            origin=origin.rec_name,
                            statement=origin.statement.rec_name))
                lines.extend(origin.lines)
            elif origin.b2b_payment:
                payments.append(origin.b2b_payment)
                origin.b2b_payment = None
            origin.b2b_state = 'review'
            origin.b2b_reasons = origin.b2b_match_reasons
            origin.b2b_invoices = []
            origin.b2b_account = None
            origin.keywords = None
            events.append(Event(origin=origin, action='undone',
                    reason_codes=_json_reasons([('undone', user)])))
        cls.save(origins)
        Line.delete(lines)
        Payment.cancel(payments)
        save_events(events)

    @classmethod
    def b2b_sync_states(cls, origins):
        """After lines entered or deleted by hand: an operation its lines
        book in full is assigned; one left without lines waits again (the
        routes here write the operation's state before its lines)"""
        Event = Pool().get('b2b.bank.origin.event')
        user = _user_name()
        changed, events = [], []
        for origin in cls.browse([o.id for o in origins if o.id >= 0]):
            if not origin.b2b_key:
                continue
            if (origin.b2b_state == 'review' and origin.lines
                    and not origin.pending_amount):
                origin.b2b_state = 'assigned'
                origin.b2b_reasons = [('lines', user)]
                action = 'lines'
            elif (origin.b2b_state in BOOKED and not origin.lines
                    and not origin.b2b_payment):
                origin.b2b_state = 'review'
                origin.b2b_reasons = origin.b2b_match_reasons
                action = 'undone'
            else:
                continue
            changed.append(origin)
            events.append(Event(origin=origin, action=action,
                    reason_codes=origin.b2b_reason_codes))
        cls.save(changed)
        save_events(events)


class OriginCandidate(ModelSQL):
    "Invoice a bank transfer may pay"
    __name__ = 'b2b.bank.origin-candidate'
    origin = fields.Many2One('account.statement.origin', "Origin",
        required=True, ondelete='CASCADE')
    invoice = fields.Many2One('account.invoice', "Invoice",
        required=True, ondelete='CASCADE')


class OriginInvoice(ModelSQL):
    "Invoice an assignment pays"
    __name__ = 'b2b.bank.origin-invoice'
    origin = fields.Many2One('account.statement.origin', "Origin",
        required=True, ondelete='CASCADE')
    invoice = fields.Many2One('account.invoice', "Invoice",
        required=True, ondelete='CASCADE')


class OriginEvent(ModelSQL, ModelView):
    "What happened to a bank operation"
    __name__ = 'b2b.bank.origin.event'
    origin = fields.Many2One('account.statement.origin', "Operation",
        required=True, ondelete='CASCADE', readonly=True)
    action = fields.Selection(EVENTS, "Action", required=True, readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    reason_codes = fields.Text("Reason Codes", readonly=True)
    reason = fields.Function(fields.Text("Reason"), 'get_reason')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls.__access__.add('origin')

    @classmethod
    def default_user(cls):
        return Transaction().user

    def get_reason(self, name):
        return reason_text(_read_reasons(self.reason_codes),
            self.origin.b2b_currency_code)


class Line(metaclass=PoolMeta):
    __name__ = 'account.statement.line'

    @classmethod
    def validate(cls, lines):
        super().validate(lines)
        cls.b2b_check_operations(lines)

    @classmethod
    def b2b_check_operations(cls, lines):
        """An operation is booked at most once: its lines never exceed its
        amount; an imported statement has no line outside its operations"""
        origins = {l.origin for l in lines if l.origin}
        for origin in origins:
            if not origin.b2b_key:
                continue
            total = sum((l.amount for l in origin.lines), Decimal(0))
            if (total * origin.amount < 0
                    or (total - origin.amount) * origin.amount > 0):
                code = origin.b2b_currency_code
                raise StatementImportError(gettext(
                        'b2b_bank_import.msg_operation_overbooked',
                        origin=origin.rec_name,
                        statement=origin.statement.rec_name,
                        amount=formats.money(origin.amount, code),
                        total=formats.money(total, code),
                        reason=origin.b2b_reason or ''))
        imported = defaultdict(list)
        for line in lines:
            if not line.origin:
                imported[line.statement].append(line)
        for statement, orphans in imported.items():
            if any(o.b2b_key for o in statement.origins):
                raise StatementImportError(gettext(
                        'b2b_bank_import.msg_line_without_operation',
                        statement=statement.rec_name))

    @classmethod
    def on_modification(cls, mode, lines, field_names=None):
        super().on_modification(mode, lines, field_names=field_names)
        if mode in {'create', 'write'}:
            Origin = Pool().get('account.statement.origin')
            Origin.b2b_sync_states({l.origin for l in lines if l.origin})

    @classmethod
    def on_delete(cls, lines):
        callbacks = super().on_delete(lines)
        Origin = Pool().get('account.statement.origin')
        origins = {l.origin for l in lines if l.origin}
        if origins:
            callbacks.append(lambda: Origin.b2b_sync_states(origins))
        return callbacks
