# This file is part of the B2B wholesale suite.
"""The reps' leads and opportunities: Tryton's sale.opportunity, limited by
the record rules of salesrep.xml to the rep's own and their team's
(employee.b2b_led_by). These methods are what the portal's rep area does
with them; the back office uses Tryton's own form and buttons."""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .exceptions import LeadError

OPEN_STATES = ('lead', 'opportunity')
# the changes of state a rep makes from the portal, and the button of each
MOVES = {
    'lead': 'lead',
    'opportunity': 'opportunity',
    'lost': 'lost',
    'cancelled': 'cancel',
    }
MAX_AMOUNT = Decimal('1e10')


class Opportunity(metaclass=PoolMeta):
    __name__ = 'sale.opportunity'

    @classmethod
    def b2b_rep_leads(cls, closed=False, limit=50):
        """Return the leads and opportunities the user may read (a rep:
        their own and their team's), the open ones or the closed ones, the
        latest first"""
        return cls.search([
                ('state', 'not in' if closed else 'in', OPEN_STATES),
                ], order=[('start_date', 'DESC'), ('id', 'DESC')],
            limit=limit)

    @classmethod
    def _b2b_check_values(cls, description, amount, probability):
        """Raise LeadError unless the description is given, the amount is
        empty or between 0 and MAX_AMOUNT and the probability (percent)
        between 0 and 100"""
        if not (description or '').strip():
            raise LeadError(gettext(
                    'b2b_salesrep.msg_lead_description_required'))
        if amount is not None and not (0 <= amount < MAX_AMOUNT):
            raise LeadError(gettext('b2b_salesrep.msg_lead_amount_invalid'))
        if not (0 <= probability <= 100):
            raise LeadError(gettext(
                    'b2b_salesrep.msg_lead_probability_invalid'))

    def _b2b_set_values(self, description, amount, probability, comment):
        self.description = description.strip()
        self.amount = amount
        self.conversion_probability = float(probability / 100)
        self.comment = (comment or '').strip() or None

    @classmethod
    def b2b_rep_new_lead(cls, party=None, prospect='', contact='',
            description='', amount=None, probability=Decimal(50),
            comment=''):
        """Create a lead of the user's employee about party (a company the
        user may read) or about a prospect: a new party of that name, with
        contact as its e-mail address (with an @) or its phone"""
        pool = Pool()
        Party = pool.get('party.party')
        ContactMechanism = pool.get('party.contact_mechanism')
        User = pool.get('res.user')
        cls._b2b_check_values(description, amount, probability)
        prospect = (prospect or '').strip()
        contact = (contact or '').strip()
        if party is not None:
            pool.get('ir.rule').check('party.party', [party.id], 'read')
        elif prospect:
            party = Party(name=prospect)
            party.save()
        else:
            raise LeadError(gettext('b2b_salesrep.msg_lead_party_required'))
        lead = cls(party=party, employee=User(Transaction().user).employee)
        lead.on_change_party()
        if contact and not party.b2b_customer:
            lead.contact = ContactMechanism(party=party,
                type='email' if '@' in contact else 'phone', value=contact)
            lead.contact.save()
        lead._b2b_set_values(description, amount, probability, comment)
        lead.save()
        return lead

    def b2b_rep_write(self, description, amount=None,
            probability=Decimal(50), comment=''):
        """Change the description, estimated amount, probability (percent)
        and comment of the open lead or opportunity"""
        pool = Pool()
        pool.get('ir.rule').check(self.__name__, [self.id], 'write')
        if self.state not in OPEN_STATES:
            raise LeadError(gettext('b2b_salesrep.msg_lead_closed',
                    lead=self.rec_name))
        self._b2b_check_values(description, amount, probability)
        self._b2b_set_values(description, amount, probability, comment)
        self.save()

    def b2b_rep_moves(self):
        "Return the states (of MOVES) the lead may go to from its own"
        return [s for s in MOVES if (self.state, s) in self._transitions]

    def b2b_rep_move(self, state, reason=''):
        """Take the lead to state (one of MOVES) through Tryton's workflow,
        with the reason for a loss"""
        pool = Pool()
        pool.get('ir.rule').check(self.__name__, [self.id], 'write')
        if state not in self.b2b_rep_moves():
            names = dict(self.fields_get(['state'])['state']['selection'])
            raise LeadError(gettext('b2b_salesrep.msg_lead_move',
                    lead=self.rec_name, state=names.get(self.state, ''),
                    to=names.get(state, state)))
        if state == 'opportunity' and not (self.party and self.employee):
            raise LeadError(gettext('b2b_salesrep.msg_lead_party_required'))
        if state == 'lost' and (reason or '').strip():
            self.lost_reason = reason.strip()
            self.save()
        getattr(self.__class__, MOVES[state])([self])
