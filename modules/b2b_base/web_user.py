# This file is part of the B2B wholesale suite.
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta

from .exceptions import B2BAccessError

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
ACTIONS = {'view', 'order', 'manage_accounts', 'manage_addresses'}


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

    @fields.depends('_parent_party.email')
    def on_change_party(self):
        # accounts are also edited inline on the company's form
        super().on_change_party()

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
            'account.invoice': 'party',
            }

    @classmethod
    def b2b_record_company(cls, record):
        "Return the customer company that owns the record"
        paths = cls._b2b_company_paths()
        if record.__name__ not in paths:
            raise ValueError(f"no B2B owner for {record.__name__}")
        path = paths[record.__name__]
        return getattr(record, path) if path else record

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
            raise B2BAccessError(gettext(
                    'b2b_base.msg_access_denied_' + action))

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
    def write(cls, *args):
        deactivated = []
        actions = iter(args)
        for users, values in zip(actions, actions):
            if values.get('active') is False:
                deactivated.extend(users)
        super().write(*args)
        cls.b2b_end_sessions(deactivated)
