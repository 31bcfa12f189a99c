# This file is part of the B2B wholesale suite.
from decimal import Decimal

from b2b_base.tests.tools import SuiteModulesMixin
from trytond.modules.company.tests import CompanyTestMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase
from trytond.transaction import Transaction

from ..erp import read_rows
from ..exceptions import (
    APIKeyError,
    CreditCheckoutError,
    ErpImportError,
    PaymentError,
)
from .tools import CreditSetupMixin, with_credit

D = Decimal


class B2BCreditTestCase(SuiteModulesMixin, CreditSetupMixin, CompanyTestMixin,
        ModuleTestCase):
    "Test b2b_credit module"
    module = 'b2b_credit'

    @with_credit
    def test_payments_partial_multi_overpayment_cancel(self):
        "Payments pay invoices in full or in part, the rest is credit"
        pool = Pool()
        Payment = pool.get('b2b.payment')
        Date = pool.get('ir.date')
        today = Date.today()
        self._set_limit(self.party, '1000')
        first = self._invoice('100')
        second = self._invoice('200')
        third = self._invoice('300')
        self.assertEqual(self.party.b2b_credit().used, D('600.00'))

        # oldest first: the first in full, the second in part
        payment = Payment.record(self.party, D('250'), today,
            reference="PRZELEW 1", reason="oldest first")
        self.assertEqual(
            [(a.invoice, a.amount) for a in payment.allocations],
            [(first, D('100')), (second, D('150'))])
        self.assertEqual(first.state, 'paid')
        self.assertEqual(first.b2b_payment_status(), 'paid')
        self.assertEqual(second.b2b_payment_status(), 'partial')
        self.assertEqual(second.amount_to_pay, D('50'))
        self.assertEqual(payment.move.state, 'posted')
        self.assertEqual(payment.credit_amount, D(0))
        credit = self.party.b2b_credit()
        self.assertEqual((credit.used, credit.available),
            (D('350.00'), D('650.00')))

        # one payment, two invoices in the order given, 50 too much
        payment2 = Payment.record(self.party, D('400'), today,
            invoices=[third, second], reference="PRZELEW 2")
        self.assertEqual(
            [(a.invoice, a.amount) for a in payment2.allocations],
            [(third, D('300')), (second, D('50'))])
        self.assertEqual((second.state, third.state), ('paid', 'paid'))
        self.assertEqual(payment2.credit_amount, D('50'))
        credit = self.party.b2b_credit()
        self.assertEqual(credit.receivable, D('-50'))
        self.assertEqual((credit.used, credit.available),
            (D('-50.00'), D('1050.00')))

        # cancelled: the invoices it paid are open again
        Payment.cancel([payment2])
        self.assertEqual(payment2.state, 'cancelled')
        self.assertEqual(payment2.cancel_move.state, 'posted')
        self.assertEqual((second.state, third.state), ('posted', 'posted'))
        self.assertEqual((second.amount_to_pay, third.amount_to_pay),
            (D('50'), D('300')))
        self.assertEqual(self.party.b2b_credit().used, D('350.00'))

        with self.assertRaises(PaymentError):
            Payment.record(self.party, D('0'), today)
        with self.assertRaises(PaymentError):
            Payment.record(self.party, D('10'), today, invoices=[first])

    @with_credit
    def test_deferred_gating_to_the_grosz(self):
        "Deferred payment fits the available credit to the grosz"
        pool = Pool()
        Sale = pool.get('sale.sale')
        # 2 drills 246.00 gross; with the courier 270.60 at confirmation
        self._set_limit(self.party, '270.60')
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2)])
        options = Sale.b2b_checkout_options(self.buyer)
        self.assertIn(self.deferred, options['payment_methods'])
        order = Sale.b2b_place_order(self.buyer, cart,
            shipment_address=self.address, carrier=self.carrier,
            payment_method=self.deferred)
        self.assertEqual(order.state, 'confirmed')
        self.assertEqual(order.total_amount, D('270.60'))
        credit = self.party.b2b_credit()
        self.assertEqual((credit.used, credit.available),
            (D('270.60'), D('0.00')))

        # the next cart: refused with the missing amount, others offered
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 1)])
        options = Sale.b2b_checkout_options(self.buyer)
        self.assertEqual(options['payment_methods'], [self.transfer])
        (method, refusal), = options['unavailable_payment_methods']
        self.assertEqual((method, refusal.kind, refusal.missing),
            (self.deferred, 'exceeded', D('123.00')))
        self.assertIn("123.00", refusal.message)

        # 147.60 with the courier; one grosz short at confirmation
        self._set_limit(self.party, '418.19')
        self.assertIn(self.deferred,
            Sale.b2b_checkout_options(self.buyer)['payment_methods'])
        with self.assertRaises(CreditCheckoutError) as cm:
            Sale.b2b_place_order(self.buyer, cart,
                shipment_address=self.address, carrier=self.carrier,
                payment_method=self.deferred)
        self.assertRegex(cm.exception.message, r"by \D*0\.01\.")

    @with_credit
    def test_open_orders_count_until_invoiced(self):
        """An open order uses credit for what its posted invoices do not
        cover yet: in full with a draft invoice, the rest once an invoice
        of part of it is posted (that invoice is then receivable)"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Invoice = pool.get('account.invoice')
        self._set_limit(self.party, '1000')
        # what invoicing the goods needs
        self.account_category.account_revenue = self.revenue
        self.account_category.save()
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2)])
        order = Sale.b2b_place_order(self.buyer, cart,
            shipment_address=self.address, carrier=self.carrier,
            payment_method=self.deferred)
        # 2 drills 200.00 and the courier 20.00 net: 270.60 gross
        self.assertEqual(order.total_amount, D('270.60'))
        self.assertEqual(self.party.b2b_credit().orders, D('270.60'))
        Sale.process([order])
        invoice, = Sale(order.id).invoices
        self.assertEqual(invoice.state, 'draft')
        self.assertEqual(self.party.b2b_credit().orders, D('270.60'))

        # one drill and the courier invoiced: one drill left, 123.00 gross
        drill_line, = [l for l in invoice.lines
            if l.product == self.drill]
        drill_line.quantity = 1
        drill_line.save()
        invoice = Invoice(invoice.id)
        invoice.invoice_date = invoice.accounting_date = None
        with Transaction().set_context(_skip_warnings=True):
            Invoice.post([invoice])
        credit = self.party.b2b_credit()
        self.assertEqual(credit.orders, D('123.00'))
        self.assertEqual(credit.receivable, D('147.60'))
        self.assertEqual(credit.used, D('270.60'))

    @with_credit
    def test_refusal_amounts_in_both_languages(self):
        """The refusal of deferred payment the buyer reads at checkout
        writes its amounts as the portal does: PLN 1,234.56 in English,
        1 234,56 zł in Polish, thousands grouped"""
        pool = Pool()
        Lang = pool.get('ir.lang')
        Party = pool.get('party.party')
        self.company.currency.code = 'PLN'
        self.company.currency.save()
        self._set_limit(self.party, '1000')
        refusal = self.party.b2b_deferred_refusal(D('2234.56'))
        self.assertEqual(refusal.message,
            "Deferred payment is not available: the order's total of "
            "PLN\xa02,234.56 exceeds the available trade credit of "
            "PLN\xa01,000.00 by PLN\xa01,234.56.")
        Lang.load_translations(Lang.search([('code', '=', 'pl')]))
        with Transaction().set_context(language='pl'):
            refusal = Party(self.party.id).b2b_deferred_refusal(
                D('2234.56'))
        self.assertEqual(refusal.message,
            "Płatność z odroczonym terminem jest niedostępna: wartość "
            "zamówienia 2\xa0234,56\xa0zł przekracza dostępny kredyt "
            "kupiecki 1\xa0000,00\xa0zł o 1\xa0234,56\xa0zł.")

    @with_credit
    def test_limit_lowered_and_overdue(self):
        "A lowered limit and an old overdue invoice refuse deferred payment"
        pool = Pool()
        Sale = pool.get('sale.sale')
        self._set_limit(self.party, '1000')
        self._invoice('300')
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2)])
        self.assertIn(self.deferred,
            Sale.b2b_checkout_options(self.buyer)['payment_methods'])

        self._set_limit(self.party, '500')
        (_, refusal), = Sale.b2b_checkout_options(
            self.buyer)['unavailable_payment_methods']
        self.assertEqual(refusal.missing, D('46.00'))
        with self.assertRaises(CreditCheckoutError) as cm:
            Sale.b2b_place_order(self.buyer, cart,
                shipment_address=self.address, carrier=self.carrier,
                payment_method=self.deferred)
        self.assertRegex(cm.exception.message, r"by \D*46\.00\.")

        # overdue for 20 days while the group allows 14
        self._set_limit(self.party, '5000')
        self._invoice('100', due_in=-20)
        self.group.overdue_days = 14
        self.group.save()
        (_, refusal), = Sale.b2b_checkout_options(
            self.buyer)['unavailable_payment_methods']
        self.assertEqual(refusal.kind, 'overdue')
        self.assertIn("100.00", refusal.message)
        self.assertIn("14 days", refusal.message)
        self.group.overdue_days = 30
        self.group.save()
        self.assertIn(self.deferred,
            Sale.b2b_checkout_options(self.buyer)['payment_methods'])


    @with_credit
    def test_import_credit_and_invoices(self):
        "ERP imports: twice changes nothing, a bad line imports nothing"
        pool = Pool()
        Erp = pool.get('b2b.erp')
        Invoice = pool.get('account.invoice')
        Sale = pool.get('sale.sale')
        Configuration = pool.get('b2b.configuration')
        configuration = Configuration(1)
        configuration.erp_invoice_account = self.revenue
        configuration.save()
        invoices = (
            "number;nip;date;due_date;total\n"
            "FV/1/2026;521-301-72-28;2026-01-10;2026-01-24;1 230,00\n"
            "FV/2/2026;5213017228;2026-01-12;;99.99\n")
        for _ in range(2):
            result = Erp.import_invoices(read_rows(invoices, 'f.csv'))
        self.assertEqual(result, (0, 2))
        imported = Invoice.search([('b2b_external_number', '!=', None)],
            order=[('number', 'ASC')])
        self.assertEqual(
            [(i.number, i.total_amount, i.state) for i in imported],
            [('FV/1/2026', D('1230.00'), 'posted'),
                ('FV/2/2026', D('99.99'), 'posted')])
        self.assertEqual(imported[0].b2b_payment_status(), 'overdue')
        self.assertEqual(self.party.b2b_credit().used, D('1329.99'))

        # a bad line: its number in the message, nothing imported
        bad = invoices.replace('FV/', 'FX/').replace('99.99', '9,9x')
        with self.assertRaises(ErpImportError) as cm:
            Erp.import_invoices(read_rows(bad, 'f.csv'))
        self.assertIn("line 3", cm.exception.message)
        self.assertIn("9,9x", cm.exception.message)
        self.assertEqual(Invoice.search([('number', 'like', 'FX/%')]), [])
        json_ = '{"invoices": [{"number": "FV/3/2026", "nip": "5213017228",'\
            ' "date": "2026-02-01", "total": 10}, {"number": "FV/4/2026"}]}'
        with self.assertRaises(ErpImportError) as cm:
            Erp.import_invoices(read_rows(json_, 'f.json'))
        self.assertIn("item 2", cm.exception.message)

        # the ERP's used credit, plus the orders placed here since
        credit = "nip,credit_limit,used_credit\n5213017228,5000,1500.50\n"
        for _ in range(2):
            self.assertEqual(Erp.import_credit(read_rows(credit, 'c.csv')),
                1)
        self.assertEqual(self.party.credit_limit_amount, D('5000'))
        self.assertEqual(self.party.b2b_credit().used, D('1500.50'))
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 1)])
        Sale.b2b_place_order(self.buyer, cart,
            shipment_address=self.address, carrier=self.carrier,
            payment_method=self.deferred)
        credit = self.party.b2b_credit()
        self.assertEqual((credit.used, credit.available),
            (D('1648.10'), D('3351.90')))
        with self.assertRaises(ErpImportError) as cm:
            Erp.import_credit(read_rows(
                    "nip;credit_limit\n5213017228;10\n1111111111;20\n",
                    'c.csv'))
        self.assertIn("line 3", cm.exception.message)
        self.assertEqual(self.party.credit_limit_amount, D('5000'))

    @with_credit
    def test_import_absurd_values(self):
        """An amount beyond 12 digits before the decimal point or 2 after,
        NaN, Infinity or a control character is refused naming the line
        or item and the field; nothing is imported"""
        pool = Pool()
        Erp = pool.get('b2b.erp')
        Invoice = pool.get('account.invoice')
        Configuration = pool.get('b2b.configuration')
        configuration = Configuration(1)
        configuration.erp_invoice_account = self.revenue
        configuration.save()
        limit = self.party.credit_limit_amount
        header = "number;nip;date;total\n"
        good = "FV/1/2026;5213017228;2026-01-10;100\n"
        for total in ['1e30', '1000000000000', '1' * 400, '0.' + '0' * 400
                + '1', '10.555', 'NaN', 'Infinity', '-1e309']:
            with self.assertRaises(ErpImportError) as cm:
                Erp.import_invoices(read_rows(
                        header + good + f"FV/2/2026;5213017228;2026-01-10;"
                        f"{total}\n", 'f.csv'))
            self.assertIn("line 3", cm.exception.message)
            self.assertIn("total", cm.exception.message)
        for document in [
                '{"invoices": [{"number": "A\\u0000B", "nip": "5213017228",'
                ' "date": "2026-01-10", "total": 1}]}',
                '{"invoices": [{"number": "A", "nip": "5213017228",'
                ' "date": "2026-01-10", "total": 1e30}]}',
                '{"invoices": [{"number": "A", "nip": ["5213017228"],'
                ' "date": "2026-01-10", "total": 1}]}',
                ]:
            with self.assertRaises(ErpImportError) as cm:
                Erp.import_invoices(read_rows(document, 'f.json'))
            self.assertIn("item 1", cm.exception.message)
        self.assertEqual(
            Invoice.search([('b2b_external_number', '!=', None)]), [])
        for row in ["5213017228;1e30;", "5213017228;10;1e13",
                "5213017228\x00;10;", "5213017228;10;0.001"]:
            with self.assertRaises(ErpImportError) as cm:
                Erp.import_credit(read_rows(
                        "nip;credit_limit;used_credit\n" + row, 'c.csv'))
            self.assertIn("line 2", cm.exception.message)
        self.assertEqual(self.party.credit_limit_amount, limit)

        # the bounds themselves are accepted
        self.assertEqual(Erp.import_credit(read_rows(
                    "nip;credit_limit;used_credit\n"
                    "5213017228;999999999999.99;-999999999999.99\n",
                    'c.csv')), 1)
        self.assertEqual(self.party.credit_limit_amount,
            D('999999999999.99'))

    @with_credit
    def test_api_key(self):
        "API keys are stored as digests; a wrong key is refused"
        pool = Pool()
        ApiKey = pool.get('b2b.api.key')
        record, key = ApiKey.b2b_create_key("ERP", self.company)
        self.assertNotIn(key, record.key_hash)
        self.assertEqual(ApiKey.b2b_authenticate(key), record)
        for wrong in [key[:-1], '', None]:
            with self.assertRaises(APIKeyError):
                ApiKey.b2b_authenticate(wrong)
        record.active = False
        record.save()
        with self.assertRaises(APIKeyError):
            ApiKey.b2b_authenticate(key)


del ModuleTestCase
