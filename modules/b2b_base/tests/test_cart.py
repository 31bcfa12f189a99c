# This file is part of the B2B wholesale suite.
import datetime
from decimal import Decimal
from unittest.mock import patch

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.transaction import Transaction

from .. import cart as cart_module
from ..exceptions import B2BAccessError, CheckoutError, SaleQuantityError
from .test_pricing import with_setup
from .tools import (
    count_queries,
    create_customer,
    queue_worker,
    run_queued,
    smtp_sink,
)


def queued_emails():
    """Return the order e-mail tasks queued by this thread's transactions
    that still exist (a task rolled back with its transaction is gone)"""
    Queue = Pool().get('ir.queue')
    tasks = Queue.search([('id', 'in', list(Transaction().tasks))])
    return [t for t in tasks
        if t.data['method'] == 'b2b_send_order_emails']


def send_queued_emails():
    """Run the queued order e-mail tasks as a worker does after the commit
    (the sale's own processing, also queued, is left alone)"""
    for task in queued_emails():
        Transaction().tasks.remove(task.id)
        task.run()


def placed_not_quoted():
    "Return the domain of the back office's tab of the placed orders"
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    Domain = pool.get('ir.action.act_window.domain')
    tab = Domain(ModelData.get_id('b2b_base', 'act_sale_form_domain_ordered'))
    return PYSONDecoder().decode(tab.domain)


def run_confirm_task():
    """Run the one queued task confirming a placed order as the worker
    does, and commit; return the e-mails it sent"""
    with smtp_sink() as messages:
        assert run_queued('b2b_confirm_orders') == 1
        Transaction().commit()
    return messages


class CartTestMixin:
    "Test the cart and placing orders"

    def _shop(self):
        "Give the customer's group a payment and a delivery method"
        pool = Pool()
        Method = pool.get('b2b.payment.method')
        Carrier = pool.get('carrier')
        Party = pool.get('party.party')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        unit, = Uom.search([('symbol', '=', 'u')])
        service = Template(name="Courier", type='service', salable=True,
            default_uom=unit, sale_uom=unit, list_price=Decimal('20'),
            account_category=self.account_category, products=[{}])
        service.save()
        carrier_party = Party(name="DPD")
        carrier_party.save()
        self.carrier = Carrier(party=carrier_party,
            carrier_product=service.products[0])
        self.carrier.save()
        self.transfer = Method(name="Transfer", kind='transfer')
        self.transfer.save()
        self.cod = Method(name="COD", kind='cod')
        self.cod.save()
        self.group.payment_methods = [self.transfer]
        self.group.carriers = [self.carrier]
        self.group.save()
        self.address, = self.party.addresses

    @with_setup
    def test_cart_add_merge_and_prices(self):
        "Items added twice merge into one line at the customer's price"
        pool = Pool()
        Sale = pool.get('sale.sale')
        self.group.discount = Decimal(10)
        self.group.save()
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2)])
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 3)])
        line, = cart.lines
        self.assertEqual(line.quantity, 5)
        self.assertEqual(line.unit_price, Decimal('90.0000'))
        self.assertEqual(cart.b2b_web_user, self.buyer)
        self.assertEqual(cart.state, 'draft')
        # the same cart comes back, e.g. after logging out and in
        self.assertEqual(Sale.b2b_cart(self.buyer), cart)

    @with_setup
    def test_cart_refuses_rules_and_viewers(self):
        "The cart applies the selling rules and the roles"
        pool = Pool()
        Sale = pool.get('sale.sale')
        party, (viewer,) = create_customer(
            "Alfa 2", '5260250274', [('viewer@alfa.example', 'viewer')],
            group=self.group)
        with self.assertRaises(B2BAccessError):
            Sale.b2b_cart_add(viewer, [(self.drill, 1)])
        with self.assertRaises(SaleQuantityError):
            Sale.b2b_cart_add(self.buyer, [(self.coffee, 0.3)])
        cart = Sale.b2b_cart(self.buyer)
        self.assertFalse(cart and cart.lines)

    @with_setup
    def test_cart_lines_of_another_account(self):
        "Nobody changes another account's cart"
        pool = Pool()
        Sale = pool.get('sale.sale')
        other_party, (other,) = create_customer(
            "Beta", '1132853869', [('buyer@beta.example', 'buyer')],
            group=self.group)
        cart = Sale.b2b_cart_add(other, [(self.drill, 1)])
        line, = cart.lines
        with self.assertRaises(B2BAccessError):
            Sale.b2b_cart_set_quantity(self.buyer, line, 7)
        with self.assertRaises(B2BAccessError):
            Sale.b2b_cart_remove(self.buyer, line)
        self.assertEqual(line.quantity, 1)

    def _cart_content(self):
        "Return the (product name, quantity) of the buyer's cart, sorted"
        Sale = Pool().get('sale.sale')
        cart = Sale.b2b_cart(self.buyer)
        return sorted((l.product.name, l.quantity)
            for l in cart.lines) if cart else []

    def _loose(self, name, digits):
        "Return a product sold loose by a weight unit of so many decimals"
        pool = Pool()
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        unit = Uom(name=f"Weight {digits}", symbol=f'w{digits}',
            category=self.kg.category, factor=1, rate=1,
            rounding=float(Decimal(1).scaleb(-digits)), digits=digits)
        unit.save()
        template = Template(name=name, type='goods', salable=True,
            default_uom=unit, sale_uom=unit, list_price=Decimal('10'),
            account_category=self.account_category, products=[{}])
        template.save()
        return template.products[0]

    @with_setup
    def test_cart_set_zero_and_remove(self):
        "Setting 0 or removing empties the lines; the last leaves no error"
        pool = Pool()
        Sale = pool.get('sale.sale')
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2),
                (self.screw, 3), (self.coffee, 0.5)])
        lines = {l.product.name: l for l in cart.lines}
        Sale.b2b_cart_set_quantity(self.buyer, lines["Drill"], 0)
        self.assertEqual(self._cart_content(),
            [("Coffee", 0.5), ("Screw", 3)])
        self.assertEqual(Sale.b2b_cart(self.buyer).untaxed_amount,
            Decimal('70.00'))
        Sale.b2b_cart_remove(self.buyer, lines["Screw"])
        Sale.b2b_cart_remove(self.buyer, lines["Coffee"])
        cart = Sale.b2b_cart(self.buyer)
        self.assertEqual(list(cart.lines), [])
        self.assertEqual(cart.untaxed_amount, Decimal('0'))

    @with_setup
    def test_quantity_rule(self):
        "Whole pieces, the unit's decimals and a bound on every quantity"
        pool = Pool()
        Sale = pool.get('sale.sale')
        fine = self._loose("Saffron", 3)
        for product, quantity in [
                (self.drill, 3), (self.drill, Decimal('3')),
                (self.drill, 1_000_000_000), (self.coffee, Decimal('0.25')),
                (fine, Decimal('0.001')), (fine, 0.125)]:
            with self.subTest(product=product.name, quantity=quantity):
                product.b2b_check_sale_quantity(quantity)
        for product, quantity, message in [
                (self.drill, 1.5, '"Drill" is sold only in whole units '
                    '(u), so 1.5\xa0u is not possible. Order 1\xa0u or '
                    '2\xa0u.'),
                (self.drill, Decimal('1.5'), "whole units (u)"),
                (fine, Decimal('0.0001'), '"Saffron" is measured to '
                    '0.001\xa0w3, so 0.0001\xa0w3 is not possible.'),
                (self.coffee, Decimal('0.251'), "is measured to 0.01"),
                (self.drill, Decimal('1E-300'), "whole units (u)"),
                (self.drill, Decimal('1e20'), "most 1,000,000,000\xa0u"),
                (self.drill, 1e20, "most 1,000,000,000\xa0u"),
                (self.drill, Decimal('1e309'), "most 1,000,000,000\xa0u"),
                (self.drill, float('inf'), "as a number"),
                (self.drill, float('nan'), "as a number"),
                (self.drill, Decimal('NaN'), "as a number"),
                ]:
            with self.subTest(product=product.name, quantity=quantity):
                with self.assertRaises(UserError) as cm:
                    product.b2b_check_sale_quantity(quantity)
                self.assertIn(message, cm.exception.message)
                # and the cart writes nothing of it
                with self.assertRaises(UserError):
                    Sale.b2b_cart_add(self.buyer, [(product, quantity)])
                self.assertIsNone(Sale.b2b_cart(self.buyer))

        # nor through a line of the cart, nor by adding up
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2)])
        line, = cart.lines
        for quantity in [1.5, Decimal('1e20'), 2e9]:
            with self.subTest(quantity=quantity):
                with self.assertRaises(UserError):
                    Sale.b2b_cart_set_quantity(self.buyer, line, quantity)
        with self.assertRaises(UserError):
            Sale.b2b_cart_add(self.buyer, [(self.drill, 999_999_999)])
        self.assertEqual(self._cart_content(), [("Drill", 2)])

        # in Polish for a Polish buyer
        Lang = pool.get('ir.lang')
        Lang.load_translations(Lang.search([('code', '=', 'pl')]))
        Product = pool.get('product.product')
        with Transaction().set_context(language='pl'):
            with self.assertRaises(UserError) as cm:
                Product(self.drill.id).b2b_check_sale_quantity(1.5)
        self.assertIn("wyłącznie w całych jednostkach", cm.exception.message)
        # Polish numbers and units; the unit's full stop ends the sentence
        self.assertIn("ilość 1,5\xa0szt. jest niemożliwa",
            cm.exception.message)
        self.assertTrue(cm.exception.message.endswith(
                "Zamów 1\xa0szt. lub 2\xa0szt."), cm.exception.message)

    @with_setup
    def test_parse_quantity(self):
        "One parser for a typed quantity: plain positive numbers only"
        pool = Pool()
        Product = pool.get('product.product')
        for text, value in [('12', '12'), ('0,25', '0.25'),
                ('0.25', '0.25'), (' 3 ', '3'), ('\t0,5\n', '0.5'),
                ('0', '0'), ('007', '7')]:
            with self.subTest(text=text):
                quantity = Product.b2b_parse_quantity(text)
                self.assertIsInstance(quantity, Decimal)
                self.assertEqual(quantity, Decimal(value))
        for text in ['', '   ', None, '-1', '+1', '1e20', '1e309',
                '1E-300', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf',
                '9' * 400, '0.' + '0' * 400 + '1', '1\x00', '\x001',
                '\x1f1', '1\x7f', '1 000', '1,000.5', '1.', '.5', '0x10',
                '\u0661\u0662', '１２', '12 szt.']:
            with self.subTest(text=text):
                with self.assertRaises(UserError) as cm:
                    Product.b2b_parse_quantity(text)
                self.assertIn("Enter the quantity as a number",
                    cm.exception.message)

    @with_setup
    def test_quick_order_checks_before_writing(self):
        """Quick order: good lines added, each bad line with its reason,
        nothing of a bad line written, quantities added up exactly"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        rice = self._loose("Rice", 2)
        for product, code in [(self.drill, 'DR-1'), (self.coffee, 'CF-1'),
                (rice, 'RI-1')]:
            product.template.code = code
            product.template.save()
        lines = ["DR-1 3", "DR-1 1,5", "CF-1 0,0001", "CF-1 0,5",
            "DR-1 1e20", "DR-1 " + '9' * 400, "CF-1 NaN", "DR-1 -1",
            "RI-1 0,1", "RI-1 0,2", "DR-1 0", "DR-1 2000000000"]
        results = Sale.b2b_quick_order(self.buyer, '\n'.join(lines))
        self.assertEqual([r[0] for r in results], lines)
        errors = {raw: error for raw, _, error in results}
        self.assertEqual([raw for raw, product, _ in results if product],
            ["DR-1 3", "CF-1 0,5", "RI-1 0,1", "RI-1 0,2"])
        self.assertIn("whole units (u)", errors["DR-1 1,5"])
        self.assertIn("measured to 0.01\xa0kg", errors["CF-1 0,0001"])
        for raw in ["DR-1 1e20", "DR-1 " + '9' * 400, "CF-1 NaN",
                "DR-1 -1"]:
            self.assertIn("Enter the quantity as a number", errors[raw])
        self.assertIn("greater than zero", errors["DR-1 0"])
        self.assertIn("most 1,000,000,000\xa0u", errors["DR-1 2000000000"])
        # 0.1 + 0.2 kg is 0.3 kg, not a float's 0.30000000000000004
        self.assertEqual(self._cart_content(),
            [("Coffee", 0.5), ("Drill", 3), ("Rice", 0.3)])

    @with_setup
    def test_quick_order(self):
        "Pasted 'code quantity' lines are added or refused with a reason"
        pool = Pool()
        Sale = pool.get('sale.sale')
        for product, code in [(self.drill, 'DR-1'), (self.coffee, 'CF-1')]:
            product.template.code = code
            product.template.save()
        results = Sale.b2b_quick_order(self.buyer,
            "DR-1 3\n\nCF-1;0,5\nCF-1 0.3\nXX-9 1\nnonsense")
        self.assertEqual([bool(r[1]) for r in results],
            [True, True, False, False, False])
        self.assertIn("0.25\xa0kg or 0.5\xa0kg", results[2][2])
        self.assertIn('no product with code "XX-9"', results[3][2])
        self.assertIn("product code and a quantity", results[4][2])
        cart = Sale.b2b_cart(self.buyer)
        self.assertEqual(
            sorted((l.product.code, l.quantity) for l in cart.lines),
            [('CF-1', 0.5), ('DR-1', 3)])

    @with_setup
    def test_place_order(self):
        "Placing the cart confirms the order and e-mails the buyer"
        pool = Pool()
        Sale = pool.get('sale.sale')
        self._shop()
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2)])
        with smtp_sink() as messages:
            order = Sale.b2b_place_order(self.buyer, cart,
                shipment_address=self.address, carrier=self.carrier,
                payment_method=self.transfer, comment=" Gate 2 ",
                reference="PO-77")
            self.assertEqual(order.state, 'confirmed')
            self.assertEqual(order.reference, "PO-77")
            self.assertEqual(order.comment, "Gate 2")
            self.assertEqual(order.shipment_address, self.address)
            # 2 drills, the carrier's shipment cost line added by Tryton
            self.assertEqual(order.untaxed_amount, Decimal('220.00'))
            Transaction().commit()
            # not sent by the request: a task of the queue, run after the
            # commit (by a worker, or by the portal when none runs)
            self.assertEqual(messages, [])
            send_queued_emails()
            Transaction().commit()
        mail, = messages
        self.assertEqual(mail['To'], self.buyer.email)
        self.assertIn(order.number, mail['Subject'])
        self.assertIn("it is confirmed", mail.get_content())
        self.assertIn("Your reference: PO-77", mail.get_content())
        # the cart is now empty: a new one starts
        self.assertIsNone(Sale.b2b_cart(self.buyer))

    @with_setup
    def test_place_order_confirmed_by_the_worker(self):
        """With a queue worker, placing gives the order its number and
        leaves the cart at once; the order shows meanwhile the lines and
        totals with delivery that the worker's quote then makes, to the
        grosz, and the worker confirms it, then e-mails the buyer"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        self._shop()
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2)])
        summary = Sale.b2b_checkout_summary(self.buyer, cart,
            [self.carrier], carrier=self.carrier,
            payment_method=self.transfer)
        with queue_worker():
            order = Sale.b2b_place_order(self.buyer, cart,
                shipment_address=self.address, carrier=self.carrier,
                payment_method=self.transfer)
        self.assertEqual(order.state, 'draft')
        self.assertTrue(order.number)
        self.assertTrue(order.b2b_is_order())
        self.assertEqual(order.b2b_status(), "Received")
        self.assertEqual(order.b2b_date(), order.b2b_ordered_at.date())
        self.assertIsNone(Sale.b2b_cart(self.buyer))
        self.assertEqual(Sale.b2b_orders(self.buyer), [order])
        # the back office's tab of the orders placed, not quoted yet
        self.assertEqual(Sale.search(placed_not_quoted()), [order])
        # no longer the cart: its lines are the buyer's to change no more
        with self.assertRaises(B2BAccessError):
            Sale.b2b_cart_set_quantity(self.buyer, order.lines[0], 5)
        shown = Sale(order.id).b2b_totals()
        self.assertEqual(shown.total_amount, summary.total_amount)
        self.assertEqual(
            [l.amount for l in shown.lines], [l.amount for l in summary.lines])
        self.assertEqual(Sale(order.id).b2b_prepayment()[1], order.number)
        messages = run_confirm_task()
        order = Sale(order.id)
        self.assertEqual(order.state, 'confirmed')
        self.assertEqual(order.b2b_totals(), order)
        self.assertEqual(order.total_amount, summary.total_amount)
        self.assertEqual(len(order.lines), 2)  # the goods and the delivery
        self.assertEqual(Sale.search(placed_not_quoted()), [])
        # the staff's copy of the order is neither placed nor the cart
        copy, = Sale.copy([order])
        self.assertFalse(copy.b2b_is_order())
        self.assertIsNone(Sale.b2b_cart(self.buyer))
        mail, = messages
        self.assertIn(order.number, mail['Subject'])
        self.assertIn("it is confirmed", mail.get_content())

    @with_setup
    def test_worker_leaves_a_refused_order_for_review(self):
        """An order the worker's quote refuses (its invoice address was
        removed after placing) stays an order waiting for the staff, not a
        cart, and its e-mail says it waits for review"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        self._shop()
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2)])
        with queue_worker():
            order = Sale.b2b_place_order(self.buyer, cart,
                shipment_address=self.address, carrier=self.carrier,
                payment_method=self.transfer)
        # the invoice address quote requires is gone
        Sale.write([order], {'invoice_address': None})
        # what the worker finds: the placed order, committed
        Transaction().commit()
        messages = run_confirm_task()
        order = Sale(order.id)
        self.assertEqual(order.state, 'draft')
        self.assertTrue(order.b2b_received())
        self.assertIsNone(Sale.b2b_cart(self.buyer))
        # the staff finds it in its tab of the back office
        self.assertEqual(Sale.search(placed_not_quoted()), [order])
        mail, = messages
        self.assertIn("after review", mail.get_content())

    @with_setup
    def test_order_email_in_both_languages(self):
        """The order e-mail writes quantities and amounts as the portal
        does, in the language of the buyer's company: a million without
        exponent, a unit price under 1 with its 4 decimals, thousands
        grouped, PLN 1,234.56 in English and 1 234,56 zł in Polish"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Template = pool.get('product.template')
        Lang = pool.get('ir.lang')
        Party = pool.get('party.party')
        self.company.currency.code = 'PLN'
        self.company.currency.save()
        self._shop()
        nail = Template(name="Nail", type='goods', salable=True,
            default_uom=self.unit, sale_uom=self.unit,
            list_price=Decimal('0.0725'),
            account_category=self.account_category, products=[{}])
        nail.save()
        nail, = nail.products
        cart = Sale.b2b_cart_add(self.buyer,
            [(self.drill, 12), (nail, 1_000_000)])
        order = Sale.b2b_place_order(self.buyer, cart,
            shipment_address=self.address, carrier=self.carrier,
            payment_method=self.transfer, reference="PO-78")

        def body(language):
            party = Party(self.party.id)
            party.lang, = Lang.search([('code', '=', language)])
            party.save()
            with patch.object(cart_module, 'send_text') as send:
                Sale(order.id).b2b_send_order_email()
            (to, subject, text), _ = send.call_args
            self.assertEqual(to, self.buyer.email)
            return text

        english = body('en')
        for line in [
                "Drill: 12\xa0u × PLN\xa0100.00 = PLN\xa01,200.00",
                "Nail: 1,000,000\xa0u × PLN\xa00.0725 = PLN\xa072,500.00",
                "Net: PLN\xa073,720.00",
                "VAT: PLN\xa016,955.60",
                "Total: PLN\xa090,675.60",
                ]:
            self.assertIn(line, english.splitlines())
        self.assertNotIn("zł", english)

        Lang.load_translations(Lang.search([('code', '=', 'pl')]))
        polish = body('pl')
        for line in [
                "Drill: 12\xa0szt. × 100,00\xa0zł = 1\xa0200,00\xa0zł",
                "Nail: 1\xa0000\xa0000\xa0szt. × 0,0725\xa0zł "
                "= 72\xa0500,00\xa0zł",
                "Netto: 73\xa0720,00\xa0zł",
                "VAT: 16\xa0955,60\xa0zł",
                "Razem brutto: 90\xa0675,60\xa0zł",
                ]:
            self.assertIn(line, polish.splitlines())
        self.assertNotIn("PLN", polish)

    @with_setup
    def test_order_email_not_sent_when_rolled_back(self):
        "An order rolled back sends no e-mail"
        pool = Pool()
        Sale = pool.get('sale.sale')
        self._shop()
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2)])
        Transaction().commit()
        with smtp_sink() as messages:
            Sale.b2b_place_order(self.buyer, Sale(cart.id),
                shipment_address=self.address, carrier=self.carrier,
                payment_method=self.transfer)
            self.assertEqual(len(queued_emails()), 1)
            Transaction().rollback()
            self.assertEqual(queued_emails(), [])
            send_queued_emails()
            Transaction().commit()
        self.assertEqual(messages, [])
        cart = Sale(cart.id)
        self.assertEqual(cart.state, 'draft')

    @with_setup
    def test_cart_change_prices_the_line_alone(self):
        """Changing a line's quantity asks the pricing service for that
        line only: it reaches its quantity tier, the others keep their
        prices and the totals follow"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Pricing = pool.get('b2b.pricing')
        Tier = pool.get('b2b.quantity.discount')
        Tier(template=self.drill.template, quantity=10,
            discount=Decimal(10)).save()
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2),
                (self.screw, 3), (self.coffee, 0.5)])
        lines = {l.product.name: l for l in cart.lines}
        asked = []
        original = Pricing.compute.__func__

        def compute(cls, party, lines, date=None):
            asked.append([int(l[0]) for l in lines])
            return original(cls, party, lines, date=date)
        with patch.object(Pricing, 'compute', classmethod(compute)):
            Sale.b2b_cart_set_quantity(self.buyer, lines["Drill"], 10)
        self.assertEqual(asked, [[self.drill.id]])
        cart = Sale.b2b_cart(self.buyer)
        self.assertEqual(
            sorted((l.product.name, l.unit_price) for l in cart.lines), [
                ("Coffee", Decimal('80.0000')),
                ("Drill", Decimal('90.0000')),
                ("Screw", Decimal('10.0000'))])
        self.assertEqual(cart.untaxed_amount, Decimal('970.00'))

    @with_setup
    def test_cart_change_writes_what_it_checked(self):
        """A quantity change writes the quantity and its price in a few
        queries whatever the cart holds; a product no longer sold is
        refused and its line left as it was"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Line = pool.get('sale.line')
        Template = pool.get('product.template')
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2),
                (self.screw, 3), (self.coffee, 0.5)])
        lines = {l.product.name: l for l in cart.lines}
        counts = []
        for quantity in [4, 6]:
            line = Line(lines["Drill"].id)
            with count_queries() as statements:
                Sale.b2b_cart_set_quantity(self.buyer, line, quantity)
            counts.append(len(statements))
        self.assertEqual(self._cart_content(),
            [("Coffee", 0.5), ("Drill", 6), ("Screw", 3)])
        # the write (its access checks included) and the reads of the
        # line, the sale, the product, the customer and the pricing
        self.assertLessEqual(max(counts), 16, counts)

        Template.write([self.screw.template], {'salable': False})
        with self.assertRaises(UserError) as cm:
            Sale.b2b_cart_set_quantity(
                self.buyer, Line(lines["Screw"].id), 5)
        self.assertIn("Screw", cm.exception.message)
        self.assertEqual(self._cart_content(),
            [("Coffee", 0.5), ("Drill", 6), ("Screw", 3)])
        # the skipped validation is the cart's alone: any other write of
        # the quantity is validated by Tryton, the product's domain too
        with self.assertRaises(UserError):
            Line.write([Line(lines["Screw"].id)], {'quantity': 5})

    @with_setup
    def test_place_order_refusals(self):
        "Methods outside the group, foreign addresses and carts refused"
        pool = Pool()
        Sale = pool.get('sale.sale')
        Configuration = pool.get('b2b.configuration')
        self._shop()
        other_party, (other,) = create_customer(
            "Beta", '1132853869', [('buyer@beta.example', 'buyer')],
            group=self.group)
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2)])
        values = dict(shipment_address=self.address, carrier=self.carrier,
            payment_method=self.transfer)
        for change, message in [
                ({'payment_method': self.cod}, "payment methods offered"),
                ({'shipment_address': other_party.addresses[0]},
                    "delivery address"),
                ({'shipment_address': None,
                        'new_address': {'street': "Nowa 1", 'city': ""}},
                    "needs a street"),
                ]:
            with self.subTest(message=message):
                with self.assertRaises(CheckoutError) as cm:
                    Sale.b2b_place_order(
                        self.buyer, cart, **(values | change))
                self.assertIn(message, cm.exception.message)
        with self.assertRaises(B2BAccessError):
            Sale.b2b_place_order(other, cart, **values)
        self.assertEqual(cart.state, 'draft')

        # with staff review the order waits as a quotation
        configuration = Configuration(1)
        configuration.order_review = True
        configuration.save()
        order = Sale.b2b_place_order(self.buyer, cart,
            shipment_address=None, carrier=self.carrier,
            payment_method=self.transfer,
            new_address={'street': "Nowa 1", 'postal_code': '00-950',
                'city': "Warszawa"})
        self.assertEqual(order.state, 'quotation')
        self.assertEqual(order.shipment_address.street, "Nowa 1")
        self.assertEqual(order.shipment_address.party, self.party)

    def _placed_order(self):
        "Return an order of 2 drills and 10 screws placed by the buyer"
        Sale = Pool().get('sale.sale')
        self._shop()
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2),
                (self.screw, 10)])
        return Sale.b2b_place_order(self.buyer, cart,
            shipment_address=self.address, carrier=self.carrier,
            payment_method=self.transfer)

    @with_setup
    def test_reorder(self):
        "An earlier order of the company comes back into the cart"
        pool = Pool()
        Sale = pool.get('sale.sale')
        order = self._placed_order()
        cart = Sale.b2b_reorder(self.buyer, order)
        self.assertNotEqual(cart, order)
        self.assertEqual(
            sorted((l.product.name, l.quantity) for l in cart.lines),
            [("Drill", 2), ("Screw", 10)])

    @with_setup
    def test_reorder_no_longer_valid(self):
        """An order whose quantity the product's rules no longer allow is
        not put back: the buyer gets the product's reason and no cart"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        order = self._placed_order()
        # screws are now sold in boxes of 12 only
        self.screw.template.b2b_package_quantity = 12
        self.screw.template.b2b_package_only = True
        self.screw.template.save()
        with self.assertRaises(SaleQuantityError) as cm:
            Sale.b2b_reorder(self.buyer, order)
        self.assertIn('"Screw" is sold only in whole packages of 12',
            cm.exception.message)
        self.assertIsNone(Sale.b2b_cart(self.buyer))

    def _named(self, record, english, polish):
        "Name the record in English and in Polish"
        for code, name in [('en', english), ('pl', polish)]:
            with Transaction().set_context(language=code):
                type(record).write([type(record)(record.id)], {'name': name})

    @with_setup
    def test_checkout_summary_is_the_placed_order(self):
        """Checkout's summary, VAT per rate with two rates and delivery
        included, is the order placed, to the grosz; each delivery method
        has its cost and names in Polish and English; the order's number
        comes from the module's sequence and a transfer shows the
        company's account and the number as its title"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Tax = pool.get('account.tax')
        Category = pool.get('product.category')
        Template = pool.get('product.template')
        Carrier = pool.get('carrier')
        Lang = pool.get('ir.lang')
        BankAccount = pool.get('bank.account')
        WebUser = pool.get('web.user')
        pl, = Lang.search([('code', '=', 'pl')])
        pl.translatable = True
        pl.save()
        self._shop()
        vat23, = self.account_category.customer_taxes
        vat8, = Tax.copy([vat23], {'name': "VAT 8%",
                    'description': "VAT 8%", 'rate': Decimal('0.08')})
        food = Category(name="Food 8%", accounting=True,
            customer_taxes=[vat8])
        food.save()
        bread = Template(name="Bread", type='goods', salable=True,
            default_uom=self.unit, sale_uom=self.unit,
            list_price=Decimal('3.33'), account_category=food,
            products=[{}])
        bread.save()
        bread, = bread.products
        pallet_service = Template(name="Pallet", type='service',
            salable=True, default_uom=self.unit, sale_uom=self.unit,
            list_price=Decimal('149'), account_category=self.account_category,
            products=[{}])
        pallet_service.save()
        pallet = Carrier(party=self.carrier.party,
            carrier_product=pallet_service.products[0])
        pallet.save()
        self._named(self.carrier.carrier_product.template,
            "DPD courier", "Kurier DPD")
        self._named(self.transfer, "Bank transfer", "Przelew")
        self.group.carriers = [self.carrier, pallet]
        self.group.save()
        account = BankAccount(owners=[self.company.party],
            numbers=[{'type': 'iban',
                    'number': 'PL61109010140000071219812874'}])
        account.save()

        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 3), (bread, 7)])
        carriers = Sale.b2b_checkout_options(self.buyer)['carriers']
        summary = Sale.b2b_checkout_summary(self.buyer, cart, carriers,
            carrier=pallet, payment_method=self.transfer)
        self.assertEqual(
            [(name, cost) for _, name, cost in summary.deliveries],
            [("DPD courier", Decimal('20.00')),
                ("Pallet", Decimal('149.00'))])
        with Transaction().set_context(language='pl'):
            # the account as a request in Polish reads it
            buyer = WebUser(self.buyer.id)
            options = Sale.b2b_checkout_options(buyer)
            self.assertEqual([name for _, name, _ in
                    Sale.b2b_checkout_summary(buyer, Sale(cart.id),
                        options['carriers']).deliveries],
                ["Kurier DPD", "Pallet"])
            self.assertEqual(
                [m.name for m in options['payment_methods']], ["Przelew"])
        # 3 × 100 + 149 at 23 %, 7 × 3.33 at 8 %
        self.assertEqual(
            [(t.rate, base, amount) for t, base, amount in summary.taxes],
            [(Decimal('0.23'), Decimal('449.00'), Decimal('103.27')),
                (Decimal('0.08'), Decimal('23.31'), Decimal('1.86'))])
        self.assertEqual(summary.untaxed_amount, Decimal('472.31'))
        self.assertEqual(summary.total_amount, Decimal('577.44'))
        # nothing of it is written: the cart has its two lines only
        self.assertEqual(len(Sale(cart.id).lines), 2)

        order = Sale.b2b_place_order(self.buyer, cart,
            shipment_address=self.address, carrier=pallet,
            payment_method=self.transfer)
        self.assertEqual(
            (order.untaxed_amount, order.tax_amount, order.total_amount),
            (summary.untaxed_amount, summary.tax_amount,
                summary.total_amount))
        self.assertRegex(order.number,
            rf'^ZAM/{datetime.date.today().year}/\d{{6}}$')
        self.assertEqual(order.b2b_prepayment(), (account, order.number))
