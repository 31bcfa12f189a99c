# This file is part of the B2B wholesale suite.
import datetime

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.modelstorage import local_cache
from trytond.pool import Pool, PoolMeta
from trytond.tools.email_ import set_from_header
from trytond.transaction import Transaction

from .exceptions import AccountError, B2BAccessError
from .mail import send_text

ROLES = [
    ('admin', "Company administrator"),
    ('buyer', "Buyer"),
    ('viewer', "Viewer"),
    ]
# What each role may do inside its own company
ROLE_RIGHTS = {
    'admin': {'view', 'order', 'manage_accounts', 'manage_addresses'},
    'buyer': {'view', 'order'},
    'viewer': {'view'},
    }
# the message refusing each action, spelled out so that it can be found
DENIED = {
    'view': 'b2b_base.msg_access_denied_view',
    'order': 'b2b_base.msg_access_denied_order',
    'manage_accounts': 'b2b_base.msg_access_denied_manage_accounts',
    'manage_addresses': 'b2b_base.msg_access_denied_manage_addresses',
    }
ACTIONS = set(DENIED)
# an invitation waits longer for its answer than a password reset (a day)
INVITATION_DAYS = 7


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    b2b_role = fields.Selection([(None, "")] + ROLES, "B2B Role",
        help="Company administrator: manages the company's accounts and "
        "addresses and orders.\n"
        "Buyer: orders.\n"
        "Viewer: sees prices, orders and invoices but cannot order.")
    b2b_role_string = b2b_role.translated('b2b_role')

    @classmethod
    def default_b2b_role(cls):
        return 'buyer'

    @classmethod
    def b2b_role_names(cls):
        """Return the names of the roles (code: name, in the selection's
        order) in the language of the context"""
        selection = cls.fields_get(['b2b_role'])['b2b_role']['selection']
        return {code: name for code, name in selection if code}

    @fields.depends('_parent_party.email')
    def on_change_party(self):
        # accounts are also edited inline on the company's form
        super().on_change_party()

    @classmethod
    def b2b_session_account(cls, key):
        """Return the active account of the web session key, None when the
        key is unknown or expired or the account deactivated (an expired
        session is deleted unless the transaction is read-only), like
        web.user.session.get_user

        The account comes with what b2b_may and the portal's layout read of
        it and of its company (e-mail, role, active; the company's name,
        rec_name, B2B flag and status) from one query: the portal asks at
        every request, where the session, the account and the company
        would each be read whole."""
        pool = Pool()
        Session = pool.get('web.user.session')
        Party = pool.get('party.party')
        transaction = Transaction()
        session = Session.__table__()
        user = cls.__table__()
        party = Party.__table__()
        cursor = transaction.connection.cursor()
        cursor.execute(*session
            .join(user, condition=session.user == user.id)
            .join(party, 'LEFT', condition=user.party == party.id)
            .select(session.id, session.write_date, session.create_date,
                user.id, user.active, user.email, user.b2b_role,
                party.id, party.name, party.code, party.b2b_customer,
                party.b2b_status,
                where=session.key == (key or ''), limit=1))
        row = cursor.fetchone()
        if row is None:
            return None
        (session_id, written, created, user_id, active, email, role,
            party_id, name, code, b2b_customer, b2b_status) = row
        # the session's last_modified_at, as web_user reads it
        modified = written or created
        if abs(modified - datetime.datetime.now()) > Session.timeout():
            if not transaction.readonly:
                Session.delete([Session(session_id)])
            return None
        if not active:
            return None
        company = None
        if party_id is not None:
            # records browsed with these values, as a read would leave them
            values = dict(name=name, code=code,
                b2b_customer=b2b_customer, b2b_status=b2b_status)
            party_cache = local_cache(Party, transaction)
            party_cache[party_id] = Party._record(**values)
            # and for every record of the company browsed in the request
            # (the cart's customer, a sale's party): read as a read would
            # leave them in the transaction's cache
            transaction.get_cache()[Party.__name__][party_id] = (
                Party._record(**values))
            company = Party(party_id, _local_cache=party_cache)
            party_cache[party_id].rec_name = company.get_rec_name('rec_name')
        user_cache = local_cache(cls, transaction)
        user_cache[user_id] = cls._record(active=bool(active), email=email,
            b2b_role=role, party=company)
        return cls(user_id, _local_cache=user_cache)

    @classmethod
    def _b2b_company_paths(cls):
        """Return, per model, the field that leads to the customer company
        owning its records; later modules add their models"""
        return {
            'party.party': None,
            'party.address': 'party',
            'party.contact_mechanism': 'party',
            'web.user': 'party',
            'sale.sale': 'party',
            'sale.line': 'sale.party',
            'account.invoice': 'party',
            }

    @classmethod
    def b2b_record_company(cls, record):
        "Return the customer company that owns the record"
        paths = cls._b2b_company_paths()
        if record.__name__ not in paths:
            raise ValueError(f"no B2B owner for {record.__name__}")
        path = paths[record.__name__]
        for name in path.split('.') if path else []:
            record = getattr(record, name)
        return record

    def b2b_may(self, action, record=None):
        """Tell if this account may do the action (view, order,
        manage_accounts, manage_addresses) on the record of its company"""
        assert action in ACTIONS, action
        if not self.active or not self.party or not self.party.b2b_is_active:
            return False
        if action not in ROLE_RIGHTS.get(self.b2b_role, set()):
            return False
        if record is not None:
            company = self.b2b_record_company(record)
            if not company or company.id != self.party.id:
                return False
            if (action == 'manage_accounts'
                    and record.__name__ == 'web.user'
                    and record.id == self.id):
                # nobody locks themselves out or raises their own role
                return False
        return True

    def b2b_check(self, action, record=None):
        "Raise B2BAccessError unless b2b_may(action, record)"
        if not self.b2b_may(action, record):
            raise B2BAccessError(gettext(DENIED[action]))

    @classmethod
    def _b2b_check_role(cls, role):
        if role not in ROLE_RIGHTS:
            raise AccountError(gettext('b2b_base.msg_account_role_invalid'))

    @classmethod
    def b2b_accounts(cls, admin):
        "Return the accounts of the admin's company (deactivated included)"
        admin.b2b_check('manage_accounts', admin.party)
        with Transaction().set_context(active_test=False):
            return cls.search([('party', '=', admin.party.id)],
                order=[('email', 'ASC')])

    @classmethod
    def b2b_invite(cls, admin, email, role):
        """Create an account of the admin's company with the role and no
        password, and e-mail it a link to set its password"""
        from .registration import EMAIL_PATTERN
        admin.b2b_check('manage_accounts', admin.party)
        cls._b2b_check_role(role)
        email = (email or '').strip().lower()
        if not EMAIL_PATTERN.match(email):
            raise AccountError(gettext(
                    'b2b_base.msg_registration_email_invalid', email=email))
        with Transaction().set_context(active_test=False):
            if cls.search([('email', '=', email)], limit=1):
                raise AccountError(gettext(
                        'b2b_base.msg_account_email_exists', email=email))
        user = cls(email=email, party=admin.party, b2b_role=role)
        user.set_reset_password_token()
        user.reset_password_token_expire = (datetime.datetime.now()
            + datetime.timedelta(days=INVITATION_DAYS))
        user.save()
        user.b2b_send_invitation(admin)
        return user

    def b2b_send_invitation(self, inviter):
        """E-mail the invited account who invited it, to which company, and
        the link to choose its password; sent when the transaction commits,
        in the inviter's language"""
        company = self.party.rec_name
        send_text(self.email,
            gettext('b2b_base.msg_email_invitation_subject',
                company=company),
            gettext('b2b_base.msg_email_invitation_body',
                inviter=inviter.email, company=company,
                url=self.get_email_reset_password_url(),
                days=INVITATION_DAYS),
            resource=self)

    @classmethod
    @ModelView.button
    def reset_password(cls, users, from_=None):
        """web_user's, with the e-mails sent through the outbox: a new link
        to set the password, unless the last one is still valid"""
        now = datetime.datetime.now()
        users = [u for u in users
            if not (u.reset_password_token_expire
                and u.reset_password_token_expire > now)]
        for user in users:
            user.set_reset_password_token()
        cls.save(users)
        cls._b2b_send_emails(users, cls.get_email_reset_password, from_)

    @classmethod
    @ModelView.button
    def validate_email(cls, users, from_=None):
        "web_user's, with the e-mails sent through the outbox"
        for user in users:
            user.set_email_token()
        cls.save(users)
        cls._b2b_send_emails(users, cls.get_email_validation, from_)

    @classmethod
    def _b2b_send_emails(cls, users, email_func, from_=None):
        """Send each account the e-mail email_func(user) returns with its
        title, as web_user's _send_email does, but through the outbox"""
        Email = Pool().get('b2b.email')
        from_cfg = config.get('email', 'from')
        for user in users:
            msg, title = email_func(user)
            set_from_header(msg, from_cfg, from_ or from_cfg)
            msg['To'] = user.email
            msg['Subject'] = title
            Email.enqueue(msg, resource=user)

    @classmethod
    def b2b_set_role(cls, admin, user, role):
        "Give another account of the admin's company the role"
        admin.b2b_check('manage_accounts', user)
        cls._b2b_check_role(role)
        cls.write([user], {'b2b_role': role})

    @classmethod
    def b2b_deactivate(cls, admin, user):
        "Deactivate another account of the admin's company: it is logged out"
        admin.b2b_check('manage_accounts', user)
        cls.write([user], {'active': False})

    def b2b_change_password(self, current, new, keep_session=None):
        """Set the account's own password when the current one is right;
        the new one follows res.user's password rules; the sessions of the
        account end but keep_session (the key of the one in use)"""
        pool = Pool()
        User = pool.get('res.user')
        Session = pool.get('web.user.session')
        valid = bool(self.password_hash) and self.check_password(
            current or '', self.password_hash)[0]
        if not valid:
            raise AccountError(gettext('b2b_base.msg_password_wrong'))
        # the setter checks only when the transaction user is not root
        User.validate_password(new, [self])
        self.password = new
        self.save()
        Session.delete(Session.search([
                    ('user', '=', self.id),
                    ('key', '!=', keep_session or ''),
                    ]))

    @classmethod
    def b2b_end_sessions(cls, users):
        "Log the users out of every device"
        pool = Pool()
        Session = pool.get('web.user.session')
        if users:
            Session.delete(Session.search([
                        ('user', 'in', [u.id for u in users]),
                        ]))

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        super().on_modification(mode, users, field_names=field_names)
        if mode == 'write' and 'active' in field_names:
            # a deactivated account is logged out at once
            cls.b2b_end_sessions([u for u in users if not u.active])
