# This file is part of the B2B wholesale suite.
"""Bank files imported into statements, payments booked, on a database"""
import os
from decimal import Decimal

from b2b_bank_import.parsers import parse
from b2b_base.tests.test_pricing import in_company
from b2b_base.tests.tools import SuiteModulesMixin, create_customer
from trytond.exceptions import UserError
from trytond.modules.account.tests import create_chart, get_fiscalyear
from trytond.modules.account_invoice.tests import set_invoice_sequences
from trytond.modules.company.tests import CompanyTestMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase
from trytond.transaction import Transaction

DATA = os.path.join(os.path.dirname(__file__), 'data')
MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep',
    'Oct', 'Nov', 'Dec']


def data(name):
    with open(os.path.join(DATA, name), 'rb') as fp:
        return fp.read()


def mt940(account, operations, number='00301', opening=Decimal('10000.00')):
    """An MT940 statement of ING Bank Śląski (`~NN` fields, CP852, the
    payer's IBAN in ~38) with the operations (date, amount, title,
    counterparty name, counterparty IBAN)"""
    first = operations[0][0].strftime('%y%m%d')
    balance = opening
    rows = [':20:MT940', ':25:/' + account, ':28C:' + number,
        ':60F:C%sPLN%s' % (first, str(balance).replace('.', ','))]
    for n, (date, amount, title, name, iban) in enumerate(operations, 1):
        day = date.strftime('%y%m%d')
        rows.append(':61:%s%s%s%sS020%08d' % (day, day[2:],
                'C' if amount > 0 else 'D',
                str(abs(amount)).replace('.', ','), n))
        # the title in lines of 27 characters, the name of 35
        details = ''.join('~%d%s' % (20 + i, title[c:c + 27])
            for i, c in enumerate(range(0, len(title), 27)))
        rows.append(':86:020~00IBCG PRZELEW PRZYCHODZĄCY%s~29%s~32%s~33%s'
            '~38%s' % (details, iban[2:], name[:35], name[35:70], iban))
        balance += amount
    rows += [':62F:C%sPLN%s' % (first, str(balance).replace('.', ',')),
        '-', '']
    return '\r\n'.join(rows).encode('cp852')


class BankSetupMixin:

    def _setup_bank(self, company):
        "A company with a chart of accounts, a fiscal year, a customer"
        pool = Pool()
        FiscalYear = pool.get('account.fiscalyear')
        Account = pool.get('account.account')
        AccountType = pool.get('account.account.type')
        Journal = pool.get('account.journal')
        Sequence = pool.get('ir.sequence.strict')

        # the files are in złoty
        company.currency.code = 'PLN'
        company.currency.save()
        create_chart(company)
        fiscalyear = set_invoice_sequences(get_fiscalyear(company))
        fiscalyear.save()
        FiscalYear.create_period([fiscalyear])
        self.party, _ = create_customer("Alfa", '5213017228')
        self.revenue, = Account.search([
                ('type.revenue', '=', True),
                ('closed', '=', False),
                ], limit=1)
        self.revenue_journal, = Journal.search(
            [('type', '=', 'revenue')], limit=1)
        asset, = AccountType.search([
                ('assets', '=', True), ('statement', '=', 'balance'),
                ('receivable', '=', False), ('payable', '=', False),
                ], limit=1)
        self.cash = Account(name="Bank", code='131', type=asset,
            company=company)
        self.cash.save()
        # invoice numbers as a Polish wholesaler writes them
        for sequence in Sequence.search([]):
            sequence.prefix = 'FV/2026/11/'
            sequence.padding = 4
            sequence.save()
        self.company = company
        self.journals = {}
        self.bank = None

    def _polish(self):
        "The module's Polish translations, as b2b setup loads them"
        Translation = Pool().get('ir.translation')
        Translation.translation_import('pl', 'b2b_bank_import',
            os.path.join(os.path.dirname(__file__), '..', 'locale', 'pl.po'))

    def _invoice(self, amount, party=None):
        "Post a customer invoice of amount (no tax) and return it"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Date = pool.get('ir.date')
        invoice = Invoice(type='out', party=party or self.party,
            journal=self.revenue_journal, invoice_date=Date.today())
        invoice.on_change_type()
        invoice.on_change_party()
        invoice.lines = [{
                'account': self.revenue.id, 'quantity': 1,
                'unit_price': Decimal(amount), 'description': "Goods",
                }]
        invoice.save()
        Invoice.post([invoice])
        return invoice

    def _number_next(self, number):
        Sequence = Pool().get('ir.sequence.strict')
        for sequence in Sequence.search([]):
            sequence.number_next = number
            sequence.save()

    def _journal(self, iban, currency='PLN'):
        "A statement journal for the company's bank account iban"
        pool = Pool()
        Bank = pool.get('bank')
        BankAccount = pool.get('bank.account')
        Party = pool.get('party.party')
        Currency = pool.get('currency.currency')
        AccountJournal = pool.get('account.journal')
        Journal = pool.get('account.statement.journal')
        if self.bank is None:
            self.bank = Bank(party=Party(name="Bank"))
            self.bank.party.save()
            self.bank.save()
            self.statement_journal = AccountJournal(
                name="Statement", type='statement')
            self.statement_journal.save()
        currencies = Currency.search([('code', '=', currency)])
        if currencies:
            currency_, = currencies
        else:
            currency_ = Currency(name=currency, code=currency,
                symbol=currency)
            currency_.save()
        account = BankAccount(bank=self.bank, currency=currency_,
            owners=[self.company.party],
            numbers=[{'type': 'iban', 'number': iban}])
        account.save()
        journal = Journal(name=iban, journal=self.statement_journal,
            currency=currency_, company=self.company, account=self.cash,
            bank_account=account, validation='balance')
        journal.save()
        return journal

    def _customer(self, name, nip, iban=None):
        pool = Pool()
        BankAccount = pool.get('bank.account')
        party, _ = create_customer(name, nip)
        if iban:
            BankAccount(bank=self.bank, owners=[party],
                numbers=[{'type': 'iban', 'number': iban}]).save()
        return party

    def _import(self, name, content=None):
        Statement = Pool().get('account.statement')
        return Statement.b2b_import(self.company,
            data(name) if content is None else content, name)


with_bank = in_company('_setup_bank')


class B2BBankImportTestCase(SuiteModulesMixin,
        BankSetupMixin, CompanyTestMixin, ModuleTestCase):
    "Test b2b_bank_import module"
    module = 'b2b_bank_import'

    @with_bank
    def test_import_match_book_reimport(self):
        "ING file: the named invoices paid, the fee not; read again: nothing"
        pool = Pool()
        Origin = pool.get('account.statement.origin')
        Payment = pool.get('b2b.payment')
        self._journal('PL12105014451000002271681920')
        hurt = self._customer("Hurtownia Łącznik Sp. z o.o.", '5260250274',
            iban='PL19114020040000350230599137')
        self.party = hurt
        # the file names FV/2026/11/0012 and FV/2026/11/0013
        self._number_next(12)
        first = self._invoice('1000.00')
        second = self._invoice('230.00')
        self.assertEqual(second.number, 'FV/2026/11/0013')

        statements, summary = self._import('ing_cp852.sta')
        statement, = statements
        transfer, fee = sorted(statement.origins, key=lambda o: -o.amount)
        self.assertEqual((summary['read'], summary['matched'],
                summary['queued'], summary['rule']), (2, 1, 1, 0),
            transfer.b2b_reason)
        self.assertEqual(transfer.b2b_state, 'matched')
        self.assertEqual(transfer.party, hurt)
        self.assertIn('FV/2026/11/0012', transfer.b2b_reason)
        # a statement line per invoice paid
        self.assertEqual(sorted((l.invoice.number, l.amount, l.party)
                for l in transfer.lines), [
                ('FV/2026/11/0012', Decimal('1000.00'), hurt),
                ('FV/2026/11/0013', Decimal('230.00'), hurt)])
        self.assertEqual(transfer.pending_amount, 0)
        # no rule for the fee: it waits, its account chosen by hand
        self.assertEqual(fee.b2b_state, 'review')
        self.assertEqual(fee.b2b_kind, 'fee')
        self.assertIn('no rule takes this operation', fee.b2b_reason)
        self.assertEqual(list(fee.lines), [])

        # the same file again books nothing
        statements, summary = self._import('ing_cp852.sta')
        self.assertEqual(statements, [])
        self.assertEqual((summary['duplicate'], summary['matched']), (2, 0))
        self.assertEqual(summary['earlier'], {statement.id})
        self.assertEqual(Origin.search([], count=True), 2)

        # the accountant books the fee; the statement validates and posts:
        # the invoices are paid, the credit pages see one payment
        fee.b2b_account = self.revenue
        fee.save()
        Origin.b2b_assign([fee])
        Statement = pool.get('account.statement')
        Statement.validate_statement([statement])
        Statement.post([statement])
        # reconciled (the state "paid" follows in the queue after commit)
        self.assertEqual([(i.amount_to_pay, bool(i.reconciled))
                for i in first.__class__.browse([first, second])],
            [(Decimal(0), True)] * 2)
        payment, = Payment.search([])
        self.assertEqual(payment.amount, Decimal('1230.00'))
        self.assertEqual(payment.origin, transfer)
        self.assertEqual(payment.move, transfer.lines[0].move)
        self.assertEqual(sorted(a.invoice.number for a in
                payment.allocations), ['FV/2026/11/0012', 'FV/2026/11/0013'])

    @with_bank
    def test_review_assign_and_undo(self):
        "Uncertain: queued, one click books it; a wrong match undone"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Origin = pool.get('account.statement.origin')
        self._journal('PL80160014621234567890123456')
        # the file's "FV 12/11/2026" is Alfa's, paid by someone else
        self._number_next(12)
        invoice = self._invoice('900.00')
        self.assertEqual(invoice.number, 'FV/2026/11/0012')

        # 850.50 for a 900.00 invoice from an unknown payer: ask
        # (uploaded through Tryton's statement import wizard)
        ImportWizard = pool.get('account.statement.import', type='wizard')
        session_id, _, _ = ImportWizard.create()
        wizard = ImportWizard(session_id)
        wizard.start.company = self.company
        wizard.start.file_ = data('bnp_cp1250.sta')
        wizard.start.file_format = 'b2b_auto'
        _, action = wizard.do_import_({'views': [(None, 'tree'),
                    (None, 'form')]})
        self.assertEqual(wizard.transition_import_(), 'b2b_summary')
        self.assertIn('to review', wizard.b2b_summary.summary)
        statement, = pool.get('account.statement').browse(action['res_id'])
        self.assertEqual(statement.origin_file, data('bnp_cp1250.sta'))
        transfer, = [o for o in statement.origins if o.amount > 0]
        self.assertEqual(transfer.b2b_state, 'review')
        self.assertEqual(list(transfer.b2b_candidates), [invoice])
        self.assertEqual(list(transfer.b2b_invoices), [invoice])
        self.assertEqual(Invoice(invoice.id).amount_to_pay,
            Decimal('900.00'))

        Origin.b2b_assign([transfer])
        self.assertEqual(transfer.b2b_state, 'assigned')
        line, = transfer.lines
        self.assertEqual((line.invoice, line.amount),
            (invoice, Decimal('850.50')))
        self.assertIn('partial payment', transfer.b2b_reason)

        Origin.b2b_undo([transfer])
        self.assertEqual(transfer.b2b_state, 'review')
        self.assertEqual(list(transfer.lines), [])
        self.assertNotIn('assigned by', transfer.b2b_reason)
        self.assertEqual([e.action for e in transfer.b2b_events],
            ['undone', 'assigned'])
        with self.assertRaises(UserError):
            fee, = [o for o in statement.origins if o.amount < 0]
            fee.b2b_invoices = [invoice]
            fee.save()
            Origin.b2b_assign([fee])

    def _other_company(self):
        """Kemira (known account and NIP, an invoice of its own), Alfa
        (nothing open) and Hurtownia (its invoices FV/2026/11/0012
        1000.00, 0013 230.00, 0014 75.50)"""
        self._journal('PL12105014451000002271681920')
        self.kemira = self._customer("Kemira Świecie Sp. z o.o.",
            '5261040828', iban='PL68175010510000000001050834')
        self.hurt = self._customer("Hurtownia Łącznik Sp. z o.o.",
            '5260250274', iban='PL19114020040000350230599137')
        self._number_next(12)
        invoices = [self._invoice(a, party=self.hurt)
            for a in ['1000.00', '230.00', '75.50']]
        self._invoice('4000.00', party=self.kemira)
        return invoices

    @with_bank
    def test_known_payer_citing_other_company_not_booked(self):
        "Kemira recognised by name, account or NIP pays Hurtownia's invoice"
        pool = Pool()
        Date = pool.get('ir.date')
        Invoice = pool.get('account.invoice')
        Payment = pool.get('b2b.payment')
        invoice, _, _ = self._other_company()
        today = Date.today()
        unknown = 'PL61109010140000071219812874'
        for how, title, name, iban in [
                ('name', 'Zapłata za fakturę FV/2026/11/0012',
                    'KEMIRA ŚWIECIE SP. Z O.O. UL. WIŚLANA 1 86-100 ŚWIECIE',
                    unknown),
                ('account', 'FV/2026/11/0012', 'K. NOWAK',
                    'PL68175010510000000001050834'),
                ('nip', 'NIP 526-104-08-28 FV/2026/11/0012', '', unknown),
                # a customer with nothing open is known too
                ('alfa', 'FV/2026/11/0012 NIP 5213017228', '', unknown)]:
            with self.subTest(how=how):
                payer = self.party if how == 'alfa' else self.kemira
                statements, summary = self._import('kemira-%s.sta' % how,
                    mt940('PL12105014451000002271681920', [
                            (today, Decimal('1000.00'), title, name, iban)],
                        number=how))
                origin, = statements[0].origins
                self.assertEqual((summary['matched'], summary['queued']),
                    (0, 1), origin.b2b_reason)
                self.assertEqual(origin.b2b_state, 'review')
                self.assertIn("the payer (%s) and the invoices' company "
                    "differ" % payer.name, origin.b2b_reason)
                self.assertEqual(origin.party, payer)
                self.assertEqual(list(origin.b2b_candidates), [invoice])
                self.assertIsNone(origin.b2b_payment)
                self.assertEqual(Invoice(invoice.id).amount_to_pay,
                    Decimal('1000.00'))
        self.assertEqual(Payment.search([], count=True), 0)

    @with_bank
    def test_review_line_of_other_company_keeps_the_file(self):
        "One line to review for another company: the others still booked"
        pool = Pool()
        Date = pool.get('ir.date')
        Invoice = pool.get('account.invoice')
        Origin = pool.get('account.statement.origin')
        first, second, third = self._other_company()
        today = Date.today()
        statements, summary = self._import('listopad.sta', mt940(
                'PL12105014451000002271681920', [
                    (today, Decimal('230.00'), 'FV/2026/11/0013',
                        'HURTOWNIA ŁĄCZNIK SP. Z O.O.',
                        'PL19114020040000350230599137'),
                    # Kemira's account, Hurtownia's invoice
                    (today, Decimal('1000.00'), 'Zapłata FV/2026/11/0012',
                        'KEMIRA ŚWIECIE SP. Z O.O.',
                        'PL68175010510000000001050834'),
                    (today, Decimal('75.50'), 'faktura FV 14/11/2026', '',
                        'PL19114020040000350230599137'),
                    ]))
        self.assertEqual((summary['read'], summary['matched'],
                summary['queued']), (3, 2, 1),
            [o.b2b_reason for o in statements[0].origins])
        booked, conflict, other = sorted(statements[0].origins,
            key=lambda o: o.id)
        self.assertEqual([l.invoice for l in booked.lines + other.lines],
            [second, third])
        self.assertEqual([booked.b2b_state, other.b2b_state],
            ['matched', 'matched'])
        self.assertEqual(conflict.b2b_state, 'review')
        self.assertEqual(conflict.party, self.kemira)
        self.assertEqual(list(conflict.b2b_candidates), [first])
        self.assertEqual(list(conflict.b2b_invoices), [])
        self.assertEqual(list(conflict.lines), [])
        # the accountant decides: Hurtownia's invoice after all
        conflict.party = self.hurt
        conflict.b2b_invoices = [first]
        conflict.save()
        Origin.b2b_assign([conflict])
        Statement = pool.get('account.statement')
        Statement.validate_statement(statements)
        Statement.post(statements)
        self.assertEqual([Invoice(i.id).amount_to_pay for i in [first,
                    second, third]], [Decimal(0)] * 3)

    @with_bank
    def test_refused_line_named(self):
        "A transfer dated where no period is open: the file, line and cause"
        pool = Pool()
        Date = pool.get('ir.date')
        Statement = pool.get('account.statement')
        Payment = pool.get('b2b.payment')
        self._other_company()
        today = Date.today()
        later = today.replace(year=today.year + 5)
        content = mt940('PL12105014451000002271681920', [
                (today, Decimal('230.00'), 'FV/2026/11/0013',
                    'HURTOWNIA ŁĄCZNIK', 'PL19114020040000350230599137'),
                (later, Decimal('1000.00'), 'Zapłata FV/2026/11/0012',
                    'HURTOWNIA ŁĄCZNIK', 'PL19114020040000350230599137'),
                ])
        with self.assertRaises(UserError) as cm:
            self._import('wyciag-listopad.sta', content)
        message = cm.exception.message
        self.assertIn('wyciag-listopad.sta', message)
        self.assertIn('operation 2 ', message)
        self.assertIn('Zapłata FV/2026/11/0012', message)
        # its date and amount written as everywhere in English
        self.assertIn(
            f"({later.day} {MONTHS[later.month - 1]} {later.year}, "
            "PLN\xa01,000.00,", message)
        self.assertIn('period', message)
        self.assertEqual(Statement.search([], count=True), 0)
        self.assertEqual(Payment.search([], count=True), 0)

    @with_bank
    def test_refused_files_import_nothing(self):
        pool = Pool()
        Statement = pool.get('account.statement')
        self._journal('PL12105014451000002271681920')
        for name, line in [('malformed_61.sta', 11),
                ('malformed_elixir.txt', 2), ('unknown.csv', 1)]:
            with self.subTest(name=name):
                with self.assertRaises(UserError) as cm:
                    self._import(name)
                self.assertIn('line %s' % line, cm.exception.message)
        self.assertEqual(Statement.search([], count=True), 0)
        # a file for an account without journal
        with self.assertRaises(UserError) as cm:
            self._import('pko_iso88592.sta')
        self.assertIn('PL23102055610000380209739045', cm.exception.message)

    @with_bank
    def test_every_format_imports_into_its_journal(self):
        "Each sample of each format and bank lands in its account's journal"
        pool = Pool()
        Statement = pool.get('account.statement')
        names = ['ing_cp852.sta', 'ing_mt942_cp852.txt',
            'millennium_cp852.sta', 'bnp_cp1250.sta', 'pko_iso88592.sta',
            'camt053_pl.xml', 'elixir_o_iso88592.txt',
            'mbank/MT940_IPH.txt', 'mbank/MT940_multiple_accounts.txt',
            'mbank/mt940.sta', 'mbank/mt942.sta',
            'mbank/with_newline_in_tnr.sta']
        for name in names:
            for stmt in parse(data(name)):
                if (stmt.account, stmt.currency) not in self.journals:
                    self.journals[stmt.account, stmt.currency] = \
                        self._journal(stmt.account, stmt.currency)
        for name in names:
            with self.subTest(name=name):
                statements, summary = self._import(name)
                if name == 'mbank/mt942.sta':
                    # the day's final MT940 had the same operations (TNR)
                    self.assertEqual(summary['duplicate'], summary['read'])
                for statement in statements:
                    self.assertEqual(
                        statement.journal.bank_account.numbers[0]
                        .number_compact, statement.name.split()[0])
                self.assertEqual(summary['errors'], 0)
        # mBank's interim report and final statement share their TNRs
        self.assertGreater(Statement.search([], count=True), 10)
        # refused in the reader's language: where and why
        self._polish()
        with Transaction().set_context(language='pl'):
            with self.assertRaises(UserError) as cm:
                self._import('malformed_camt.xml')
        self.assertIn('malformed_camt.xml, wiersz 25: niepoprawny XML',
            cm.exception.message)


del ModuleTestCase
