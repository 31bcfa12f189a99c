# This file is part of the B2B wholesale suite.
import unittest
from decimal import Decimal

from b2b_suite import demo as demo_data
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME,
    activate_module,
    drop_db,
    with_transaction,
)
from trytond.transaction import Transaction

# model: domain of the records counted before and after a second load
COUNTED = {
    'company.company': [],
    'party.party': [],
    'party.identifier': [],
    'party.address': [],
    'web.user': [],
    'res.user': [],
    'company.employee': [],
    'product.template': [],
    'product.product': [],
    'product.category': [],
    'product.image': [],
    'product.price_list': [],
    'product.price_list.line': [],
    'b2b.quantity.discount': [],
    'b2b.customer.group': [],
    'b2b.payment.method': [],
    'b2b.registration': [],
    'carrier': [],
    'account.account': [],
    'account.tax': [],
    'account.fiscalyear': [],
    'account.period': [],
    'stock.inventory': [],
    'stock.move': [],
    'sale.sale': [],
    'account.invoice': [],
    'b2b.payment': [],
    }


@with_transaction(user=0)
def count_records():
    pool = Pool()
    return {m: pool.get(m).search_count(d) for m, d in COUNTED.items()}


class DemoDataTestCase(unittest.TestCase):
    "Test the small demo data set"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        # b2b_salesrep (with b2b_credit): the reps serve the demo companies,
        # the demo buyer's history has payments
        activate_module(['b2b_salesrep'])
        demo_data.load(DB_NAME, 'small', progress=False)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    def company(self):
        pool = Pool()
        Company = pool.get('company.company')
        company, = Company.search([
                ('party.name', '=', demo_data.COMPANY_NAME),
                ])
        return company

    @with_transaction(user=0)
    def test_company(self):
        "Test the wholesaler is a Polish company in PLN"
        pool = Pool()
        User = pool.get('res.user')
        company = self.company()
        self.assertEqual(company.currency.code, 'PLN')
        self.assertEqual(company.timezone, 'Europe/Warsaw')
        self.assertTrue(company.party.b2b_tax_number)
        self.assertEqual(company.party.addresses[0].city, "Warszawa")
        admin, = User.search([('login', '=', 'admin')])
        self.assertEqual(admin.company, company)

    @with_transaction(user=0)
    def test_accounting(self):
        "Test the taxes, accounts, fiscal year and payment terms"
        pool = Pool()
        Tax = pool.get('account.tax')
        Configuration = pool.get('account.configuration')
        FiscalYear = pool.get('account.fiscalyear')
        PaymentTerm = pool.get('account.invoice.payment_term')
        Date = pool.get('ir.date')
        company = self.company()
        taxes = Tax.search([('company', '=', company.id)])
        self.assertEqual(
            sorted(t.rate for t in taxes),
            [Decimal('0'), Decimal('0.05'), Decimal('0.08'),
                Decimal('0.23')])
        self.assertTrue(all(t.invoice_account for t in taxes))
        with Transaction().set_context(company=company.id):
            configuration = Configuration(1)
            self.assertTrue(
                configuration.default_account_receivable.type.receivable)
            self.assertTrue(
                configuration.default_account_payable.type.payable)
        fiscalyear = FiscalYear.find(company.id, Date.today())
        self.assertEqual(len(fiscalyear.periods), 12)
        self.assertTrue(fiscalyear.invoice_sequences)
        self.assertLessEqual(
            {"14 dni", "Przedpłata"},
            {t.name for t in PaymentTerm.search([])})

    @with_transaction(user=0)
    def test_products(self):
        "Test about 300 salable products in categories with units"
        pool = Pool()
        Product = pool.get('product.product')
        Category = pool.get('product.category')
        with Transaction().set_context(
                company=self.company().id):
            products = Product.search([
                    ('salable', '=', True),
                    ('type', '=', 'goods'),
                    ])
            self.assertGreaterEqual(len(products), 280)
            self.assertLessEqual(len(products), 320)
            self.assertEqual(len({p.code for p in products}), len(products))
            self.assertTrue(all(p.list_price_used > 0 for p in products))
            self.assertTrue(all(
                    0 < p.cost_price < p.list_price_used for p in products))
            self.assertTrue(all(p.categories for p in products))
            # a picture each (the portal shows it), JPEG
            self.assertTrue(all(
                    len(p.template.images) == 1
                    and p.template.images[0].image.startswith(b'\xff\xd8')
                    for p in products))
            self.assertTrue(all(
                    p.account_category.customer_taxes for p in products))
            self.assertEqual(
                {p.default_uom.symbol for p in products},
                {'u', 'kg', 'l', 'box'})
            self.assertGreaterEqual(
                Category.search_count([('accounting', '=', False)]), 10)

    @with_transaction(user=0)
    def test_stock(self):
        "Test products in stock, low (under 10) and out of stock"
        pool = Pool()
        Product = pool.get('product.product')
        Location = pool.get('stock.location')
        warehouse, = Location.search([('type', '=', 'warehouse')])
        with Transaction().set_context(company=self.company().id,
                locations=[warehouse.id], with_childs=True):
            products = Product.search([
                    ('salable', '=', True),
                    ('type', '=', 'goods'),
                    ])
            levels = {}
            for product in products:
                number = int(product.code.rsplit('-', 1)[1])
                self.assertEqual(product.quantity,
                    demo_data.stock_quantity(number), product.code)
                level = ('out' if product.quantity <= 0
                    else 'low' if product.quantity < 10 else 'in')
                levels[level] = levels.get(level, 0) + 1
        self.assertEqual(set(levels), {'in', 'low', 'out'})
        self.assertGreater(levels['in'], levels['low'] + levels['out'])

    @with_transaction(user=0)
    def test_selling_rules(self):
        "Test packages, quantity tiers, minimums and weight steps"
        pool = Pool()
        Template = pool.get('product.template')
        QuantityDiscount = pool.get('b2b.quantity.discount')
        templates = Template.search([('code', 'like', 'HD-%')])
        self.assertTrue(any(t.b2b_package_quantity for t in templates))
        self.assertTrue(any(t.b2b_package_only for t in templates))
        self.assertTrue(any(t.sale_quantity_minimal for t in templates))
        self.assertTrue(all(t.sale_quantity_rounding == 0.25
                for t in templates if t.default_uom.symbol == 'kg'))
        self.assertTrue(QuantityDiscount.search([('category', '!=', None)]))
        self.assertTrue(QuantityDiscount.search([('template', '!=', None)]))

    @with_transaction(user=0)
    def test_pricing(self):
        "Test the demo customer gets group, package and tier prices"
        pool = Pool()
        Pricing = pool.get('b2b.pricing')
        WebUser = pool.get('web.user')
        Template = pool.get('product.template')
        user, = WebUser.search([('email', '=', demo_data.DEMO_LOGIN)])
        with Transaction().set_context(company=self.company().id):
            template, = Template.search([
                    ('b2b_package_quantity', '!=', None),
                    ('b2b_package_only', '=', False),
                    ], order=[('code', 'ASC')], limit=1)
            product, = template.products
            package = template.b2b_package_quantity
            one, box = Pricing.compute(
                user.party, [(product, 1), (product, package)])
            self.assertLess(one.unit_price, product.list_price_used)
            self.assertLess(box.unit_price, one.unit_price)
            self.assertGreater(one.unit_price_gross, one.unit_price)

    @with_transaction(user=0)
    def test_groups(self):
        "Test the 3 customer groups with price lists and methods"
        pool = Pool()
        Group = pool.get('b2b.customer.group')
        Configuration = pool.get('b2b.configuration')
        groups = Group.search([])
        self.assertEqual(
            {g.code for g in groups}, {'HURT', 'DETAL', 'VIP'})
        for group in groups:
            self.assertTrue(group.price_list)
            self.assertEqual(group.price_list.price, 'list_price')
            self.assertTrue(any(
                    l.quantity for l in group.price_list.lines))
            self.assertTrue(group.payment_methods)
            self.assertTrue(group.carriers)
        self.assertEqual(
            {m.kind for g in groups for m in g.payment_methods},
            {'transfer', 'deferred', 'cod', 'online'})
        configuration = Configuration(1)
        self.assertEqual(
            configuration.default_customer_group.code, 'DETAL')
        self.assertTrue(configuration.self_registration)

    @with_transaction(user=0)
    def test_price_lists_compute(self):
        "Test the group price lists give lower prices for more"
        pool = Pool()
        Group = pool.get('b2b.customer.group')
        Product = pool.get('product.product')
        with Transaction().set_context(
                company=self.company().id):
            group, = Group.search([('code', '=', 'HURT')])
            product, = Product.search([
                    ('code', '=', demo_data.PRODUCT_CODE % 1),
                    ])
            price_list = group.price_list
            one = price_list.compute(product, 1, product.default_uom)
            many = price_list.compute(product, 100, product.default_uom)
            self.assertLess(one, product.list_price_used)
            self.assertLess(many, one)

    @with_transaction(user=0)
    def test_customers(self):
        "Test the 20 active customer companies and their accounts"
        pool = Pool()
        Party = pool.get('party.party')
        customers = Party.search([
                ('b2b_customer', '=', True),
                ('b2b_status', '=', 'active'),
                ])
        self.assertEqual(len(customers), demo_data.SMALL_CUSTOMERS)
        for customer in customers:
            self.assertTrue(customer.b2b_customer_group)
            self.assertTrue(customer.b2b_tax_number)
            self.assertTrue(customer.email)
            self.assertTrue(any(a.invoice for a in customer.addresses))
            self.assertTrue(any(a.delivery for a in customer.addresses))
            self.assertGreaterEqual(len(customer.b2b_accounts), 1)
            self.assertLessEqual(len(customer.b2b_accounts), 4)
            self.assertIn('admin',
                {a.b2b_role for a in customer.b2b_accounts})
        self.assertEqual(len({c.b2b_tax_number for c in customers}),
            len(customers))
        self.assertEqual(
            len({c.b2b_customer_group for c in customers}), 3)
        with Transaction().set_context(company=self.company().id):
            self.assertEqual(len([
                        c for c in Party.browse(customers)
                        if c.sale_price_list]), 1)

    @with_transaction(user=0)
    def test_demo_login(self):
        "Test the demo account authenticates"
        pool = Pool()
        WebUser = pool.get('web.user')
        user = WebUser.authenticate(
            demo_data.DEMO_LOGIN, demo_data.DEMO_PASSWORD)
        self.assertTrue(user)
        self.assertEqual(user.b2b_role, 'admin')
        self.assertTrue(user.b2b_may('order'))
        self.assertFalse(
            WebUser.authenticate(demo_data.DEMO_LOGIN, 'wrong'))

    @with_transaction(user=0)
    def test_sales_reps(self):
        """Test the 2 sales reps and their team leader are employees in the
        sales rep group; each rep serves half the customer companies (the
        first the demo buyer's and one on cover), the leader all"""
        pool = Pool()
        User = pool.get('res.user')
        Party = pool.get('party.party')
        WebUser = pool.get('web.user')
        ModelData = pool.get('ir.model.data')
        group_id = ModelData.get_id('b2b_base', 'group_b2b_salesrep')
        company = self.company()
        customers = Party.search([('b2b_customer', '=', True),
                ('b2b_status', '=', 'active')])
        buyer, = WebUser.search([('email', '=', demo_data.DEMO_LOGIN)])
        served = {}
        for login in demo_data.REP_LOGINS + [demo_data.TEAM_LEADER_LOGIN]:
            user, = User.search([('login', '=', login)])
            self.assertIn(group_id, [g.id for g in user.groups])
            self.assertEqual(user.company, company)
            self.assertEqual(user.employee.company, company)
            self.assertTrue(User.get_login(
                    login, {'password': demo_data.REP_PASSWORD}))
            with Transaction().set_user(user.id), \
                    Transaction().set_context(_check_access=True):
                served[login] = set(Party.search(
                        [('b2b_customer', '=', True)]))
        rep1, rep2 = demo_data.REP_LOGINS
        half = len(customers) // 2
        self.assertEqual(len(served[rep2]), half)
        # one of rep2's companies on cover by rep1
        self.assertEqual(len(served[rep1]), half + 1)
        self.assertEqual(len(served[rep1] & served[rep2]), 1)
        self.assertIn(buyer.party, served[rep1])
        self.assertEqual(served[demo_data.TEAM_LEADER_LOGIN],
            set(customers))
        # carts of other companies wait for the reps
        Sale = pool.get('sale.sale')
        carts = Sale.search([('state', '=', 'draft'),
                ('b2b_ordered_at', '=', None),
                ('b2b_web_user', '!=', None), ('lines', '!=', None)])
        self.assertEqual(len(carts), 3)
        self.assertNotIn(buyer.party, {c.party for c in carts})
        self.assertTrue(all(c.untaxed_amount > 0 for c in carts))

    @with_transaction(user=0)
    def test_pending_registration(self):
        "Test one registration waits for approval"
        pool = Pool()
        Registration = pool.get('b2b.registration')
        registration, = Registration.search([])
        self.assertEqual(registration.state, 'pending')
        self.assertEqual(registration.party.b2b_status, 'pending')
        self.assertEqual(registration.email, 'nowa@firma.example')

    @with_transaction(user=0)
    def test_buyer_history(self):
        """Test the demo buyer's orders in every state, its invoices of the
        past months paid, paid in part and overdue, and its payments"""
        pool = Pool()
        WebUser = pool.get('web.user')
        Sale = pool.get('sale.sale')
        Invoice = pool.get('account.invoice')
        Payment = pool.get('b2b.payment')
        Date = pool.get('ir.date')
        user, = WebUser.search([('email', '=', demo_data.DEMO_LOGIN)])
        with Transaction().set_context(company=self.company().id):
            today = Date.today()
            orders = Sale.b2b_orders(user)
            self.assertEqual(sorted(o.state for o in orders), [
                    'cancelled', 'confirmed', 'done', 'processing',
                    'processing', 'quotation'])
            self.assertTrue(all(o.number and o.sale_date < today
                    for o in orders))
            self.assertEqual(
                sorted(o.state for o in orders if o.shipment_state == 'sent'),
                ['done', 'processing', 'processing'])

            invoices = Invoice.b2b_invoices(user)
            self.assertEqual(
                sorted(i.b2b_payment_status() for i in invoices),
                ['overdue', 'paid', 'partial'])
            month = today.replace(day=1)
            self.assertTrue(all(i.invoice_date < month for i in invoices))
            self.assertEqual(
                {i.number[-4:] for i in invoices}, {'0001'})
            overdue, = [i for i in invoices
                if i.b2b_payment_status() == 'overdue']
            # deferred payment stays open to the demo buyer
            self.assertLess((today - overdue.b2b_due_date()).days,
                user.party.b2b_customer_group.overdue_days)

            payments = Payment.b2b_payments(user)
            self.assertEqual(len(payments), 2)
            for invoice in invoices:
                paid = sum((a.amount for p in payments
                        for a in p.allocations if a.invoice == invoice),
                    Decimal(0))
                self.assertEqual(
                    paid, invoice.total_amount - invoice.amount_to_pay)
            credit = user.party.b2b_credit()
            self.assertEqual(credit.receivable,
                sum(i.amount_to_pay for i in invoices))
            confirmed, = [o for o in orders if o.state == 'confirmed']
            self.assertEqual(credit.orders, confirmed.total_amount)
            self.assertLess(credit.used, credit.limit)

    def test_load_again(self):
        "Test a second load changes nothing"
        before = count_records()
        demo_data.load(DB_NAME, 'small', progress=False)
        self.assertEqual(count_records(), before)
