# This file is part of the B2B wholesale suite.
import datetime
from decimal import Decimal

from b2b_base.tests.tools import SuiteModulesMixin, create_customer
from b2b_credit.tests.tools import CreditSetupMixin, with_credit
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import CompanyTestMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from ..exceptions import (
    CoverError,
    LeadError,
    OrderEditError,
    PriceOverrideError,
)
from .tools import create_rep

DAY = datetime.timedelta(days=1)


class _AsUser:
    "Run as the back-office user, with access rights and rules checked"

    def __init__(self, user):
        self.user = user

    def __enter__(self):
        transaction = Transaction()
        self._user = transaction.set_user(self.user.id)
        self._user.__enter__()
        self._context = transaction.set_context(
            _check_access=True, company=self.user.company.id,
            employee=self.user.employee.id if self.user.employee else None)
        self._context.__enter__()

    def __exit__(self, *exc):
        self._context.__exit__(*exc)
        self._user.__exit__(*exc)


class B2BSalesRepTestCase(SuiteModulesMixin, CreditSetupMixin,
        CompanyTestMixin, ModuleTestCase):
    "Test b2b_salesrep module"
    module = 'b2b_salesrep'

    def _reps(self):
        """Reps Anna (led by Lena) and Bartek; customers managed by Anna
        (Alfa, from the credit set-up), by Bartek (Beta) and by Bartek with
        Anna covering now (Gamma), before (Delta) and later (Epsilon)"""
        pool = Pool()
        Cover = pool.get('b2b.salesrep.cover')
        Date = pool.get('ir.date')
        today = Date.today()
        company = self.company
        self.lena, self.lena_user = create_rep(company, "Lena", 'lena')
        self.anna, self.anna_user = create_rep(company, "Anna", 'anna',
            supervisor=self.lena)
        self.bartek, self.bartek_user = create_rep(
            company, "Bartek", 'bartek')
        self.party.b2b_account_manager = self.anna
        self.party.save()
        self.beta, _ = create_customer("Beta", '7740001454',
            [('buyer@beta.example', 'buyer')], group=self.group)
        self.gamma, _ = create_customer("Gamma", '5260250274',
            group=self.group)
        self.delta, _ = create_customer("Delta", '1132853869',
            group=self.group)
        self.epsilon, _ = create_customer("Epsilon", '9542751368',
            group=self.group)
        for party in [self.beta, self.gamma, self.delta, self.epsilon]:
            party.b2b_account_manager = self.bartek
            party.save()
        Cover.create([{
                    'party': self.gamma.id, 'employee': self.anna.id,
                    'start_date': today - DAY, 'end_date': today + DAY,
                    'reason': "holiday cover",
                    }, {
                    'party': self.delta.id, 'employee': self.anna.id,
                    'start_date': today - 10 * DAY,
                    'end_date': today - DAY,
                    }, {
                    'party': self.epsilon.id, 'employee': self.anna.id,
                    'start_date': today + DAY,
                    }])

    def _served_names(self, user):
        Party = Pool().get('party.party')
        with _AsUser(user):
            return sorted(p.name for p in Party.search([
                        ('b2b_customer', '=', True)]))

    @with_credit
    def test_served_companies(self):
        """A rep serves the companies they manage and cover today; a team
        leader also those of their team; admins all"""
        self._reps()
        self.assertEqual(self._served_names(self.anna_user),
            ["Alfa", "Gamma"])
        self.assertEqual(self._served_names(self.bartek_user),
            ["Beta", "Delta", "Epsilon", "Gamma"])
        self.assertEqual(self._served_names(self.lena_user),
            ["Alfa", "Gamma"])
        # the same rule answers the back office's field
        self.assertEqual(
            sorted(e.party.name for e in self.gamma.b2b_served_by),
            ["Anna", "Bartek", "Lena"])
        self.assertEqual(
            [e.party.name for e in self.delta.b2b_served_by], ["Bartek"])
        # Gamma's cover ended yesterday, Epsilon's starts today: Anna
        # serves Epsilon, no longer Gamma
        pool = Pool()
        Cover = pool.get('b2b.salesrep.cover')
        Date = pool.get('ir.date')
        today = Date.today()
        gamma_cover, = Cover.search([('party', '=', self.gamma.id)])
        gamma_cover.start_date = today - 5 * DAY
        gamma_cover.end_date = today - DAY
        gamma_cover.save()
        epsilon_cover, = Cover.search([('party', '=', self.epsilon.id)])
        epsilon_cover.start_date = today
        epsilon_cover.save()
        self.assertEqual(self._served_names(self.anna_user),
            ["Alfa", "Epsilon"])
        # parties that are no customers stay readable (the own company,
        # carriers, the employees)
        Party = pool.get('party.party')
        with _AsUser(self.anna_user):
            Party.read([self.company.party.id, self.bartek.party.id],
                ['name'])

    @with_credit
    def test_assignment_changes_at_once(self):
        "A new account manager serves the company at once, the old one not"
        self._reps()
        self.party.b2b_account_manager = self.bartek
        self.party.save()
        self.assertEqual(self._served_names(self.anna_user), ["Gamma"])
        self.assertIn("Alfa", self._served_names(self.bartek_user))

    @with_credit
    def test_refused_on_every_record_of_a_company_not_served(self):
        """A rep reads nothing of a company not served: its file, addresses,
        contact mechanisms, identifiers, accounts, carts, orders and their
        lines, invoices and their lines, payments and what they paid"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Payment = pool.get('b2b.payment')
        Date = pool.get('ir.date')
        self._reps()
        beta_buyer, = self.beta.b2b_accounts
        cart = Sale.b2b_cart_add(beta_buyer, [(self.drill, 2)])
        order = Sale.b2b_place_order(beta_buyer,
            Sale.b2b_cart_add(beta_buyer, [(self.screw, 10)]),
            shipment_address=self.beta.addresses[0], carrier=self.carrier,
            payment_method=self.transfer)
        invoice = self._invoice('100', party=self.beta)
        payment = Payment.record(self.beta, Decimal('40'), Date.today(),
            invoices=[invoice], reference="PRZELEW BETA")
        self.beta.contact_mechanisms = [
            {'type': 'email', 'value': 'biuro@beta.example'}]
        self.beta.save()
        records = {
            'party.party': self.beta,
            'party.address': self.beta.addresses[0],
            'party.contact_mechanism': self.beta.contact_mechanisms[0],
            'party.identifier': self.beta.identifiers[0],
            'web.user': beta_buyer,
            'sale.sale': cart,
            'sale.line': order.lines[0],
            'account.invoice': invoice,
            'account.invoice.line': invoice.lines[0],
            'b2b.payment': payment,
            'b2b.payment.allocation': payment.allocations[0],
            }
        records['sale.sale#order'] = order
        for user, allowed in [(self.anna_user, False),
                (self.bartek_user, True)]:
            for key, record in records.items():
                Model = pool.get(key.split('#')[0])
                with self.subTest(user=user.login, model=key), \
                        _AsUser(user):
                    if allowed:
                        Model.read([record.id], ['id'])
                        self.assertEqual(
                            Model.search([('id', '=', record.id)]),
                            [record])
                    else:
                        with self.assertRaises(AccessError):
                            Model.read([record.id], ['id'])
                        self.assertEqual(
                            Model.search([('id', '=', record.id)]), [])
        # nor change it
        with _AsUser(self.anna_user), self.assertRaises(AccessError):
            pool.get('party.address').write(
                [self.beta.addresses[0]], {'city': "Gdańsk"})

    @with_credit
    def test_rep_edits_file_not_group(self):
        """A rep edits a served company's basic data and addresses; its
        group, status and account manager stay with administrators"""
        pool = Pool()
        Party = pool.get('party.party')
        Address = pool.get('party.address')
        self._reps()
        with _AsUser(self.anna_user):
            Party.write([self.party], {'name': "Alfa Hurt"})
            Address.create([{'party': self.party.id, 'street': "Nowa 2",
                        'postal_code': '31-001', 'city': "Kraków"}])
            for field, value in [('b2b_customer_group', None),
                    ('b2b_status', 'blocked'),
                    ('b2b_account_manager', self.anna.id)]:
                with self.subTest(field=field), \
                        self.assertRaises(AccessError):
                    Party.write([Party(self.party.id)], {field: value})
        self.assertEqual(self.party.name, "Alfa Hurt")
        self.assertEqual(len(self.party.addresses), 2)

    @with_credit
    def test_cover_dates_and_discount_limit(self):
        """A cover cannot end before it starts; a rep's discount limit is
        their own or the configuration's"""
        pool = Pool()
        Cover = pool.get('b2b.salesrep.cover')
        Configuration = pool.get('b2b.configuration')
        Date = pool.get('ir.date')
        self._reps()
        today = Date.today()
        with self.assertRaises(CoverError) as refusal:
            Cover.create([{'party': self.beta.id, 'employee': self.anna.id,
                        'start_date': today, 'end_date': today - DAY}])
        self.assertIn("Beta", str(refusal.exception))
        self.assertEqual(self.anna.b2b_discount_limit(), Decimal(5))
        configuration = Configuration(1)
        configuration.rep_max_discount = Decimal('7.5')
        configuration.save()
        self.assertEqual(self.anna.b2b_discount_limit(), Decimal('7.5'))
        self.anna.b2b_max_discount = Decimal(12)
        self.anna.save()
        self.assertEqual(self.anna.b2b_discount_limit(), Decimal(12))
        with self.assertRaises(UserError):
            self.anna.b2b_max_discount = Decimal(120)
            self.anna.save()

    @with_credit
    def test_take_over_override_price_and_place(self):
        """A rep takes over a buyer's cart (the buyer sees the change),
        lowers a price within the limit with a reason (beyond it refused,
        naming the limit), and places the order stamped with the rep"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Line = pool.get('sale.line')
        self._reps()
        Sale.b2b_cart_add(self.buyer, [(self.drill, 2)])
        with _AsUser(self.anna_user):
            cart = Sale.b2b_rep_take_over(self.buyer)
            cart = Sale.b2b_cart_add(self.buyer, [(self.screw, 10)])
            drill_line, = [l for l in cart.lines
                if l.product == self.drill]
            own = drill_line.unit_price
            with self.assertRaises(PriceOverrideError) as refusal:
                drill_line.b2b_rep_set_price(own * Decimal('0.90'),
                    "competitor's offer")
            self.assertIn("5 %", refusal.exception.message)
            with self.assertRaises(PriceOverrideError):
                Line(drill_line.id).b2b_rep_set_price(
                    own * Decimal('0.97'), "  ")
            Line(drill_line.id).b2b_rep_set_price(
                own * Decimal('0.97'), "competitor's offer")
        # the buyer's own cart: the rep's line, the rep's price
        cart = Sale.b2b_cart(self.buyer)
        self.assertEqual(cart.b2b_rep, self.anna_user)
        self.assertEqual(sorted(l.product.name for l in cart.lines),
            ["Drill", "Screw"])
        drill_line, = [l for l in cart.lines if l.product == self.drill]
        self.assertEqual(drill_line.unit_price,
            (own * Decimal('0.97')).quantize(Decimal('0.0001')))
        self.assertEqual(drill_line.b2b_manual_price_by, self.anna_user)
        self.assertEqual(drill_line.b2b_manual_price_reason,
            "competitor's offer")
        self.assertEqual(drill_line.b2b_customer_price, own)
        self.assertTrue(drill_line.b2b_manual_price_at)
        # typed in the back office, the limit holds as well
        with _AsUser(self.anna_user), \
                self.assertRaises(PriceOverrideError):
            Line.write([Line(drill_line.id)],
                {'b2b_manual_price': own / 2})
        with _AsUser(self.anna_user):
            order = Sale.b2b_rep_place_order(self.buyer,
                Sale.b2b_cart(self.buyer),
                shipment_address=self.address, carrier=self.carrier,
                payment_method=self.transfer)
        self.assertEqual(order.b2b_placed_by, self.anna_user)
        self.assertIsNone(order.b2b_rep)
        self.assertIn(order.state, {'confirmed', 'processing'})
        self.assertIn("Anna", order._b2b_order_email_notes()[0])
        # another rep's customer: refused
        self.beta_buyer, = self.beta.b2b_accounts
        with _AsUser(self.anna_user), self.assertRaises(AccessError):
            Sale.b2b_rep_take_over(self.beta_buyer)
        beta_cart = Sale.b2b_cart_add(self.beta_buyer, [(self.drill, 1)])
        with _AsUser(self.anna_user), self.assertRaises(AccessError):
            beta_cart.lines[0].b2b_rep_set_price(Decimal(1), "mine")
        with _AsUser(self.anna_user), self.assertRaises(AccessError):
            Sale.b2b_rep_place_order(self.beta_buyer, beta_cart,
                shipment_address=self.beta.addresses[0],
                carrier=self.carrier, payment_method=self.transfer)

    @with_credit
    def test_order_edits_by_state(self):
        """A rep changes a quoted order's quantities, delivery address and
        state; a confirmed one is refused with the states allowed"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        Configuration = pool.get('b2b.configuration')
        Address = pool.get('party.address')
        self._reps()
        configuration = Configuration(1)
        configuration.order_review = True
        configuration.save()
        Sale.b2b_cart_add(self.buyer, [(self.drill, 2), (self.screw, 10)])
        order = Sale.b2b_place_order(self.buyer, Sale.b2b_cart(self.buyer),
            shipment_address=self.address, carrier=self.carrier,
            payment_method=self.transfer)
        self.assertEqual(order.state, 'quotation')
        other, = Address.create([{'party': self.party.id,
                    'street': "Magazynowa 3", 'postal_code': '31-100',
                    'city': "Kraków", 'delivery': True}])
        with _AsUser(self.anna_user):
            order = Sale(order.id)
            drill, = [l for l in order.lines if l.product == self.drill]
            screw, = [l for l in order.lines if l.product == self.screw]
            Sale.b2b_rep_edit(order, {drill: Decimal(3), screw: 0},
                address=Address(other.id))
        order = Sale(order.id)
        self.assertEqual(order.state, 'quotation')
        self.assertEqual(order.shipment_address, other)
        self.assertEqual(
            [(l.product, l.quantity) for l in order.lines
                if l.shipment_cost is None],
            [(self.drill, 3)])
        with _AsUser(self.anna_user):
            Sale.b2b_rep_edit(Sale(order.id), state='draft')
        self.assertEqual(Sale(order.id).state, 'draft')
        # not in the configured states: refused with the reason
        configuration.rep_editable_states = ['quotation']
        configuration.save()
        with _AsUser(self.anna_user), \
                self.assertRaises(OrderEditError) as refusal:
            Sale.b2b_rep_edit(Sale(order.id), state='quotation')
        self.assertIn("Quotation", refusal.exception.message)
        configuration.rep_editable_states = ['draft', 'quotation']
        configuration.save()
        Sale.quote([order])
        Sale.confirm([order])
        with _AsUser(self.anna_user), self.assertRaises(OrderEditError):
            Sale.b2b_rep_edit(Sale(order.id), state='draft')
        # another rep's customer
        with _AsUser(self.bartek_user), self.assertRaises(AccessError):
            Sale.b2b_rep_edit(Sale(order.id), state='draft')

    @with_credit
    def test_leads_own_and_team(self):
        """A rep keeps leads of served companies and of prospects; they see
        their own and their team's, not another team's; a lead moves
        through Tryton's workflow and a closed one is not changed"""
        pool = Pool()
        Opportunity = pool.get('sale.opportunity')
        Party = pool.get('party.party')
        self._reps()
        with _AsUser(self.anna_user):
            alfa = Opportunity.b2b_rep_new_lead(
                party=Party(self.party.id), description="Spring stock",
                amount=Decimal('12000'), probability=Decimal(40))
            prospect = Opportunity.b2b_rep_new_lead(
                prospect="Zeta Hurt", contact='zakupy@zeta.example',
                description="Shelving for a new shop")
            for values in [
                    dict(description=''),
                    dict(description="x", amount=Decimal(-1)),
                    dict(description="x", probability=Decimal(101)),
                    dict(description="x", prospect=' '),
                    ]:
                party = values.pop('prospect', None)
                with self.assertRaises(LeadError):
                    Opportunity.b2b_rep_new_lead(
                        party=None if party else Party(self.party.id),
                        prospect=party or '', **values)
        self.assertEqual(alfa.employee, self.anna)
        self.assertEqual(alfa.conversion_probability, 0.4)
        self.assertTrue(alfa.number)
        self.assertEqual(prospect.party.name, "Zeta Hurt")
        self.assertEqual(prospect.contact.type, 'email')
        with _AsUser(self.bartek_user):
            beta = Opportunity.b2b_rep_new_lead(party=Party(self.beta.id),
                description="Tiles")

        def visible(user):
            with _AsUser(user):
                return sorted(o.description
                    for o in Opportunity.b2b_rep_leads())
        self.assertEqual(visible(self.anna_user),
            ["Shelving for a new shop", "Spring stock"])
        # Lena leads Anna's team
        self.assertEqual(visible(self.lena_user),
            ["Shelving for a new shop", "Spring stock"])
        self.assertEqual(visible(self.bartek_user), ["Tiles"])
        # not another team's lead, by id either
        with _AsUser(self.bartek_user):
            self.assertEqual(
                Opportunity.search([('id', '=', alfa.id)]), [])
            with self.assertRaises(AccessError):
                Opportunity(alfa.id).b2b_rep_write("Mine now")
            with self.assertRaises(AccessError):
                Opportunity(alfa.id).b2b_rep_move('lost')
        # nor a company Bartek does not serve
        with _AsUser(self.bartek_user), self.assertRaises(AccessError):
            Opportunity.b2b_rep_new_lead(party=Party(self.party.id),
                description="Poaching")

        with _AsUser(self.anna_user):
            lead = Opportunity(alfa.id)
            lead.b2b_rep_write("Spring and summer stock", Decimal('15000'),
                Decimal(60), "Call in March")
            lead.b2b_rep_move('opportunity')
            self.assertEqual(Opportunity(alfa.id).state, 'opportunity')
            with self.assertRaises(LeadError):
                Opportunity(alfa.id).b2b_rep_move('won')
            Opportunity(alfa.id).b2b_rep_move('lost', "Went to a rival")
            lost = Opportunity(alfa.id)
            self.assertEqual(
                (lost.state, lost.lost_reason, lost.amount),
                ('lost', "Went to a rival", Decimal('15000')))
            with self.assertRaises(LeadError):
                lost.b2b_rep_write("Again")
            self.assertEqual(
                [o.description for o in Opportunity.b2b_rep_leads(
                        closed=True)], ["Spring and summer stock"])
        self.assertEqual(Opportunity(beta.id).state, 'lead')

    @with_transaction()
    def test_every_text_is_translated(self):
        "Every text of the module has its Polish translation"
        pool = Pool()
        Lang = pool.get('ir.lang')
        Translation = pool.get('ir.translation')
        Lang.load_translations(Lang.search([('code', '=', 'pl')]))

        def texts(lang, **domain):
            return {(t.name, t.type, t.res_id, t.src)
                for t in Translation.search([
                        ('module', '=', 'b2b_salesrep'),
                        ('lang', '=', lang),
                        ] + [(k, '=', v) for k, v in domain.items()])}
        translated = {t for t in texts('pl')
            if t in texts('en')}
        missing = texts('en') - translated
        self.assertEqual(sorted(missing, key=str), [])


del ModuleTestCase
