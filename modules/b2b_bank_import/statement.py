# This file is part of the B2B wholesale suite.
"""Bank statement files imported into account.statement; what each
operation pays becomes statement lines, so Tryton's own validation and
posting book the moves and reconcile the invoices

Each operation of a file becomes an ``account.statement.origin`` keyed by
``b2b_key`` (unique): reading the same file again books nothing twice.  A
matched transfer gets one line per invoice it pays (and one for what is
left on the company's balance); the other operations are offered to the
statement rules (``account_statement_rule``); the rest waits for review.
"""
import time
from collections import Counter, defaultdict
from decimal import Decimal

from sql import Literal
from sql.operators import In, Like

from b2b_base import formats
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateView

from .exceptions import StatementImportError
from .matcher import InvoiceIndex, OpenInvoice, Payer, match_line
from .parsers import StatementFormatError, normalize_account, parse
from .reason import reason_text

SUMMARY_KEYS = ['read', 'matched', 'rule', 'queued', 'duplicate', 'errors']


def format_error(error):
    """The parser's refusal of a file in the reader's language: the file,
    the line at fault and why"""
    reason = gettext('b2b_bank_import.' + error.message_id, **error.values)
    if error.filename:
        if error.line:
            return gettext('b2b_bank_import.msg_format_named_line',
                file=error.filename, line=error.line, reason=reason)
        return gettext('b2b_bank_import.msg_format_named_file',
            file=error.filename, reason=reason)
    if error.line:
        return gettext('b2b_bank_import.msg_format_line',
            line=error.line, reason=reason)
    return gettext('b2b_bank_import.msg_format_file', reason=reason)


def _refuse_line(filename, statement, position, line, cause,
        currency=None):
    """The error refusing a file for one of its operations: the file, the
    operation (its number in the statement, date, amount in the currency
    and text) and why"""
    text = ' '.join((line.title or line.description or line.name
            or '').split())
    if len(text) > 100:
        text = text[:99] + '…'
    return StatementImportError(gettext(
            'b2b_bank_import.msg_line_refused',
            file=filename or gettext('b2b_bank_import.msg_uploaded_file'),
            statement=statement, line=position,
            date=formats.date(line.date),
            amount=formats.money(line.amount, line.currency or currency),
            text=text, error=cause))


def pending_in_statements(invoice_ids=None):
    """What the lines of draft statements pay of each invoice: booked
    only when their statement is validated, yet no longer to be paid"""
    pool = Pool()
    Line = pool.get('account.statement.line')
    Statement = pool.get('account.statement')
    line = Line.__table__()
    statement = Statement.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*line.join(statement,
            condition=line.statement == statement.id).select(
            line.related_to, line.amount,
            where=(statement.state == 'draft')
            & Like(line.related_to, 'account.invoice,%')))
    result = defaultdict(Decimal)
    wanted = set(invoice_ids) if invoice_ids is not None else None
    for related_to, amount in cursor:
        invoice_id = int(related_to.split(',')[1])
        if wanted is None or invoice_id in wanted:
            result[invoice_id] += Decimal(str(amount))
    return result


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
    in_statements = pending_in_statements()
    invoices = []
    party_ids = set()
    for sub_ids in grouped_slice(invoice_ids, 1000):
        for values in Invoice.read(list(sub_ids), ['number', 'party',
                    'amount_to_pay', 'invoice_date', 'currency.code',
                    'b2b_ksef_number']):
            to_pay = ((values['amount_to_pay'] or 0)
                - in_statements.get(values['id'], 0))
            if to_pay <= 0:
                continue
            invoices.append(OpenInvoice(id=values['id'],
                    number=values['number'] or '', party=values['party'],
                    amount=to_pay,
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


def format_summary(summary):
    "The import's summary, a line per statement, in the reader's language"
    lines = []
    for stmt in summary.get('statements', []):
        lines.append(gettext('b2b_bank_import.msg_import_summary_statement',
                statement=stmt['name'], matched=stmt['matched'],
                rule=stmt['rule'], queued=stmt['queued'],
                duplicate=stmt['duplicate']))
    lines.append(gettext('b2b_bank_import.msg_import_summary_total',
            read=summary['read'], matched=summary['matched'],
            rule=summary['rule'], queued=summary['queued'],
            duplicate=summary['duplicate']))
    return '\n'.join(lines)


class Statement(metaclass=PoolMeta):
    __name__ = 'account.statement'

    @classmethod
    def b2b_import(cls, company, data, filename=None, book=True):
        """Import a bank file of any supported format for the company:
        create its statements, turn what the transfers pay into statement
        lines, apply the rules to the rest.  Return (statements, summary)"""
        pool = Pool()
        Journal = pool.get('account.statement.journal')
        Origin = pool.get('account.statement.origin')
        Period = pool.get('account.period')

        try:
            parsed = parse(data, filename)
        except StatementFormatError as e:
            raise StatementImportError(gettext(
                    'b2b_bank_import.msg_file_refused',
                    error=format_error(e))) from e

        summary = Counter({k: 0 for k in SUMMARY_KEYS})
        summary['statements'] = []
        # the statements that hold the operations read before
        summary['earlier'] = set()
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
                for origin in Origin.search([
                            ('b2b_key', 'in', list(sub_keys)),
                            ]):
                    existing.add(origin.b2b_key)
                    summary['earlier'].add(origin.statement.id)
            label = ' '.join(filter(None, [stmt.account, stmt.number]))
            new = [(k, l, n) for n, (k, l) in enumerate(
                    zip(keys, stmt.lines), 1) if k not in existing]
            summary['duplicate'] += len(keys) - len(new)
            if not new:
                if keys:
                    summary['statements'].append(dict(name=label,
                            matched=0, rule=0, queued=0,
                            duplicate=len(keys)))
                continue
            # the file's balances when it gives them; the lines of a
            # statement add up to their difference
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
            counts = dict(name=statement.name, matched=0, rule=0, queued=0,
                duplicate=len(keys) - len(new))
            summary['statements'].append(counts)
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
                    b2b_bank_code=line.code,
                    information=Origin.b2b_information(line))
                todo.append((origin, line, label, position, counts))
                todo_origins.append(origin)
            statements.append(statement)
        if not todo:
            return statements, summary

        # matched before anything is written: a transfer to book needs an
        # open period at its date, else the file is refused naming it
        started = time.perf_counter()
        currency = company.currency.code
        index = build_index(company)
        matches = []
        for origin, line, label, position, _ in todo:
            match = match_line(index, line.amount, line.title,
                account=line.account, name=line.name,
                virtual_account=line.virtual_account, kind=line.kind,
                currency=line.currency or currency)
            if match.status == 'matched' and book:
                try:
                    Period.find(company.id, date=line.date)
                except UserError as e:
                    raise _refuse_line(filename, label, position, line,
                        e.message, currency) from e
                for invoice_id, amount in match.allocations:
                    index.remove(invoice_id, amount)
            matches.append(match)

        cls.save(statements)
        for origin, match in zip(todo_origins, matches):
            origin.b2b_candidates = match.candidates
            origin.b2b_match_reasons = match.reasons
            origin.b2b_reasons = match.reasons
            if match.party is not None:
                origin.party = match.party
            if match.status == 'review' and len(match.candidates) == 1 and (
                    match.party is None
                    or index.invoices[match.candidates[0]].party
                    == match.party):
                # prefilled only when it may pay for the payer found:
                # another company's invoice stays a candidate
                origin.b2b_invoices = match.candidates
            origin.b2b_state = 'review'
        Origin.save(todo_origins)

        to_book = [(o, m) for o, m in zip(todo_origins, matches)
            if m.status == 'matched' and book]
        booked = Origin.b2b_book_matches(to_book)
        free = [o for o, m in zip(todo_origins, matches)
            if m.status == 'skipped' or (m.status == 'review'
                and m.party is None and not m.candidates)]
        ruled = Origin.b2b_apply_rules(free) if book else set()
        unruled = []
        for (origin, line, label, position, counts), match in zip(
                todo, matches):
            if origin in booked:
                key = 'matched'
            elif origin in ruled:
                key = 'rule'
            else:
                key = 'queued'
                if match.status == 'skipped':
                    # a fee or an outgoing transfer no rule took
                    origin.b2b_reasons = match.reasons + [('no_rule', None)]
                    unruled.append(origin)
            counts[key] += 1
            summary[key] += 1
        Origin.save(unruled)
        summary['seconds'] = time.perf_counter() - started
        return statements, summary

    @classmethod
    @ModelView.button
    def apply_rules(cls, statements):
        # the back office's button: the import's rules, with their events
        Origin = Pool().get('account.statement.origin')
        Origin.b2b_apply_rules(
            [o for s in statements for o in s.origins if not o.lines])

    @classmethod
    def post(cls, statements):
        super().post(statements)
        cls.b2b_record_payments(statements)

    @classmethod
    def b2b_record_payments(cls, statements):
        """The customer payments the posted statements booked, for the
        trade-credit pages: one b2b.payment per operation and company,
        with the statement's move (no move of its own)"""
        pool = Pool()
        Payment = pool.get('b2b.payment')
        Allocation = pool.get('b2b.payment.allocation')
        Origin = pool.get('account.statement.origin')
        payments, allocations, origins = [], [], []
        for statement in statements:
            for origin in statement.origins:
                by_party = defaultdict(list)
                for line in origin.lines:
                    if (line.party and line.amount > 0
                            and line.account.type.receivable):
                        by_party[line.party].append(line)
                with Transaction().set_context(language='en'):
                    # the payment's reason as the ERP reads it, in English
                    english_reason = reason_text(origin.b2b_reasons,
                        origin.b2b_currency_code)
                for party, lines in by_party.items():
                    payment = Payment(company=statement.company,
                        party=party, date=origin.date,
                        amount=sum(l.amount for l in lines),
                        journal=statement.journal.journal,
                        account=statement.journal.account,
                        move=lines[0].move,
                        reference=origin.number or origin.description,
                        origin=origin,
                        reason=english_reason,
                        state='posted')
                    payments.append(payment)
                    allocations.extend(Allocation(payment=payment,
                            invoice=l.invoice, amount=l.amount)
                        for l in lines if l.invoice)
                    if not origin.b2b_payment:
                        origin.b2b_payment = payment
                        origins.append(origin)
        # what posting books, whoever may post: the payments follow
        with without_check_access():
            Payment.save(payments)
            Allocation.save(allocations)
            Origin.save(origins)


class ImportStatementStart(metaclass=PoolMeta):
    __name__ = 'account.statement.import.start'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.file_format.selection.append(
            ('b2b_auto', "Polish bank (MT940, MT942, CAMT.053, Elixir-O)"))


class ImportStatementSummary(ModelView):
    __name__ = 'account.statement.import.b2b_summary'

    summary = fields.Text("Summary", readonly=True)
    statements = fields.Many2Many(
        'account.statement', None, None, "Statements", readonly=True)


class ImportStatement(metaclass=PoolMeta):
    __name__ = 'account.statement.import'

    b2b_summary = StateView('account.statement.import.b2b_summary',
        'b2b_bank_import.import_summary_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def parse_b2b_auto(self):
        """Read the Polish bank file and book what its operations pay
        (`Statement.b2b_import`): Tryton's import opens the statements
        returned, the summary tells what became of each operation"""
        Statement = Pool().get('account.statement')
        statements, summary = Statement.b2b_import(
            self.start.company, bytes(self.start.file_), None)
        self.b2b_summary.summary = format_summary(summary)
        # a file read before lists the statements that hold it
        self.b2b_summary.statements = statements or sorted(
            summary['earlier'])
        return statements

    def transition_import_(self):
        if self.start.file_format == 'b2b_auto':
            return 'b2b_summary'
        return 'end'

    def default_b2b_summary(self, fields):
        return {
            'summary': self.b2b_summary.summary,
            'statements': [s.id for s in self.b2b_summary.statements],
            }
