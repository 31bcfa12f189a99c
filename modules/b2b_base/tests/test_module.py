# This file is part of the B2B wholesale suite.
import datetime
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.modules.company.tests import (
    CompanyTestMixin,
    create_company,
    set_company,
)
from trytond.pool import Pool
from trytond.tests.test_tryton import USER, ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from ..exceptions import (
    B2BAccessError,
    DuplicateRegistrationError,
    InvalidNIPError,
    RegistrationClosedError,
    RegistrationError,
    RegistrationStateError,
)
from .test_account import AccountTestMixin
from .test_cart import CartTestMixin
from .test_outbox import OutboxTestMixin
from .test_pricing import PricingTestMixin, in_company
from .tools import (
    SuiteModulesMixin,
    create_customer,
    registration_values,
    smtp_sink,
)

# a company whose new registrations go to self.group
with_group = in_company('_setup_group')


def _customer_with_sessions():
    """Create the company Alfa with an administrator and a buyer, each
    logged in; return the company, the two accounts and their session
    keys"""
    party, (admin, buyer) = create_customer(
        "Alfa", '5213017228', [
            ('admin@alfa.example', 'admin'),
            ('buyer@alfa.example', 'buyer')])
    return party, admin, buyer, admin.new_session(), buyer.new_session()


class B2BBaseTestCase(SuiteModulesMixin,
        AccountTestMixin, CartTestMixin, OutboxTestMixin, PricingTestMixin,
        CompanyTestMixin, ModuleTestCase):
    "Test B2B Base module"
    module = 'b2b_base'

    def _create_group(self, company, code='DET'):
        pool = Pool()
        Group = pool.get('b2b.customer.group')
        Configuration = pool.get('b2b.configuration')
        group = Group(name="Detal", code=code, company=company,
            discount=Decimal('2.5'))
        group.save()
        configuration = Configuration(1)
        configuration.default_customer_group = group
        configuration.save()
        return group

    def _setup_group(self, company):
        self.group = self._create_group(company)

    def _counts(self):
        pool = Pool()
        return tuple(pool.get(m).search([], count=True) for m in [
                'party.party', 'web.user', 'b2b.registration',
                'party.address', 'party.identifier'])

    @with_group
    def test_register_creates_pending_company_and_admin_account(self):
        "Register a company with a valid NIP written with separators"
        pool = Pool()
        Registration = pool.get('b2b.registration')
        registration = Registration.register(registration_values(
                tax_number='PL 774-000-14-54',
                email='Anna.Nowak@Testowa.example'))

        self.assertEqual(registration.state, 'pending')
        party = registration.party
        self.assertEqual(party.name, "Hurtownia Testowa Sp. z o.o.")
        self.assertTrue(party.b2b_customer)
        self.assertEqual(party.b2b_status, 'pending')
        self.assertEqual(party.b2b_customer_group, self.group)
        self.assertEqual(party.b2b_tax_number, '7740001454')
        identifier, = party.identifiers
        self.assertEqual(identifier.type, 'pl_vat')
        address, = party.addresses
        self.assertTrue(address.invoice and address.delivery)
        self.assertEqual(address.city, "Warszawa")
        account = registration.web_user
        self.assertEqual(account.email, 'anna.nowak@testowa.example')
        self.assertEqual(account.b2b_role, 'admin')
        self.assertEqual(account.party, party)
        # the account exists but the pending company may do nothing yet
        self.assertFalse(account.b2b_may('view'))
        self.assertFalse(account.b2b_may('order'))

    @with_group
    def test_register_foreign_eu_vat(self):
        "Register a company with a foreign EU VAT number"
        pool = Pool()
        Registration = pool.get('b2b.registration')
        registration = Registration.register(registration_values(
                tax_number='DE 136 695 976', country='DE'))
        identifier, = registration.party.identifiers
        self.assertEqual(
            (identifier.type, identifier.code),
            ('eu_vat', 'DE136695976'))

    @with_group
    def test_register_invalid_nip(self):
        "Refuse an invalid NIP with a message naming it, creating nothing"
        pool = Pool()
        Registration = pool.get('b2b.registration')
        before = self._counts()
        for number in ['774-000-14-55', '12345', 'DE123', 'abc']:
            with self.subTest(number=number):
                with self.assertRaises(InvalidNIPError) as cm:
                    Registration.register(registration_values(
                            tax_number=number))
                self.assertIn(number, cm.exception.message)
                self.assertIn("not a valid NIP", cm.exception.message)
        self.assertEqual(self._counts(), before)

    @with_group
    def test_register_duplicate_nip(self):
        "Refuse a NIP already registered, however it is written"
        pool = Pool()
        Registration = pool.get('b2b.registration')
        Registration.register(registration_values())
        before = self._counts()
        for number in ['7740001454', 'PL7740001454', '774 000 14 54']:
            with self.subTest(number=number):
                with self.assertRaises(DuplicateRegistrationError) as cm:
                    Registration.register(registration_values(
                            tax_number=number,
                            email='other@testowa.example'))
                self.assertIn("already registered", cm.exception.message)
        self.assertEqual(self._counts(), before)

    @with_group
    def test_register_duplicate_email(self):
        "Refuse an e-mail already used by an account, in any letter case"
        pool = Pool()
        Registration = pool.get('b2b.registration')
        Registration.register(registration_values())
        before = self._counts()
        with self.assertRaises(DuplicateRegistrationError) as cm:
            Registration.register(registration_values(
                    tax_number='5260250274',
                    email='ANNA.NOWAK@testowa.example'))
        self.assertIn('anna.nowak@testowa.example', cm.exception.message)
        self.assertEqual(self._counts(), before)

    @with_group
    def test_register_missing_field_and_weak_password(self):
        "Refuse an incomplete form and a too short password"
        pool = Pool()
        Registration = pool.get('b2b.registration')
        before = self._counts()
        with self.assertRaises(RegistrationError) as cm:
            Registration.register(registration_values(city="  "))
        self.assertEqual(cm.exception.message, 'Please fill in "City".')
        with self.assertRaises(UserError) as cm:
            Registration.register(registration_values(password='abc'))
        self.assertIn("8 characters", cm.exception.message)
        with self.assertRaises(RegistrationError):
            Registration.register(registration_values(email='not-mail'))
        self.assertEqual(self._counts(), before)

    @with_group
    def test_register_password_postal_code_consents(self):
        """Refuse a common password, the e-mail as password, a postal code
        not written the country's way and a missing consent, creating
        nothing; record the time of the consents"""
        pool = Pool()
        Registration = pool.get('b2b.registration')
        Country = pool.get('country.country')
        Country.create([{'name': "Poland", 'code': 'PL'}])
        before = self._counts()
        for values, message in [
                ({'password': '12345678'}, "The password is forbidden."),
                ({'password': 'Password123'}, "The password is forbidden."),
                ({'password': 'anna.nowak@testowa.example'},
                    "same as user's email"),
                ({'postal_code': '12345'},
                    '"12345" is not a valid postal code in Poland.'),
                ({'postal_code': '1-2345'}, "not a valid postal code"),
                ({'accept_terms': False}, "terms of sale"),
                ({'accept_privacy': None}, "privacy policy"),
                ]:
            with self.subTest(**values):
                with self.assertRaises(UserError) as cm:
                    Registration.register(registration_values(**values))
                self.assertIn(message, cm.exception.message)
        self.assertEqual(self._counts(), before)

        started = datetime.datetime.now()
        registration = Registration.register(
            registration_values(postal_code='12-345'))
        self.assertEqual(registration.party.addresses[0].postal_code,
            '12-345')
        for accepted_at in [registration.terms_accepted_at,
                registration.privacy_accepted_at]:
            self.assertTrue(
                started <= accepted_at <= datetime.datetime.now())

    @with_group
    def test_registration_switched_off(self):
        "Refuse registrations when self-registration is off"
        pool = Pool()
        Registration = pool.get('b2b.registration')
        Configuration = pool.get('b2b.configuration')
        configuration = Configuration(1)
        configuration.self_registration = False
        configuration.save()
        before = self._counts()
        with self.assertRaises(RegistrationClosedError) as cm:
            Registration.register(registration_values())
        self.assertIn("Registration is closed", cm.exception.message)
        self.assertEqual(self._counts(), before)

    @with_transaction()
    def test_approval_and_rejection_emails(self):
        "Approve and reject registrations; the applicants get e-mails"
        transaction = Transaction()
        with smtp_sink() as messages:
            pool = Pool()
            Registration = pool.get('b2b.registration')
            company = create_company()
            with set_company(company):
                self._create_group(company, code='MAIL')
                accepted = Registration.register(registration_values(
                        email='accepted@firma.example',
                        tax_number='5252248481'))
                declined = Registration.register(registration_values(
                        email='declined@firma.example',
                        tax_number='1132853869',
                        contact_name="Jan Kowalski"))
                with self.assertRaises(RegistrationError):
                    Registration.reject([declined], "  ")
                Registration.approve([accepted])
                Registration.reject([declined], "NIP does not match KRS.")
                transaction.commit()
                self.assertEqual(len(messages), 2)

                approved_mail, rejected_mail = sorted(
                    messages, key=lambda m: m['To'])
                self.assertEqual(
                    approved_mail['To'], 'accepted@firma.example')
                self.assertEqual(approved_mail['Subject'],
                    "Your account has been activated")
                self.assertIn("accepted@firma.example",
                    approved_mail.get_content())
                self.assertEqual(
                    rejected_mail['Subject'],
                    "Your registration has been declined")
                body = rejected_mail.get_content()
                self.assertIn("Hello Jan Kowalski", body)
                self.assertIn("Reason: NIP does not match KRS.", body)

                accepted = Registration(accepted.id)
                self.assertEqual(accepted.state, 'approved')
                self.assertEqual(accepted.party.b2b_status, 'active')
                self.assertTrue(accepted.web_user.b2b_may('order'))
                self.assertEqual(accepted.decided_by.id, USER)
                declined = Registration(declined.id)
                self.assertEqual(declined.state, 'rejected')
                self.assertFalse(declined.web_user.active)
                self.assertFalse(declined.web_user.b2b_may('view'))

                # a decision is final
                with self.assertRaises(RegistrationStateError):
                    Registration.approve([declined])
                with self.assertRaises(RegistrationStateError):
                    Registration.reject([accepted], "Too late")
                # the rejected applicant may register again
                again = Registration.register(registration_values(
                        email='declined@firma.example',
                        tax_number='1132853869'))
                self.assertEqual(again.state, 'pending')
                transaction.rollback()
            self.assertEqual(len(messages), 2)

    @with_transaction()
    def test_decision_email_in_applicant_language(self):
        "The applicant who registered in Polish gets a Polish e-mail"
        transaction = Transaction()
        with smtp_sink() as messages:
            pool = Pool()
            Registration = pool.get('b2b.registration')
            Lang = pool.get('ir.lang')
            polish, = Lang.search([('code', '=', 'pl')])
            Lang.load_translations([polish])
            company = create_company()
            with set_company(company):
                self._create_group(company, code='PL')
                registration = Registration.register(registration_values(
                        email='polski@firma.example',
                        tax_number='9542583988', language='pl'))
                Registration.approve([registration])
                transaction.commit()
            mail, = messages
            self.assertEqual(mail['Subject'], "Twoje konto zostało aktywowane")

    @with_transaction()
    def test_roles(self):
        "Each role may do what it should, in its own company only"
        company = create_company()
        with set_company(company):
            party, (admin, buyer, viewer) = create_customer(
                "Alfa", '5213017228', [
                    ('admin@alfa.example', 'admin'),
                    ('buyer@alfa.example', 'buyer'),
                    ('viewer@alfa.example', 'viewer')])
            other, (stranger,) = create_customer(
                "Beta", '5260250274', [('admin@beta.example', 'admin')])
            address = party.addresses[0]

            self.assertTrue(viewer.b2b_may('view', party))
            self.assertFalse(viewer.b2b_may('order'))
            self.assertTrue(buyer.b2b_may('order'))
            self.assertFalse(buyer.b2b_may('manage_accounts', viewer))
            self.assertFalse(buyer.b2b_may('manage_addresses', address))
            self.assertTrue(admin.b2b_may('order'))
            self.assertTrue(admin.b2b_may('manage_accounts', viewer))
            self.assertTrue(admin.b2b_may('manage_addresses', address))
            # nobody locks themselves out
            self.assertFalse(admin.b2b_may('manage_accounts', admin))
            # another company's records are refused to every role
            for user in [admin, buyer, viewer]:
                self.assertFalse(user.b2b_may('view', other))
                self.assertFalse(
                    user.b2b_may('manage_addresses', other.addresses[0]))
            self.assertFalse(admin.b2b_may('manage_accounts', stranger))
            self.assertFalse(stranger.b2b_may('view', address))

            with self.assertRaises(B2BAccessError) as cm:
                viewer.b2b_check('order')
            self.assertIn("may not place orders", cm.exception.message)
            buyer.b2b_check('order')

    @with_transaction()
    def test_blocked_company_may_do_nothing(self):
        "Accounts of a blocked company may do nothing"
        pool = Pool()
        Party = pool.get('party.party')
        company = create_company()
        with set_company(company):
            party, (admin,) = create_customer(
                "Alfa", '5213017228', [('admin@alfa.example', 'admin')])
            Party.write([party], {'b2b_status': 'blocked'})
            self.assertFalse(admin.b2b_may('view'))
            self.assertFalse(admin.b2b_may('view', party))

    @with_transaction()
    def test_deactivation_ends_sessions(self):
        "Deactivating an account or blocking its company logs it out"
        pool = Pool()
        WebUser = pool.get('web.user')
        Party = pool.get('party.party')
        company = create_company()
        with set_company(company):
            party, admin, buyer, admin_key, buyer_key = (
                _customer_with_sessions())
            self.assertEqual(WebUser.get_user(buyer_key), buyer)

            WebUser.write([buyer], {'active': False})
            self.assertIsNone(WebUser.get_user(buyer_key))
            self.assertEqual(WebUser.get_user(admin_key), admin)
            self.assertFalse(buyer.b2b_may('view'))

            Party.write([party], {'b2b_status': 'blocked'})
            self.assertIsNone(WebUser.get_user(admin_key))

    @with_transaction()
    def test_session_account(self):
        """The account of a session key, read in one query, is the account
        of web_user's sessions, with its company; unknown, expired and
        deactivated ones give none, and an expired session is deleted"""
        pool = Pool()
        WebUser = pool.get('web.user')
        Session = pool.get('web.user.session')
        company = create_company()
        with set_company(company):
            party, admin, buyer, admin_key, buyer_key = (
                _customer_with_sessions())

            account = WebUser.b2b_session_account(admin_key)
            self.assertEqual(account, WebUser.get_user(admin_key))
            self.assertEqual(account.email, 'admin@alfa.example')
            self.assertEqual(account.party, party)
            self.assertEqual(account.party.rec_name, "Alfa")
            self.assertTrue(account.b2b_may('manage_accounts'))
            # the rest of the records reads as usual
            self.assertEqual(account.party.b2b_customer_group,
                party.b2b_customer_group)
            self.assertEqual(
                WebUser.b2b_session_account(buyer_key).b2b_role, 'buyer')
            self.assertIsNone(WebUser.b2b_session_account('no such key'))
            self.assertIsNone(WebUser.b2b_session_account(None))

            session = Session.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*session.update(
                    [session.create_date, session.write_date],
                    [datetime.datetime(2000, 1, 1), None],
                    where=session.key == buyer_key))
            self.assertIsNone(WebUser.b2b_session_account(buyer_key))
            self.assertFalse(Session.search([('key', '=', buyer_key)]))

            # deactivating ends the sessions; one left behind gives none
            user = WebUser.__table__()
            cursor.execute(*user.update([user.active], [False],
                    where=user.id == admin.id))
            self.assertIsNone(WebUser.b2b_session_account(admin_key))

    @with_transaction()
    def test_shop_visibility(self):
        "What visitors see follows the shop visibility setting"
        pool = Pool()
        Configuration = pool.get('b2b.configuration')
        configuration = Configuration(1)
        expected = {
            'open': (True, True),
            'prices_after_login': (True, False),
            'login_only': (False, False),
            }
        for visibility, (catalog, prices) in expected.items():
            configuration.shop_visibility = visibility
            self.assertEqual(
                (configuration.visitor_may_see('catalog'),
                    configuration.visitor_may_see('prices')),
                (catalog, prices), visibility)

    @with_transaction()
    def test_customer_group_discount_range(self):
        "A group discount must be at least 0 and below 100 %"
        pool = Pool()
        Group = pool.get('b2b.customer.group')
        company = create_company()
        with set_company(company):
            for discount in [Decimal(-1), Decimal(100)]:
                group = Group(name="Bad", code=str(discount), company=company,
                    discount=discount)
                with self.assertRaises(UserError):
                    group.save()

    @with_transaction()
    def test_catalog_search_codes_and_quantity(self):
        """The shop's search finds any part of a code in any case and a
        name without its diacritics; quick order's codes are read in any
        case; the proposed quantity is the minimum or step, else 1"""
        from ..unaccent import unaccent
        pool = Pool()
        Template = pool.get('product.template')
        Product = pool.get('product.product')
        Uom = pool.get('product.uom')
        liter, = Uom.search([('symbol', '=', 'l')])
        kg, = Uom.search([('symbol', '=', 'kg')])
        products = {}
        for code, name, unit, values in [
                ('HD-00026', "Mąka pszenna", kg, {
                        'sale_quantity_rounding': 0.25}),
                ('HD-00027', "Olej rzepakowy", liter, {}),
                ('HD-00028', "Żelki", kg, {'sale_quantity_minimal': 50}),
                ]:
            template = Template(name=name, code=code, type='goods',
                salable=True, default_uom=unit, sale_uom=unit,
                products=[{}], **values)
            template.save()
            products[code], = template.products

        def found(text):
            return {p.code for p in Product.search(
                    Product.b2b_search_domain(text))}
        for text in ['00026', 'hd-00026', 'maka', 'MĄKA psz']:
            self.assertEqual(found(text), {'HD-00026'}, text)
        self.assertEqual(found('zelki 0002'), {'HD-00028'})
        self.assertEqual(found('HD-0002'), set(products))
        self.assertEqual(found('%'), set())
        self.assertEqual(unaccent("Żółć Łódź"), "Zolc Lodz")

        self.assertEqual(
            Product.b2b_products_by_code(['hd-00027', 'HD-00026', 'HD-9']),
            {'hd-00027': products['HD-00027'],
                'HD-00026': products['HD-00026']})

        self.assertEqual(
            {c: str(p.b2b_default_quantity_of(p.template, p.sale_uom.rounding))
                for c, p in products.items()},
            {'HD-00026': '0.25', 'HD-00027': '1', 'HD-00028': '50'})


del ModuleTestCase
