# This file is part of the B2B wholesale suite.
import datetime
import uuid
from decimal import Decimal

from trytond import config
from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.transaction import Transaction

from ..exceptions import AccountError, AddressError, B2BAccessError
from ..invoice import payment_status
from .test_pricing import with_setup
from .tools import create_customer, smtp_sink


class AccountTestMixin:
    "Test the account area: orders, invoices, addresses, accounts"

    def _company_accounts(self):
        party, (admin, viewer) = create_customer(
            "Gamma", '1132853869', [('admin@gamma.example', 'admin'),
                ('viewer@gamma.example', 'viewer')], group=self.group)
        return party, admin, viewer

    @with_setup
    def test_accounts_invite_role_deactivate(self):
        "The administrator invites, changes roles and deactivates"
        pool = Pool()
        WebUser = pool.get('web.user')
        party, admin, viewer = self._company_accounts()
        invited = WebUser.b2b_invite(admin, ' Nowy@Gamma.example ', 'buyer')
        self.assertEqual((invited.email, invited.party, invited.b2b_role),
            ('nowy@gamma.example', party, 'buyer'))
        self.assertFalse(invited.password_hash)
        self.assertTrue(invited.reset_password_token)
        self.assertEqual(
            [u.email for u in WebUser.b2b_accounts(admin)],
            ['admin@gamma.example', 'nowy@gamma.example',
                'viewer@gamma.example'])
        with self.assertRaises(AccountError):
            WebUser.b2b_invite(admin, 'NOWY@gamma.example', 'viewer')
        with self.assertRaises(AccountError):
            WebUser.b2b_invite(admin, 'x@gamma.example', 'root')
        with self.assertRaises(UserError):
            WebUser.b2b_invite(admin, 'not-an-email', 'buyer')

        WebUser.b2b_set_role(admin, viewer, 'admin')
        self.assertEqual(viewer.b2b_role, 'admin')
        key = invited.new_session()
        WebUser.b2b_deactivate(admin, invited)
        self.assertFalse(invited.active)
        self.assertIsNone(WebUser.get_user(key))
        # not themselves, not another company's, not as a buyer
        for call in [
                lambda: WebUser.b2b_set_role(admin, admin, 'viewer'),
                lambda: WebUser.b2b_deactivate(admin, admin),
                lambda: WebUser.b2b_set_role(admin, self.buyer, 'viewer'),
                lambda: WebUser.b2b_deactivate(self.buyer, viewer),
                lambda: WebUser.b2b_invite(
                    self.buyer, 'y@alfa.example', 'admin'),
                ]:
            with self.assertRaises(B2BAccessError):
                call()
        self.assertEqual((self.buyer.b2b_role, admin.active),
            ('buyer', True))

    @with_setup
    def test_invitation_email(self):
        "The invited employee gets an e-mail from the company's admin"
        pool = Pool()
        WebUser = pool.get('web.user')
        Lang = pool.get('ir.lang')
        Lang.load_translations(Lang.search([('code', '=', 'pl')]))
        admin = self.buyer
        admin.b2b_role = 'admin'
        admin.save()
        # committed, so unique: the mail leaves when the transaction commits
        email = f'invited-{uuid.uuid4().hex[:8]}@alfa.example'
        previous = config.get('web', 'reset_password_url')
        config.set('web', 'reset_password_url',
            'https://sklep.example/password/new')
        try:
            with smtp_sink() as messages:
                with Transaction().set_context(language='pl'):
                    invited = WebUser.b2b_invite(admin, email, 'buyer')
                Transaction().commit()
        finally:
            if previous is None:
                # trytond.config has no public way to unset an option
                config._config.remove_option('web', 'reset_password_url')
                config._cache_clear()
            else:
                config.set('web', 'reset_password_url', previous)
        message, = messages
        self.assertEqual(message['To'], email)
        self.assertEqual(message['Subject'],
            "Zaproszenie do zamawiania dla firmy Alfa")
        body = message.get_content()
        self.assertIn(admin.email, body)
        self.assertIn('https://sklep.example/password/new?', body)
        self.assertIn(f'token={invited.reset_password_token}', body)
        self.assertIn("7 dni", body)
        # the link opens the portal's "choose a password" page for a week
        self.assertGreater(invited.reset_password_token_expire,
            datetime.datetime.now() + datetime.timedelta(days=6))

    @with_setup
    def test_address_book(self):
        "The administrator adds and edits the company's addresses"
        pool = Pool()
        Address = pool.get('party.address')
        Country = pool.get('country.country')
        Country(name="Poland", code='PL').save()
        party, admin, viewer = self._company_accounts()
        address = Address.b2b_save_address(admin, None, {
                'party_name': "Magazyn", 'street': "ul. Długa 5",
                'postal_code': '00-950', 'city': "Warszawa",
                'country': 'PL', 'delivery': True, 'invoice': False,
                'party': self.party})
        self.assertEqual(address.party, party)
        self.assertEqual(address.country.code, 'PL')
        self.assertTrue(address.delivery and not address.invoice)
        Address.b2b_save_address(admin, address, {'city': "Kraków",
                'invoice': True, 'delivery': False})
        self.assertEqual((address.city, address.invoice, address.delivery),
            ("Kraków", True, False))
        self.assertEqual(len(Address.b2b_addresses(viewer)), 2)
        with self.assertRaises(AddressError):
            Address.b2b_save_address(admin, address, {'street': " "})
        # Polish postal codes are NN-NNN
        with self.assertRaises(AddressError) as cm:
            Address.b2b_save_address(admin, address, {'postal_code': '12345'})
        self.assertIn('"12345"', cm.exception.message)
        self.assertEqual(address.postal_code, '00-950')
        with self.assertRaises(B2BAccessError):
            Address.b2b_save_address(viewer, address, {'city': "Łódź"})
        with self.assertRaises(B2BAccessError):
            Address.b2b_save_address(admin, self.party.addresses[0],
                {'city': "Łódź"})
        self.assertEqual(address.city, "Kraków")

    @with_setup
    def test_change_password(self):
        "The own password changes with the current one and the rules"
        pool = Pool()
        WebUser = pool.get('web.user')
        kept = self.buyer.new_session()
        other = self.buyer.new_session()
        with self.assertRaises(AccountError):
            self.buyer.b2b_change_password('wrong', 'New-secret-1')
        for refused in ['abc', '12345678', 'qwerty123', self.buyer.email]:
            with self.assertRaises(UserError):
                self.buyer.b2b_change_password('Secret-2026', refused)
        self.assertEqual(
            WebUser.authenticate(self.buyer.email, 'Secret-2026'),
            self.buyer)
        self.buyer.b2b_change_password(
            'Secret-2026', 'New-secret-1', keep_session=kept)
        self.assertEqual(
            WebUser.authenticate(self.buyer.email, 'New-secret-1'),
            self.buyer)
        self.assertEqual(WebUser.get_user(kept), self.buyer)
        self.assertIsNone(WebUser.get_user(other))

    @with_setup
    def test_orders_of_the_company(self):
        "The company's orders without the carts"
        pool = Pool()
        Sale = pool.get('sale.sale')
        self._shop()
        cart = Sale.b2b_cart_add(self.buyer, [(self.drill, 2)])
        order = Sale.b2b_place_order(self.buyer, cart,
            shipment_address=self.address, carrier=self.carrier,
            payment_method=self.transfer)
        Sale.b2b_cart_add(self.buyer, [(self.drill, 1)])
        self.assertEqual(Sale.b2b_orders(self.buyer), [order])

    def test_payment_status(self):
        "Paid, partially paid, unpaid and overdue"
        today = datetime.date(2026, 3, 10)
        later, earlier = (today + datetime.timedelta(days=1),
            today - datetime.timedelta(days=1))
        D = Decimal
        for total, to_pay, due, status in [
                (D(100), D(0), earlier, 'paid'),
                (D(100), D(40), later, 'partial'),
                (D(100), D(100), today, 'unpaid'),
                (D(100), D(40), earlier, 'overdue'),
                (D(100), D(100), earlier, 'overdue'),
                ]:
            self.assertEqual(payment_status(total, to_pay, due, today),
                status, (total, to_pay, due))
