# This file is part of the B2B wholesale suite.
"""Money, quantities and dates written one way everywhere: in the modules'
messages and e-mails (the language of Tryton's context) and on the
portal's pages (the language of the request), through Babel.

    money:    1 234,56 zł      PLN 1,234.56
    number:   0,25   1 250 000      0.25   1,250,000
    date:     02.12.2026       2 Dec 2026

Amounts have 2 decimals, but a unit price under 1 keeps up to 4 (Tryton's
price digits); numbers never have an exponent; thousands are grouped."""
import datetime
import re
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_symbol,
)

from trytond.transaction import Transaction

DEFAULT_LANGUAGE = 'en'
# the dates: 02.12.2026 in Polish, 2 Dec 2026 in English; Babel's medium
# date in the other languages
DATE_PATTERNS = {'pl': 'dd.MM.y', 'en': 'd MMM y'}


def locale(language=None):
    """Return Babel's code of the language: the Tryton context's by default
    (pl, en, pt_BR…), English when Babel does not know it"""
    if not language:
        language = Transaction().language or DEFAULT_LANGUAGE
    try:
        Locale.parse(language)
    except (ValueError, TypeError, UnknownLocaleError):
        return DEFAULT_LANGUAGE
    return language


def plain(value):
    """Return the number as a Decimal written without exponent: a
    normalised Decimal('50') is Decimal('5E+1'), 1e6 a float"""
    value = Decimal(str(value)).normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return value


def _currency_pattern(code, language, fraction):
    """Return the language's currency pattern with the fraction digits and
    a space between the number and a symbol made of letters (CLDR's
    currency spacing, which Babel leaves out: PLN 1,234.56 but €1,234.50)"""
    pattern = Locale.parse(language).currency_formats['standard'].pattern
    pattern = pattern.replace('0.00', fraction)
    symbol = get_currency_symbol(code, language)
    if symbol[-1:].isalpha():
        pattern = re.sub(r'¤(?=[#0])', '¤\xa0', pattern)
    if symbol[:1].isalpha():
        pattern = re.sub(r'(?<=[#0])¤', '\xa0¤', pattern)
    return pattern


def money(amount, currency_code, language=None, unit_price=False):
    """Write the amount in the currency (its ISO code, None for the amount
    alone) with 2 decimals; a unit price below 1 keeps up to 4: 0,0725 zł
    a piece, but 68,91 zł"""
    if amount is None:
        return ''
    language = locale(language)
    amount = Decimal(str(amount)) if isinstance(amount, float) else (
        Decimal(amount))
    fraction = '0.00'
    if unit_price and abs(amount) < 1:
        fraction = '0.00##'
    if not currency_code:
        return format_decimal(amount, format='#,##0' + fraction[1:],
            locale=language)
    return format_currency(amount, currency_code,
        format=_currency_pattern(currency_code, language, fraction),
        locale=language, currency_digits=False)


def number(value, language=None):
    """Write a quantity as people write it: 0,25 in Polish, 0.25 in
    English, 50 (never 5E+1), 1 250 000"""
    if value is None:
        return ''
    return format_decimal(plain(value), locale=locale(language),
        decimal_quantization=False)


def quantity(value, unit, language=None):
    """Write a quantity with its unit's symbol (a product.uom or the
    symbol): 0,25 kg, 12 szt., 1,250 u"""
    if value is None:
        return ''
    symbol = getattr(unit, 'symbol', unit)
    text = number(value, language)
    return f'{text}\xa0{symbol}' if symbol else text


def date(value, language=None):
    "Write a date: 02.12.2026 in Polish, 2 Dec 2026 in English"
    if value is None:
        return ''
    if isinstance(value, datetime.datetime):
        value = value.date()
    language = locale(language)
    return format_date(value,
        DATE_PATTERNS.get(language.split('_')[0], 'medium'),
        locale=language)


def one_full_stop(text):
    """Return the text with a sentence that ends with an abbreviation ending
    once: "Zamów 12 szt.", not "Zamów 12 szt.." (a message's full stop
    after a value that has its own: szt., Sp. z o.o.); an ellipsis stays"""
    return re.sub(r'(?<!\.)\.\.(?!\.)', '.', text)
