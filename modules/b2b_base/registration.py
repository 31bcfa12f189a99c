# This file is part of the B2B wholesale suite.
import datetime
import re

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import (
    DuplicateRegistrationError,
    RegistrationClosedError,
    RegistrationError,
    RegistrationStateError,
)
from .mail import send_text
from .party import normalize_tax_number

STATES = [
    ('pending', "Pending"),
    ('approved', "Approved"),
    ('rejected', "Rejected"),
    ]
_readonly = {'readonly': True}
# what an application must give, and the message naming each field
REQUIRED_FIELDS = {
    'company_name': 'b2b_base.msg_registration_field_company_name',
    'tax_number': 'b2b_base.msg_registration_field_tax_number',
    'email': 'b2b_base.msg_registration_field_email',
    'password': 'b2b_base.msg_registration_field_password',
    'contact_name': 'b2b_base.msg_registration_field_contact_name',
    'street': 'b2b_base.msg_registration_field_street',
    'postal_code': 'b2b_base.msg_registration_field_postal_code',
    'city': 'b2b_base.msg_registration_field_city',
    }
# A syntax check only: the address is proven by the approval e-mail.
# Tryton's own validate_email is not used: without email-validator it
# checks nothing, and with it it asks DNS whether the domain receives
# mail, which refuses the demo's and the tests' example.* domains and
# fails on machines without a resolver.
EMAIL_PATTERN = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s]+$')


class Registration(Workflow, ModelSQL, ModelView):
    __name__ = 'b2b.registration'
    _rec_name = 'company_name'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    company_name = fields.Char("Company Name", required=True, states=_readonly)
    tax_number = fields.Char("NIP / VAT Number", required=True,
        states=_readonly)
    street = fields.Char("Street", states=_readonly)
    postal_code = fields.Char("Postal Code", states=_readonly)
    city = fields.Char("City", states=_readonly)
    country = fields.Many2One('country.country', "Country", states=_readonly)
    contact_name = fields.Char("Contact Person", states=_readonly)
    email = fields.Char("E-mail", required=True, states=_readonly)
    phone = fields.Char("Phone", states=_readonly)
    language = fields.Many2One('ir.lang', "Language", states=_readonly)
    party = fields.Many2One(
        'party.party', "Customer Company", readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    web_user = fields.Many2One('web.user', "Account", readonly=True)
    state = fields.Selection(STATES, "State", required=True, readonly=True,
        sort=False)
    rejection_reason = fields.Text("Rejection Reason", readonly=True,
        states={
            'invisible': Eval('state') != 'rejected',
            })
    # the consents of the form (terms of sale, processing of personal data
    # under the GDPR / RODO), recorded with the time they were given
    terms_accepted_at = fields.Timestamp("Terms Accepted At", readonly=True)
    privacy_accepted_at = fields.Timestamp(
        "Privacy Policy Accepted At", readonly=True)
    decided_by = fields.Many2One('res.user', "Decided By", readonly=True)
    decided_at = fields.Timestamp("Decided At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('pending', 'approved'),
            ('pending', 'rejected'),
            }
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'pending',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'reject_wizard': {
                    'invisible': Eval('state') != 'pending',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })
        # the portal's registration form, also offered to integrations
        cls.__rpc__['register'] = RPC(readonly=False, result=int)

    @classmethod
    def default_state(cls):
        return 'pending'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def register(cls, values):
        """Create a pending customer company with its first account (a
        company administrator) from the registration form values.

        values: company_name, tax_number, street, postal_code, city,
        country (code), contact_name, email, phone, password, language
        (code), accept_terms and accept_privacy (the consents, required)"""
        pool = Pool()
        Configuration = pool.get('b2b.configuration')
        Party = pool.get('party.party')
        WebUser = pool.get('web.user')
        User = pool.get('res.user')
        Country = pool.get('country.country')
        Lang = pool.get('ir.lang')
        Address = pool.get('party.address')

        configuration = Configuration(1)
        if not configuration.self_registration:
            raise RegistrationClosedError(gettext(
                    'b2b_base.msg_registration_closed'))
        values = {k: (v.strip() if isinstance(v, str) and k != 'password'
                else v) for k, v in values.items()}
        for field, label in REQUIRED_FIELDS.items():
            if not values.get(field):
                raise RegistrationError(gettext(
                        'b2b_base.msg_registration_field_required',
                        field=gettext(label)))
        id_type, id_code = normalize_tax_number(values['tax_number'])
        email = values['email'].lower()
        if not EMAIL_PATTERN.match(email):
            raise RegistrationError(gettext(
                    'b2b_base.msg_registration_email_invalid',
                    email=values['email']))
        if Party.b2b_search_tax_number(id_code):
            raise DuplicateRegistrationError(gettext(
                    'b2b_base.msg_registration_duplicate_tax_number',
                    number=values['tax_number']))
        if (WebUser.search([('email', '=', email)])
                or cls.search([
                        ('email', '=', email),
                        ('state', '=', 'pending'),
                        ])):
            raise DuplicateRegistrationError(gettext(
                    'b2b_base.msg_registration_duplicate_email',
                    email=email))
        # the rules of [password], and not the e-mail as password
        User.validate_password(values['password'], [WebUser(email=email)])

        country = None
        if values.get('country'):
            country, = Country.search([
                    ('code', '=', values['country'].upper()),
                    ], limit=1) or [None]
        Address.b2b_check_postal_code(values['postal_code'], country)
        if not values.get('accept_terms'):
            raise RegistrationError(gettext(
                    'b2b_base.msg_registration_terms_required'))
        if not values.get('accept_privacy'):
            raise RegistrationError(gettext(
                    'b2b_base.msg_registration_privacy_required'))
        accepted_at = datetime.datetime.now()
        language = None
        if values.get('language'):
            language, = Lang.search([
                    ('code', '=', values['language']),
                    ], limit=1) or [None]

        party = Party(
            name=values['company_name'],
            lang=language,
            b2b_customer=True,
            b2b_status='pending',
            b2b_customer_group=configuration.default_customer_group,
            identifiers=[{'type': id_type, 'code': id_code}],
            addresses=[{
                    'party_name': values.get('contact_name'),
                    'street': values['street'],
                    'postal_code': values['postal_code'],
                    'city': values['city'],
                    'country': country,
                    'invoice': True,
                    'delivery': True,
                    }],
            contact_mechanisms=[
                {'type': 'email', 'value': email}]
            + ([{'type': 'phone', 'value': values['phone']}]
                if values.get('phone') else []))
        party.save()
        web_user = WebUser(
            email=email, party=party, b2b_role='admin')
        web_user.password = values['password']
        web_user.save()
        registration = cls(
            company_name=values['company_name'],
            tax_number=id_code,
            street=values['street'],
            postal_code=values['postal_code'],
            city=values['city'],
            country=country,
            contact_name=values['contact_name'],
            email=email,
            phone=values.get('phone'),
            language=language,
            party=party,
            web_user=web_user,
            terms_accepted_at=accepted_at,
            privacy_accepted_at=accepted_at)
        registration.save()
        return registration

    @classmethod
    def _check_pending(cls, registrations):
        for registration in registrations:
            if registration.state != 'pending':
                raise RegistrationStateError(gettext(
                        'b2b_base.msg_registration_not_pending',
                        registration=registration.rec_name))

    @classmethod
    @ModelView.button
    def approve(cls, registrations):
        "Activate the companies and their accounts and tell the applicants"
        cls._check_pending(registrations)
        cls._approve(registrations)
        for registration in cls.browse([r.id for r in registrations]):
            registration.send_decision_email('approved')

    @classmethod
    @Workflow.transition('approved')
    def _approve(cls, registrations):
        pool = Pool()
        Party = pool.get('party.party')
        WebUser = pool.get('web.user')
        Party.write([r.party for r in registrations], {
                'b2b_status': 'active',
                })
        WebUser.write([r.web_user for r in registrations], {
                'active': True,
                })
        cls._decided(registrations)

    @classmethod
    @ModelView.button_action('b2b_base.wizard_registration_reject')
    def reject_wizard(cls, registrations):
        pass

    @classmethod
    def reject(cls, registrations, reason):
        "Reject the registrations, telling the applicants the reason"
        cls._check_pending(registrations)
        if not (reason or '').strip():
            raise RegistrationError(gettext(
                    'b2b_base.msg_registration_reason_required'))
        cls._reject(registrations, reason)
        for registration in cls.browse([r.id for r in registrations]):
            registration.send_decision_email('rejected')

    @classmethod
    @Workflow.transition('rejected')
    def _reject(cls, registrations, reason):
        pool = Pool()
        Party = pool.get('party.party')
        WebUser = pool.get('web.user')
        cls.write(registrations, {'rejection_reason': reason.strip()})
        cls._decided(registrations)
        # The NIP and e-mail become free for a corrected registration
        WebUser.write([r.web_user for r in registrations], {
                'active': False,
                })
        Party.write([r.party for r in registrations], {
                'b2b_status': 'blocked',
                'active': False,
                })

    @classmethod
    def _decided(cls, registrations):
        cls.write(registrations, {
                'decided_by': Transaction().user,
                'decided_at': datetime.datetime.now(),
                })

    def send_decision_email(self, decision):
        "Tell the applicant the decision, in their language"
        language = self.language.code if self.language else None
        with Transaction().set_context(language=language):
            if decision == 'approved':
                subject = gettext('b2b_base.msg_email_approved_subject')
                body = gettext('b2b_base.msg_email_approved_body',
                    name=self.contact_name, company=self.company_name,
                    email=self.email)
            else:
                subject = gettext('b2b_base.msg_email_rejected_subject')
                body = gettext('b2b_base.msg_email_rejected_body',
                    name=self.contact_name, company=self.company_name,
                    reason=self.rejection_reason)
        send_text(self.email, subject, body, resource=self)


class RejectStart(ModelView):
    __name__ = 'b2b.registration.reject.start'
    reason = fields.Text("Reason", required=True,
        help="Sent to the applicant.")


class Reject(Wizard):
    __name__ = 'b2b.registration.reject'
    start = StateView('b2b.registration.reject.start',
        'b2b_base.registration_reject_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Reject", 'reject', 'tryton-ok', default=True),
            ])
    reject = StateTransition()

    def transition_reject(self):
        self.model.reject(list(self.records), self.start.reason)
        return 'end'
