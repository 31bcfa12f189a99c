# This file is part of the B2B wholesale suite.
import functools
import uuid
from decimal import Decimal
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from trytond.modules.company.tests import create_company, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from ..exceptions import SaleQuantityError
from .tools import count_queries, create_customer


def D(value):
    return Decimal(value)


def in_company(setup):
    """Return a decorator running the test in a transaction, in a new
    company prepared by the test case's method named setup"""
    def decorator(func):
        @functools.wraps(func)
        @with_transaction()
        def wrapper(self):
            company = create_company()
            with set_company(company):
                getattr(self, setup)(company)
                return func(self)
        return wrapper
    return decorator


# a company with products, taxes, a group and a customer (_setup)
with_setup = in_company('_setup')

# price list line formulas of every kind of value they read
FORMULAS = [
    "unit_price",
    "unit_price * Decimal('0.87')",
    "unit_price / Decimal('3')",
    "list_price - Decimal('0.5')",
    "cost_price * Decimal('1.3')",
    "Decimal('12.3456')",
    ]
generated_price_lists = st.fixed_dictionaries({
        'price': st.sampled_from([None, 'list_price', 'cost_price']),
        'unit': st.sampled_from(['product_default', 'product_sale']),
        'tax_included': st.booleans(),
        'lines': st.lists(st.fixed_dictionaries({
                    'category': st.sampled_from(
                        [None, 'tools', 'screws', 'food']),
                    'product': st.sampled_from(
                        [None, 'drill', 'screw', 'coffee', 'rice']),
                    'quantity': st.sampled_from([None, 0, 5, 12.5, 300]),
                    'formula': st.sampled_from(FORMULAS),
                    }), max_size=5),
        })


class PricingTestMixin:
    "Test B2B pricing and selling rules"

    def _setup(self, company):
        "Create a company with a 23 % VAT, products and a customer"
        pool = Pool()
        Tax = pool.get('account.tax')
        Account = pool.get('account.account')
        AccountType = pool.get('account.account.type')
        Category = pool.get('product.category')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        Group = pool.get('b2b.customer.group')
        PriceList = pool.get('product.price_list')

        account_type = AccountType(name="Tax", statement='balance',
            company=company)
        account_type.save()
        tax_account = Account(name="VAT", code='221', type=account_type,
            company=company)
        tax_account.save()
        tax = Tax(name="VAT 23%", description="VAT 23%", type='percentage',
            rate=D('0.23'), company=company, invoice_account=tax_account,
            credit_note_account=tax_account)
        tax.save()
        account_category = Category(name="Goods 23%", accounting=True,
            customer_taxes=[tax])
        account_category.save()
        self.account_category = account_category
        self.tools = Category(name="Tools")
        self.tools.save()
        self.screws = Category(name="Screws", parent=self.tools)
        self.screws.save()

        unit, = Uom.search([('symbol', '=', 'u')])
        kg, = Uom.search([('symbol', '=', 'kg')])
        self.gram, = Uom.search([('symbol', '=', 'g')])
        self.unit, self.kg = unit, kg

        def product(name, price, uom=unit, **values):
            template = Template(name=name, type='goods', salable=True,
                default_uom=uom, sale_uom=uom, list_price=D(price),
                account_category=account_category, products=[{}], **values)
            template.save()
            return template.products[0]

        self.drill = product("Drill", '100')
        self.screw = product("Screw", '10', categories=[self.screws])
        self.coffee = product("Coffee", '80', kg,
            sale_quantity_rounding=0.25)
        self.glue = product("Glue", '20',
            sale_quantity_minimal=6, b2b_package_quantity=12,
            b2b_package_only=True)

        self.group_list = PriceList(name="Group", price='list_price',
            lines=[{'formula': "unit_price * Decimal('0.9')"}])
        self.group_list.save()
        self.own_list = PriceList(name="Own", price='list_price',
            lines=[{'formula': "unit_price * Decimal('0.8')"}])
        self.own_list.save()
        self.group = Group(name="Wholesale", code='W', company=company,
            discount=D(0))
        self.group.save()
        # unique: a test that commits (to send e-mails) keeps its account
        email = f'buyer-{uuid.uuid4().hex[:8]}@alfa.example'
        self.party, (self.buyer,) = create_customer(
            "Alfa", '5213017228', [(email, 'buyer')], group=self.group)
        self.company = company

    def _price(self, product, quantity, unit=None, manual=None):
        pool = Pool()
        Pricing = pool.get('b2b.pricing')
        price, = Pricing.compute(
            self.party, [(product, quantity, unit, manual)])
        return price

    @with_setup
    def test_list_price_net_and_gross(self):
        "Without any rule the customer pays the list price, 23 % VAT on top"
        price = self._price(self.drill, 1)
        self.assertEqual(price.unit_price, D('100.0000'))
        self.assertEqual(price.unit_price_gross, D('123.0000'))
        self.assertEqual([s.kind for s in price.steps], ['list_price'])

    @with_setup
    def test_group_and_company_price_list(self):
        "The company's own price list takes precedence over its group's"
        self.group.price_list = self.group_list
        self.group.save()
        price = self._price(self.drill, 1)
        self.assertEqual(price.unit_price, D('90.0000'))
        self.assertEqual(price.steps[0].kind, 'price_list')
        self.assertIn("Group", price.steps[0].label)

        self.party.sale_price_list = self.own_list
        self.party.save()
        price = self._price(self.drill, 1)
        self.assertEqual(price.unit_price, D('80.0000'))
        self.assertIn("Own", price.steps[0].label)

    @with_setup
    def test_quantity_tiers(self):
        "Tiers of the product, else of its nearest category, by quantity"
        pool = Pool()
        Tier = pool.get('b2b.quantity.discount')
        Tier.create([
                {'template': self.drill.template.id, 'quantity': 10,
                    'discount': D(3)},
                {'template': self.drill.template.id, 'quantity': 50,
                    'discount': D(7)},
                {'category': self.tools.id, 'quantity': 20,
                    'discount': D(5)},
                ])
        for quantity, expected in [
                (9, '100'), (10, '97'), (49, '97'), (50, '93'), (500, '93')]:
            with self.subTest(quantity=quantity):
                self.assertEqual(
                    self._price(self.drill, quantity).unit_price,
                    D(expected))
        # the screw has no tiers: those of Tools, its category's parent
        self.assertEqual(self._price(self.screw, 19).unit_price, D(10))
        price = self._price(self.screw, 20)
        self.assertEqual(price.unit_price, D('9.5000'))
        step = price.step('quantity')
        self.assertEqual(step.amount, D('-0.5000'))
        self.assertEqual(step.label, "Quantity discount -5 % from 20 u")

    @with_setup
    def test_package_discount_on_whole_packages(self):
        "Only the part of a line that fills whole boxes gets the discount"
        template = self.drill.template
        template.b2b_package_quantity = 12
        template.b2b_package_discount = D(5)
        template.save()
        self.assertEqual(self._price(self.drill, 11).unit_price, D(100))
        # 24 of 30 in two boxes: 100 × (1 - 5 % × 24/30) = 96
        price = self._price(self.drill, 30)
        self.assertEqual(price.unit_price, D('96.0000'))
        self.assertEqual(price.step('package').label,
            "Package discount -5 % on 2 × 12 u")
        self.assertEqual(self._price(self.drill, 36).unit_price, D(95))

    @with_setup
    def test_group_discount(self):
        "The customer group's discount"
        self.group.discount = D('2.5')
        self.group.save()
        price = self._price(self.drill, 1)
        self.assertEqual(price.unit_price, D('97.5000'))
        self.assertEqual(price.unit_price_gross, D('119.9250'))

    @with_setup
    def test_all_rules_compound(self):
        "Own price list, tier, package and group discount compound"
        pool = Pool()
        Tier = pool.get('b2b.quantity.discount')
        self.party.sale_price_list = self.own_list
        self.party.save()
        self.group.price_list = self.group_list
        self.group.discount = D('2.5')
        self.group.save()
        template = self.drill.template
        template.b2b_package_quantity = 12
        template.b2b_package_discount = D(5)
        template.save()
        Tier.create([{'template': template.id, 'quantity': 50,
                    'discount': D(7)}])

        price = self._price(self.drill, 60)
        # 100 × 0.8 = 80; × 0.93 = 74.40; × 0.95 = 70.68; × 0.975 = 68.913
        self.assertEqual(
            [(s.kind, s.unit_price) for s in price.steps], [
                ('price_list', D('80.0000')),
                ('quantity', D('74.4000')),
                ('package', D('70.6800')),
                ('group', D('68.9130')),
                ])
        self.assertEqual(
            [s.amount for s in price.steps],
            [D('80'), D('-5.6'), D('-3.72'), D('-1.767')])
        self.assertEqual(price.unit_price, D('68.9130'))
        self.assertEqual(price.unit_price_gross, D('84.7630'))
        line_amount = (price.unit_price * 60).quantize(D('0.01'))
        self.assertEqual(line_amount, D('4134.78'))

    @with_setup
    def test_manual_price_overrides(self):
        "A manual price replaces every rule"
        self.group.discount = D(10)
        self.group.save()
        price = self._price(self.drill, 60, manual=D('55.5'))
        self.assertEqual(price.unit_price, D('55.5000'))
        self.assertEqual([s.kind for s in price.steps], ['manual'])

    @with_setup
    def test_fractional_unit_price(self):
        "A price per kg applies to a quantity in grams"
        price = self._price(self.coffee, 500, self.gram)
        self.assertEqual(price.unit_price, D('0.0800'))

    @with_setup
    def test_batch_equals_single(self):
        "Pricing many lines at once gives each line's own price"
        pool = Pool()
        Pricing = pool.get('b2b.pricing')
        Tier = pool.get('b2b.quantity.discount')
        self.group.price_list = self.group_list
        self.group.discount = D(3)
        self.group.save()
        Tier.create([{'category': self.tools.id, 'quantity': 5,
                    'discount': D(4)}])
        lines = [(p, q) for p in [self.drill, self.screw, self.coffee]
            for q in [1, 5, 12, 60]]
        batch = Pricing.compute(self.party, lines)
        single = [self._price(p, q) for p, q in lines]
        self.assertEqual(
            [b.unit_price for b in batch], [s.unit_price for s in single])
        self.assertEqual(len(set(b.unit_price for b in batch)), 4)

    @with_setup
    def test_minimum_quantity(self):
        "Less than the minimum logistic quantity is refused, naming it"
        with self.assertRaises(SaleQuantityError) as cm:
            self.glue.b2b_check_sale_quantity(5)
        self.assertEqual(cm.exception.message,
            'The minimum quantity of "Glue" is 6\xa0u; 5\xa0u is too '
            'little.')
        # a delivery method may waive the minimum, not the packages
        with self.assertRaises(SaleQuantityError) as cm:
            self.glue.b2b_check_sale_quantity(5, waive_minimum=True)
        self.assertIn("whole packages of 12\xa0u", cm.exception.message)

    @with_setup
    def test_sale_step(self):
        "A fractional quantity must be a multiple of the sale step"
        self.coffee.b2b_check_sale_quantity(0.5)
        self.coffee.b2b_check_sale_quantity(1.25)
        self.coffee.b2b_check_sale_quantity(500, self.gram)
        self.coffee.b2b_check_sale_quantity(750, self.gram)
        with self.assertRaises(SaleQuantityError) as cm:
            self.coffee.b2b_check_sale_quantity(0.3)
        self.assertEqual(cm.exception.message,
            '"Coffee" is sold in steps of 0.25\xa0kg, so 0.3\xa0kg is not '
            'possible. Order 0.25\xa0kg or 0.5\xa0kg.')
        with self.assertRaises(SaleQuantityError) as cm:
            self.coffee.b2b_check_sale_quantity(0.1)
        self.assertTrue(cm.exception.message.endswith("Order 0.25\xa0kg."))
        with self.assertRaises(SaleQuantityError) as cm:
            self.coffee.b2b_check_sale_quantity(300, self.gram)
        self.assertIn("Order 250\xa0g or 500\xa0g.", cm.exception.message)

    @with_setup
    def test_quantity_rule(self):
        "The shop's minimum and step are the module's, and they pass its check"
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        for product, expected in [
                (self.drill, (D(1), D(1))),
                (self.coffee, (D('0.25'), D('0.25'))),
                # the minimum 6 is less than one whole package
                (self.glue, (D(12), D(12))),
                ]:
            self.assertEqual(product.b2b_quantity_rule(), expected)
            values, = Template.read(
                [product.template.id], Product.B2B_QUANTITY_FIELDS)
            self.assertEqual(Product.b2b_quantity_rule_of(
                    values, product.sale_uom.rounding), expected)
            minimum, step = expected
            product.b2b_check_sale_quantity(minimum)
            product.b2b_check_sale_quantity(minimum + step)

    @with_setup
    def test_whole_packages_only(self):
        "A product sold in whole packages accepts only package multiples"
        self.glue.b2b_check_sale_quantity(24)
        with self.assertRaises(SaleQuantityError) as cm:
            self.glue.b2b_check_sale_quantity(30)
        self.assertEqual(cm.exception.message,
            '"Glue" is sold only in whole packages of 12\xa0u, so 30\xa0u '
            'is not possible. Order 24\xa0u or 36\xa0u.')

    @with_setup
    def test_messages_in_polish(self):
        "Refusals are in Polish for a Polish user"
        pool = Pool()
        Lang = pool.get('ir.lang')
        polish, = Lang.search([('code', '=', 'pl')])
        Lang.load_translations([polish])
        with Transaction().set_context(language='pl'):
            with self.assertRaises(SaleQuantityError) as cm:
                self.coffee.b2b_check_sale_quantity(0.3)
        self.assertIn("0,25\xa0kg lub 0,5\xa0kg", cm.exception.message)
        self.assertNotIn("is sold", cm.exception.message)

    def _sale(self, lines):
        pool = Pool()
        Sale = pool.get('sale.sale')
        Line = pool.get('sale.line')
        sale = Sale(party=self.party, company=self.company)
        sale.on_change_party()
        # no delivery methods in these tests
        sale.shipment_cost_method = None
        sale_lines = []
        for product, quantity in lines:
            line = Line(sale=sale, product=product, quantity=quantity)
            line.on_change_product()
            line.quantity = quantity
            line.on_change_quantity()
            sale_lines.append(line)
        sale.lines = sale_lines
        return sale

    @with_setup
    def test_sale_lines_use_pricing_and_rules(self):
        "Back-office sale lines get the customer's price and its rules"
        pool = Pool()
        Sale = pool.get('sale.sale')
        self.group.discount = D(10)
        self.group.save()
        sale = self._sale([(self.drill, 2)])
        self.assertEqual(sale.lines[0].unit_price, D('90.0000'))
        sale.save()

        # a tampered price is put right when the sale is quoted
        line, = sale.lines
        line.unit_price = D('1')
        line.save()
        Sale.quote([sale])
        self.assertEqual(sale.lines[0].unit_price, D('90.0000'))
        self.assertEqual(sale.untaxed_amount, D('180.00'))
        self.assertEqual(sale.total_amount, D('221.40'))

        bad = self._sale([(self.coffee, 0.3)])
        with self.assertRaises(SaleQuantityError):
            bad.save()

    @with_setup
    def test_manual_price_on_line_records_who_and_when(self):
        "A sales rep's special price is kept with who set it and when"
        pool = Pool()
        Sale = pool.get('sale.sale')
        sale = self._sale([(self.drill, 1)])
        sale.save()
        line, = sale.lines
        line.b2b_manual_price = D('70')
        line.on_change_b2b_manual_price()
        line.save()
        self.assertEqual(line.unit_price, D('70.0000'))
        self.assertEqual(line.b2b_manual_price_by.id,
            Transaction().user)
        self.assertIsNotNone(line.b2b_manual_price_at)
        Sale.quote([sale])
        self.assertEqual(sale.lines[0].unit_price, D('70.0000'))

    @with_setup
    def test_minimum_waived_by_hook(self):
        "The delivery-method hook lets a line go below the minimum"
        pool = Pool()
        Line = pool.get('sale.line')
        template = self.glue.template
        template.b2b_package_only = False
        template.save()
        sale = self._sale([(self.glue, 5)])
        with self.assertRaises(SaleQuantityError):
            sale.save()
        with patch.object(
                Line, 'b2b_minimum_quantity_waived', return_value=True):
            sale.save()
        self.assertEqual(sale.lines[0].quantity, 5)


    @with_setup
    def test_changed_rules_price_at_once(self):
        "A change of price list, tier or tax shows in the next price"
        pool = Pool()
        Tier = pool.get('b2b.quantity.discount')
        Tax = pool.get('account.tax')
        self.group.price_list = self.group_list
        self.group.save()
        # priced once: price list, category tiers and taxes are cached
        self.assertEqual(self._price(self.screw, 20).unit_price, D(9))

        line, = self.group_list.lines
        line.formula = "unit_price * Decimal('0.5')"
        line.save()
        self.assertEqual(self._price(self.screw, 20).unit_price, D(5))

        Tier.create([{'category': self.tools.id, 'quantity': 20,
                    'discount': D(10)}])
        self.assertEqual(self._price(self.screw, 20).unit_price, D('4.5'))

        tax, = self.account_category.customer_taxes
        Tax.write([tax], {'rate': D('0.08')})
        self.assertEqual(
            self._price(self.screw, 20).unit_price_gross, D('4.86'))

        self.group.price_list = None
        self.group.save()
        self.assertEqual(self._price(self.screw, 20).unit_price, D(9))

    @with_setup
    def test_quantity_tiers_for_display(self):
        "The shop lists each product's tiers as the pricing applies them"
        pool = Pool()
        Pricing = pool.get('b2b.pricing')
        Tier = pool.get('b2b.quantity.discount')
        Tier.create([
                {'template': self.drill.template.id, 'quantity': 50,
                    'discount': D(7)},
                {'template': self.drill.template.id, 'quantity': 10,
                    'discount': D(3)},
                {'category': self.tools.id, 'quantity': 20,
                    'discount': D(5)},
                ])
        tiers = Pricing.quantity_tiers([self.drill, self.screw, self.coffee])
        self.assertEqual(tiers[self.drill.id], [(10, 3), (50, 7)])
        self.assertEqual(tiers[self.screw.id], [(20, 5)])
        self.assertEqual(tiers[self.coffee.id], [])

    def _setup_rice(self):
        """Add Rice, stocked in kg and sold in g, in the category Food, and
        cost prices"""
        pool = Pool()
        Category = pool.get('product.category')
        Template = pool.get('product.template')
        self.food = Category(name="Food")
        self.food.save()
        template = Template(name="Rice", type='goods', salable=True,
            default_uom=self.kg, sale_uom=self.gram, list_price=D('7.3'),
            account_category=self.account_category,
            categories=[self.food], products=[{}])
        template.save()
        self.rice, = template.products
        for product, cost_price in [
                (self.drill, '61.37'), (self.screw, '4.1'),
                (self.rice, '3.3333')]:
            product.cost_price = D(cost_price)
            product.save()

    @with_setup
    def test_price_lists_as_tryton(self):
        """Generated price lists give the price Tryton's sale price gives,
        by the batched evaluation of Tryton's own price lists and through
        the price list's methods (the way taken when a module extends them)
        alike"""
        pool = Pool()
        PriceList = pool.get('product.price_list')
        Product = pool.get('product.product')
        Pricing = pool.get('b2b.pricing')
        self._setup_rice()
        records = {name: getattr(self, name) for name in [
                'tools', 'screws', 'food', 'drill', 'screw', 'coffee',
                'rice']}
        pound, = pool.get('product.uom').search([('symbol', '=', 'lb')])
        units = {
            'drill': [self.unit], 'screw': [self.unit],
            'coffee': [self.kg, self.gram, pound],
            'rice': [self.gram, self.kg, pound],
            }
        # no tier, package or group discount: the price list's price is
        # the customer's
        self.assertFalse(self.group.discount)

        @settings(max_examples=25, deadline=None, database=None)
        @given(values=generated_price_lists, data=st.data())
        def check(values, data):
            price_list = PriceList(name="Generated",
                price=values['price'], unit=values['unit'],
                tax_included=values['tax_included'],
                lines=[{
                        'category': records[l['category']]
                        if l['category'] else None,
                        'product': records[l['product']]
                        if l['product'] else None,
                        'quantity': l['quantity'],
                        'formula': l['formula'],
                        } for l in values['lines']])
            price_list.save()
            self.group.price_list = price_list
            self.group.save()
            lines = data.draw(st.lists(st.sampled_from(list(units)).flatmap(
                        lambda name: st.tuples(st.just(records[name]),
                            st.sampled_from([1, 5, 12, 12.5, 250, 1000]),
                            st.sampled_from(units[name]))),
                    min_size=1, max_size=6), 'lines')
            prices = Pricing.compute(self.party, lines)
            for (product, quantity, unit), price in zip(lines, prices):
                # as a sale line prices its product (sale_price_list)
                with Transaction().set_context(
                        customer=self.party.id, price_list=price_list.id,
                        uom=unit.id, taxes=[
                            t.id for t in product.customer_taxes_used]):
                    expected = Product.get_sale_price(
                        [product], quantity)[product.id]
                if expected is None:
                    # no line matches, or its formula gives no price
                    self.assertEqual(price.steps[0].kind, 'list_price')
                    with Transaction().set_context(uom=unit.id):
                        expected = Product.get_sale_price(
                            [product], quantity)[product.id]
                else:
                    self.assertEqual(price.steps[0].kind, 'price_list')
                self.assertEqual(price.unit_price, expected,
                    (product.rec_name, quantity, unit.symbol))
        for standard in [True, False]:
            with self.subTest(standard=standard), patch.object(
                    Pricing, '_price_list_standard', return_value=standard):
                check()

    @with_setup
    def test_queries_whatever_the_lines(self):
        "Pricing one line or many lines runs the same number of queries"
        pool = Pool()
        Pricing = pool.get('b2b.pricing')
        Tier = pool.get('b2b.quantity.discount')
        self._setup_rice()
        price_list = self.group_list
        price_list.lines = [
            {'product': self.screw, 'formula': "cost_price * Decimal(2)"},
            {'category': self.food, 'quantity': 1000,
                'formula': "list_price * Decimal('0.8')"},
            {'category': self.tools, 'formula': "unit_price - 1"},
            *price_list.lines]
        price_list.save()
        self.group.price_list = price_list
        self.group.discount = D(3)
        self.group.save()
        Tier.create([{'category': self.tools.id, 'quantity': 10,
                    'discount': D(5)}])
        lines = [
            (self.drill, 1), (self.screw, 20), (self.coffee, 500, self.gram),
            (self.glue, 30), (self.rice, 2, self.kg), (self.rice, 300),
            (self.drill, 4, None, D('70'))]
        for standard in [True, False]:
            with self.subTest(standard=standard), patch.object(
                    Pricing, '_price_list_standard', return_value=standard):
                # the caches kept between transactions are filled by the
                # first calls (so each count below sees them filled)
                for priced in [lines[:1], lines]:
                    Pricing.compute(self.party, priced)
                with count_queries() as one:
                    Pricing.compute(self.party, lines[:1])
                with count_queries() as many:
                    prices = Pricing.compute(self.party, lines)
                self.assertEqual(len(many), len(one), many)
                self.assertEqual(
                    [p.steps[0].kind for p in prices],
                    ['price_list'] * 6 + ['manual'])

    @with_setup
    def test_price_list_extensions_apply(self):
        "A module extending the price list's pattern and matching is heard"
        pool = Pool()
        Pricing = pool.get('b2b.pricing')
        PriceList = pool.get('product.price_list')
        Line = pool.get('product.price_list.line')
        price_list = PriceList(name="Partners", price='list_price', lines=[
                {'formula': "unit_price * Decimal('0.5')"},
                {'formula': "unit_price * Decimal('0.9')"},
                ])
        price_list.save()
        self.group.price_list = price_list
        self.group.save()
        partner_line = price_list.lines[0]
        partners = set()
        compute, match = PriceList.compute, Line.match

        def compute_with_customer(self, product, quantity, uom,
                pattern=None):
            # as a module adding a key to the pattern
            pattern = dict(pattern or {},
                customer=Transaction().context.get('customer'))
            return compute(self, product, quantity, uom, pattern=pattern)

        def match_partners(self, pattern):
            # and keeping a line to the customers it names
            pattern = pattern.copy()
            customer = pattern.pop('customer', None)
            if self.id == partner_line.id and customer not in partners:
                return False
            return match(self, pattern)

        self.assertTrue(Pricing._price_list_standard())
        with patch.object(PriceList, 'compute', compute_with_customer), \
                patch.object(Line, 'match', match_partners):
            self.assertFalse(Pricing._price_list_standard())
            self.assertEqual(self._price(self.drill, 1).unit_price, D(90))
            partners.add(self.party.id)
            self.assertEqual(self._price(self.drill, 1).unit_price, D(50))

    @with_setup
    def test_availability(self):
        "Stock levels: in stock, low below the threshold, out of stock"
        pool = Pool()
        Product = pool.get('product.product')
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        Configuration = pool.get('b2b.configuration')
        supplier, = Location.search([('code', '=', 'SUP')])
        storage, = Location.search([('code', '=', 'STO')])
        moves = Move.create([{
                    'product': p.id, 'unit': p.default_uom.id,
                    'quantity': q, 'from_location': supplier.id,
                    'to_location': storage.id, 'company': self.company.id,
                    'unit_price': D(1), 'currency': self.company.currency.id,
                    } for p, q in [(self.drill, 50), (self.screw, 4)]])
        Move.do(moves)
        configuration = Configuration(1)
        configuration.low_stock_quantity = 5
        configuration.save()
        levels = Product.b2b_availability(
            [self.drill, self.screw, self.coffee])
        self.assertEqual(levels, {
                self.drill.id: 'in_stock',
                self.screw.id: 'low',
                self.coffee.id: 'out_of_stock',
                })
