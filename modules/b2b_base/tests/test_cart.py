# This file is part of the B2B wholesale suite.
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

from ..exceptions import B2BAccessError, CheckoutError, SaleQuantityError
from .test_pricing import with_setup
from .tools import create_customer, smtp_sink


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
        mail, = messages
        self.assertEqual(mail['To'], self.buyer.email)
        self.assertIn(order.number, mail['Subject'])
        self.assertIn("it is confirmed", mail.get_content())
        self.assertIn("Your reference: PO-77", mail.get_content())
        # the cart is now empty: a new one starts
        self.assertIsNone(Sale.b2b_cart(self.buyer))

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

    @with_setup
    def test_reorder(self):
        "An earlier order of the company comes back into the cart"
        pool = Pool()
        Sale = pool.get('sale.sale')
        self._shop()
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2),
                (self.screw, 10)])
        order = Sale.b2b_place_order(self.buyer, cart,
            shipment_address=self.address, carrier=self.carrier,
            payment_method=self.transfer)
        cart = Sale.b2b_reorder(self.buyer, order)
        self.assertNotEqual(cart, order)
        self.assertEqual(
            sorted((l.product.name, l.quantity) for l in cart.lines),
            [("Drill", 2), ("Screw", 10)])
