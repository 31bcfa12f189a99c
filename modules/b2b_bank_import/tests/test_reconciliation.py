# This file is part of the B2B wholesale suite.
"""Reconciliation through Tryton's statements: every route books an
operation once, statements validate and post, rules book the rest"""
from decimal import Decimal

from b2b_bank_import.reason import reason_text
from b2b_base.tests.tools import SuiteModulesMixin
from trytond.exceptions import UserError
from trytond.pool import Pool

# the module's own tests run Tryton's generic checks once (test_module)
from trytond.tests.test_tryton import _DBTestCase, with_transaction
from trytond.transaction import Transaction

from .test_module import BankSetupMixin, mt940, with_bank

IBAN = 'PL12105014451000002271681920'
HURT_IBAN = 'PL19114020040000350230599137'
UNKNOWN_IBAN = 'PL61109010140000071219812874'


class BankReconciliationTestCase(SuiteModulesMixin, BankSetupMixin,
        _DBTestCase):
    "Test reconciliation of imported bank statements"
    module = 'b2b_bank_import'

    def _hurt(self):
        self._journal(IBAN)
        self.hurt = self._customer("Hurtownia Łącznik Sp. z o.o.",
            '5260250274', iban=HURT_IBAN)
        self._number_next(5)
        return self.hurt

    def _one(self, operations, name='wyciag.sta'):
        "Import one statement of the operations; its statement and origins"
        statements, summary = self._import(name, mt940(IBAN, operations))
        statement, = statements
        return statement, sorted(statement.origins, key=lambda o: o.id)

    def refused(self, action, *args):
        """The message refusing the action, which changed nothing (a
        savepoint stands for the request's rollback)"""
        cursor = Transaction().connection.cursor()
        cursor.execute('SAVEPOINT refused')
        with self.assertRaises(UserError) as cm:
            action(*args)
        cursor.execute('ROLLBACK TO SAVEPOINT refused')
        return cm.exception.message

    def _pay(self, statement):
        Statement = Pool().get('account.statement')
        Statement.validate_statement([statement])
        Statement.post([statement])

    @with_bank
    def test_assign_full_payment(self):
        "Assign of a full payment with its invoice prefilled books it"
        pool = Pool()
        Date = pool.get('ir.date')
        Invoice = pool.get('account.invoice')
        Origin = pool.get('account.statement.origin')
        self._hurt()
        invoice = self._invoice('630.00', party=self.hurt)
        self.assertEqual(invoice.number, 'FV/2026/11/0005')
        # an unknown payer, the invoice quoted: to review, prefilled
        statement, (origin,) = self._one([(Date.today(),
                    Decimal('630.00'), 'FV/2026/11/0005 FV/2026/11/0099',
                    'J. KOWALSKI', UNKNOWN_IBAN)])
        self.assertEqual(origin.b2b_state, 'review', origin.b2b_reason)
        self.assertEqual(list(origin.b2b_invoices), [invoice])

        Origin.b2b_assign([origin])
        self.assertEqual(origin.b2b_state, 'assigned')
        self._pay(statement)
        invoice = Invoice(invoice.id)
        self.assertEqual(invoice.amount_to_pay, Decimal(0))
        self.assertTrue(invoice.reconciled)
        # the origin keeps reading as booked, the invoice paid
        origin = Origin(origin.id)
        self.assertEqual(origin.b2b_state, 'assigned')
        self.assertEqual(origin.pending_amount, 0)

    @with_bank
    def test_assign_other_company_invoice_refused(self):
        """Assign of invoices of two companies is refused naming the payer
        (the first invoice's company), whose name's full stop ends the
        sentence once"""
        pool = Pool()
        Date = pool.get('ir.date')
        Origin = pool.get('account.statement.origin')
        self._hurt()
        hurt_invoice = self._invoice('600.00', party=self.hurt)
        invoice = self._invoice('30.00')
        statement, (origin,) = self._one([(Date.today(),
                    Decimal('630.00'), 'ZAPLATA', 'J. KOWALSKI',
                    UNKNOWN_IBAN)])
        origin.party = None
        origin.b2b_invoices = [hurt_invoice, invoice]
        origin.save()
        message = self.refused(Origin.b2b_assign, [origin])
        self.assertTrue(message.endswith(
                "not an open invoice of Hurtownia Łącznik Sp. z o.o."),
            message)
        self.assertEqual(Origin(origin.id).lines, ())

    @with_bank
    def test_each_route_books_once(self):
        "A line by hand, Assign, the rules: the second route refused"
        pool = Pool()
        Date = pool.get('ir.date')
        Line = pool.get('account.statement.line')
        Origin = pool.get('account.statement.origin')
        Statement = pool.get('account.statement')
        self._hurt()
        invoice = self._invoice('100.00', party=self.hurt)
        statement, (matched, other) = self._one([
                (Date.today(), Decimal('100.00'), 'FV/2026/11/0005',
                    'HURTOWNIA ŁĄCZNIK', HURT_IBAN),
                (Date.today(), Decimal('100.00'), 'ZWROT', 'J. KOWALSKI',
                    UNKNOWN_IBAN),
                ])
        self.assertEqual(matched.b2b_state, 'matched')
        self.assertEqual(other.b2b_state, 'review')

        def by_hand(origin):
            "Tryton's own route: Origins → the operation → Lines → New"
            line = Line(origin=origin)
            line.on_change_origin()
            line.amount = Decimal('100.00')
            line.party = self.hurt
            line.on_change_party()
            line.related_to = invoice
            line.save()

        # the matched operation: a line by hand would book it again
        # (its amounts written as everywhere in English)
        refusal = self.refused(by_hand, matched)
        self.assertIn('booked only once', refusal)
        self.assertIn(
            "is PLN\xa0100.00, its lines would book PLN\xa0200.00", refusal)
        # Assign of the matched operation: refused, naming the booking
        self.assertIn('booked already',
            self.refused(Origin.b2b_assign, [matched]))

        # the other booked by hand: it reads as assigned, Assign refused
        by_hand(other)
        other = Origin(other.id)
        self.assertEqual(other.b2b_state, 'assigned')
        self.assertIn('lines entered by', other.b2b_reason)
        self.assertIn('booked already',
            self.refused(Origin.b2b_assign, [other]))
        # a line outside the operations of an imported statement
        self.assertIn('each of its lines books one of its operations',
            self.refused(Line(statement=statement, date=Date.today(),
                    amount=Decimal('5.00'), account=self.cash).save))

        # undone, the hand line is gone and it waits for review again
        Origin.b2b_undo([other])
        other = Origin(other.id)
        self.assertEqual((other.b2b_state, list(other.lines)),
            ('review', []))
        self.assertEqual([e.action for e in other.b2b_events],
            ['undone', 'lines'])
        # deleting the matched lines by hand puts it back in review
        Line.delete(list(Origin(matched.id).lines))
        self.assertEqual(Origin(matched.id).b2b_state, 'review')

        # once validated, bookings cannot change
        other.b2b_account = self.revenue
        other.save()
        Origin.b2b_assign([other])
        matched = Origin(matched.id)
        matched.b2b_invoices = [invoice]
        matched.save()
        Origin.b2b_assign([matched])
        Statement.validate_statement([statement])
        self.assertIn('no longer a draft',
            self.refused(Origin.b2b_undo, [matched]))
        Statement.post([statement])
        self.assertEqual(len(Origin(matched.id).lines), 1)

    @with_bank
    def test_two_statements_one_invoice(self):
        "An invoice paid by a draft statement is not paid again by the next"
        pool = Pool()
        Date = pool.get('ir.date')
        Origin = pool.get('account.statement.origin')
        self._hurt()
        invoice = self._invoice('400.00', party=self.hurt)
        _, (first,) = self._one([(Date.today(), Decimal('400.00'),
                    'FV/2026/11/0005', 'HURTOWNIA ŁĄCZNIK', HURT_IBAN)],
            name='1.sta')
        self.assertEqual(first.b2b_state, 'matched')
        # the same payment sent twice by the customer, the next day's file
        statements, _ = self._import('2.sta', mt940(IBAN, [
                    (Date.today(), Decimal('400.00'),
                        'FV/2026/11/0005 ponownie', 'HURTOWNIA ŁĄCZNIK',
                        HURT_IBAN)], number='00302'))
        second, = statements[0].origins
        self.assertNotEqual(second.b2b_state, 'matched', second.b2b_reason)
        self.assertEqual(list(second.lines), [])
        second.b2b_invoices = [invoice]
        second.save()
        self.assertIn('nothing is left to pay',
            self.refused(Origin.b2b_assign, [second]))

    @with_bank
    def test_multi_invoice_overpayment_party_balance(self):
        "Assign for two invoices with an overpayment, and to the balance"
        pool = Pool()
        Date = pool.get('ir.date')
        Origin = pool.get('account.statement.origin')
        Invoice = pool.get('account.invoice')
        self._hurt()
        first = self._invoice('100.00', party=self.hurt)
        second = self._invoice('50.00', party=self.hurt)
        statement, (two, balance) = self._one([
                (Date.today(), Decimal('170.00'), 'PRZELEW', 'J. K.',
                    UNKNOWN_IBAN),
                (Date.today(), Decimal('30.00'), 'ZALICZKA', 'J. K.',
                    'PL27114020040000300201355387'),
                ])
        two.party = self.hurt
        two.b2b_invoices = [second, first]
        two.b2b_remember_account = False
        two.save()
        balance.party = self.hurt
        balance.save()
        Origin.b2b_assign([two, balance])
        self.assertEqual(sorted((l.amount, l.invoice and l.invoice.number)
                for l in two.lines), [
                (Decimal('20.00'), None),
                (Decimal('50.00'), second.number),
                (Decimal('100.00'), first.number)])
        self._polish()
        with Transaction().set_context(language='pl'):
            text = Origin(two.id).b2b_reason
        self.assertIn('jeden przelew za 2 faktury', text)
        # the amount as the portal writes it in Polish
        self.assertIn('20,00\xa0zł na saldzie firmy', text)
        self.assertIn("PLN\xa020.00 left on the company's balance",
            Origin(two.id).b2b_reason)
        self.assertEqual([(l.amount, l.invoice) for l in balance.lines],
            [(Decimal('30.00'), None)])
        self._pay(statement)
        self.assertEqual([Invoice(i.id).amount_to_pay
                for i in [first, second]], [0, 0])
        # the credit pages: one payment per operation, the rest as balance
        Payment = pool.get('b2b.payment')
        payments = Payment.search([], order=[('amount', 'DESC')])
        self.assertEqual([(p.amount, p.credit_amount) for p in payments],
            [(Decimal('170.00'), Decimal('20.00')),
                (Decimal('30.00'), Decimal('30.00'))])
        # one remembered account (the second), the first unticked
        self.assertEqual(sorted(n.number_compact
                for a in self.hurt.__class__(self.hurt.id).bank_accounts
                for n in a.numbers),
            [HURT_IBAN, 'PL27114020040000300201355387'])
        self.assertIn('posted bank statement',
            self.refused(Payment.cancel, payments[:1]))

    @with_bank
    def test_assigned_payer_account_remembered(self):
        "After Assign, the payer's account recognises its next payment"
        pool = Pool()
        Date = pool.get('ir.date')
        Origin = pool.get('account.statement.origin')
        self._hurt()
        self._invoice('300.00', party=self.hurt)
        self._invoice('200.00', party=self.hurt)
        new_iban = 'PL27114020040000300201355387'
        _, (origin,) = self._one([(Date.today(), Decimal('300.00'),
                    'FV/2026/11/0005 FV/2026/11/0099', 'KOWALSKI JAN',
                    new_iban)], name='1.sta')
        self.assertEqual(origin.b2b_state, 'review', origin.b2b_reason)
        Origin.b2b_assign([origin])
        self.assertIn('payer\'s account %s remembered' % new_iban,
            origin.b2b_reason)
        statements, _ = self._import('2.sta', mt940(IBAN, [
                    (Date.today(), Decimal('200.00'), 'FV/2026/11/0006',
                        'KOWALSKI JAN', new_iban)], number='00302'))
        second, = statements[0].origins
        self.assertEqual(second.b2b_state, 'matched', second.b2b_reason)
        self.assertIn("payer's account %s known" % new_iban,
            second.b2b_reason)

    @with_bank
    def test_rules_book_fees_and_taxes(self):
        "Statement rules book the fee and the tax transfer; the rest waits"
        pool = Pool()
        Date = pool.get('ir.date')
        Rule = pool.get('account.statement.rule')
        self._hurt()
        Rule.create([{
                    'name': "Opłaty bankowe", 'company': self.company.id,
                    'description': r'(?i)OP[ŁL]ATA|PROWIZJA',
                    'amount_high': Decimal(0),
                    'lines': [('create', [{'amount': 'pending',
                                    'account': self.revenue.id}])],
                    }, {
                    'name': "Urząd skarbowy", 'company': self.company.id,
                    'description': r'(?i)/TI/|VAT-7',
                    'amount_high': Decimal(0),
                    'lines': [('create', [{'amount': 'pending',
                                    'account': self.cash.id}])],
                    }])
        statement, (fee, tax, unknown) = self._one([
                (Date.today(), Decimal('-5.00'), 'OPŁATA ZA PRZELEW', '',
                    UNKNOWN_IBAN),
                (Date.today(), Decimal('-1234.00'),
                    '/TI/N5260250274/OKR/26M11/SFP/VAT-7', 'URZĄD SKARBOWY',
                    UNKNOWN_IBAN),
                (Date.today(), Decimal('-99.00'), 'ZAKUP', 'SKLEP',
                    UNKNOWN_IBAN),
                ])
        self.assertEqual([o.b2b_state for o in (fee, tax, unknown)],
            ['rule', 'rule', 'review'])
        self._polish()
        with Transaction().set_context(language='pl'):
            self.assertEqual(fee.__class__(fee.id).b2b_reason,
                'zaksięgowane regułą „Opłaty bankowe”')
        self.assertEqual([(l.amount, l.account) for l in fee.lines],
            [(Decimal('-5.00'), self.revenue)])
        self.assertEqual(fee.b2b_events[0].action, 'rule')

    @with_bank
    def test_accountant_assigns_and_posts(self):
        "An accountant (no B2B administration) assigns, validates, posts"
        pool = Pool()
        Date = pool.get('ir.date')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Origin = pool.get('account.statement.origin')
        Statement = pool.get('account.statement')
        Payment = pool.get('b2b.payment')
        self._hurt()
        invoice = self._invoice('250.00', party=self.hurt)
        statement, (origin,) = self._one([(Date.today(), Decimal('250.00'),
                    'ZA TOWAR', 'J. KOWALSKI', UNKNOWN_IBAN)])
        accountant = User(login='ksiegowa', name="Księgowa",
            groups=[ModelData.get_id('account', 'group_account')],
            companies=[self.company], company=self.company)
        accountant.save()
        transaction = Transaction()
        with transaction.set_user(accountant.id), \
                transaction.set_context(_check_access=True,
                    company=self.company.id):
            origin = Origin(origin.id)
            origin.party = self.hurt
            origin.b2b_invoices = [invoice]
            origin.save()
            Origin.b2b_assign([origin])
            statement = Statement(statement.id)
            Statement.validate_statement([statement])
            Statement.post([statement])
        payment, = Payment.search([])
        self.assertEqual((payment.party, payment.amount),
            (self.hurt, Decimal('250.00')))
        self.assertEqual(Origin(origin.id).b2b_events[0].user, accountant)

    @with_bank
    def test_payer_named_in_counterparty(self):
        "A payer named in the counterparty field is recognised, not booked"
        pool = Pool()
        Date = pool.get('ir.date')
        self._hurt()
        self._invoice('320.00', party=self.hurt)
        _, (origin,) = self._one([(Date.today(), Decimal('320.00'),
                    'ZAPLATA ZA TOWAR', 'HURTOWNIA ŁĄCZNIK SPÓŁKA Z O.O.',
                    UNKNOWN_IBAN)])
        self.assertEqual(origin.b2b_state, 'review')
        self.assertEqual(origin.party, self.hurt)
        self.assertNotIn('neither invoice nor payer', origin.b2b_reason)
        self.assertIn("payer's name like the company's", origin.b2b_reason)

    @with_transaction()
    def test_polish_plural_forms(self):
        "Reasons in the reader's language, Polish plural forms right"
        self._polish()
        with Transaction().set_context(language='pl'):
            for n, text in [(1, 'za 1 fakturę'), (2, 'za 2 faktury'),
                    (4, 'za 4 faktury'), (5, 'za 5 faktur'),
                    (12, 'za 12 faktur'), (22, 'za 22 faktury'),
                    (25, 'za 25 faktur')]:
                self.assertEqual(reason_text([('several', n)]),
                    'jeden przelew ' + text)
            self.assertEqual(reason_text([('number', 'FV/1'),
                        ('exact', None)]),
                'numer faktury FV/1 w tytule; kwota równa pozostałej do '
                'zapłaty')
        self.assertEqual(reason_text([('several', 2), ('rule', "Opłaty")]),
            'one transfer for 2 invoices; booked by rule "Opłaty"')


del _DBTestCase
