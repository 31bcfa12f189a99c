# This file is part of the B2B wholesale suite.
"""The address book of a customer company, as its accounts keep it"""
import re

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta

from .exceptions import AddressError

# the fields an account may set on an address of its company
B2B_ADDRESS_FIELDS = [
    'party_name', 'street', 'postal_code', 'city', 'country', 'invoice',
    'delivery']
# the fields an address must have, and the message naming each
B2B_ADDRESS_REQUIRED = {
    'street': 'b2b_base.msg_registration_field_street',
    'postal_code': 'b2b_base.msg_registration_field_postal_code',
    'city': 'b2b_base.msg_registration_field_city',
    }
# How each country of the European Union writes its postal codes (Tryton's
# country module keeps a table of known codes, not their format); the
# codes of other countries are not checked
POSTAL_CODE_FORMATS = {
    'AT': r'\d{4}', 'BE': r'\d{4}', 'BG': r'\d{4}', 'CY': r'\d{4}',
    'CZ': r'\d{3} ?\d{2}', 'DE': r'\d{5}', 'DK': r'\d{4}',
    'EE': r'\d{5}', 'ES': r'\d{5}', 'FI': r'\d{5}', 'FR': r'\d{5}',
    'GR': r'\d{3} ?\d{2}', 'HR': r'\d{5}', 'HU': r'\d{4}',
    'IE': r'[A-Z]\d[\dW] ?[\dA-Z]{4}', 'IT': r'\d{5}',
    'LT': r'(LT-)?\d{5}', 'LU': r'(L-)?\d{4}', 'LV': r'(LV-)?\d{4}',
    'MT': r'[A-Z]{3} ?\d{4}', 'NL': r'\d{4} ?[A-Z]{2}', 'PL': r'\d{2}-\d{3}',
    'PT': r'\d{4}-\d{3}', 'RO': r'\d{6}', 'SE': r'\d{3} ?\d{2}',
    'SI': r'(SI-)?\d{4}', 'SK': r'\d{3} ?\d{2}',
    }


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
        web_user.b2b_check('manage_addresses', address or web_user.party)
        return cls.b2b_write_address(web_user.party, address, values)

    @classmethod
    def b2b_write_address(cls, party, address, values):
        """Create (address None) an address of party or change address from
        values (B2B_ADDRESS_FIELDS; country as a record or its code),
        checked as the shop checks them; the caller decides who may"""
        pool = Pool()
        Country = pool.get('country.country')
        values = {k: v for k, v in values.items() if k in B2B_ADDRESS_FIELDS}
        for name in ['party_name', 'street', 'postal_code', 'city']:
            if name in values:
                values[name] = (values[name] or '').strip() or None
        for name, label in B2B_ADDRESS_REQUIRED.items():
            if not (values.get(name) if address is None or name in values
                    else getattr(address, name)):
                raise AddressError(gettext(
                        'b2b_base.msg_registration_field_required',
                        field=gettext(label)))
        country = values.get('country')
        if isinstance(country, str):
            countries = Country.search([('code', '=', country.upper())],
                limit=1) if country else []
            values['country'] = countries[0] if countries else None
        for name in ['invoice', 'delivery']:
            if name in values:
                values[name] = bool(values[name])
        cls.b2b_check_postal_code(
            values['postal_code'] if 'postal_code' in values
            else address.postal_code,
            values['country'] if 'country' in values
            else (address.country if address else None))
        if address is None:
            address = cls(party=party)
        for name, value in values.items():
            setattr(address, name, value)
        address.save()
        return address

    @classmethod
    def b2b_check_postal_code(cls, postal_code, country):
        """Raise AddressError unless the postal code is written the way of
        its country (a record or None): 00-950 in Poland"""
        pattern = POSTAL_CODE_FORMATS.get(country.code if country else None)
        if (postal_code and pattern
                and not re.fullmatch(pattern, postal_code.upper())):
            raise AddressError(gettext(
                    'b2b_base.msg_postal_code_invalid',
                    postal_code=postal_code, country=country.name))
