# This file is part of the B2B wholesale suite.
"""The address book of a customer company, as its accounts keep it"""
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta

from .exceptions import AddressError

# the fields an account may set on an address of its company
B2B_ADDRESS_FIELDS = [
    'party_name', 'street', 'postal_code', 'city', 'country', 'invoice',
    'delivery']
B2B_ADDRESS_REQUIRED = ['street', 'postal_code', 'city']


class Address(metaclass=PoolMeta):
    __name__ = 'party.address'

    @classmethod
    def b2b_addresses(cls, web_user):
        "Return the addresses of the account's company"
        web_user.b2b_check('view', web_user.party)
        return cls.search([('party', '=', web_user.party.id)],
            order=[('sequence', 'ASC NULLS FIRST'), ('id', 'ASC')])

    @classmethod
    def b2b_save_address(cls, web_user, address, values):
        """Create (address None) or change an address of the account's
        company from values (B2B_ADDRESS_FIELDS; country as a record or
        its code); only a company administrator may"""
        pool = Pool()
        Country = pool.get('country.country')
        web_user.b2b_check('manage_addresses', address or web_user.party)
        values = {k: v for k, v in values.items() if k in B2B_ADDRESS_FIELDS}
        for name in ['party_name', 'street', 'postal_code', 'city']:
            if name in values:
                values[name] = (values[name] or '').strip() or None
        for name in B2B_ADDRESS_REQUIRED:
            if not (values.get(name) if address is None or name in values
                    else getattr(address, name)):
                raise AddressError(gettext(
                        'b2b_base.msg_registration_field_required',
                        field=gettext(
                            'b2b_base.msg_registration_field_' + name)))
        country = values.get('country')
        if isinstance(country, str):
            countries = Country.search([('code', '=', country.upper())],
                limit=1) if country else []
            values['country'] = countries[0] if countries else None
        for name in ['invoice', 'delivery']:
            if name in values:
                values[name] = bool(values[name])
        if address is None:
            address = cls(party=web_user.party)
        for name, value in values.items():
            setattr(address, name, value)
        address.save()
        return address
