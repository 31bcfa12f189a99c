# This file is part of the B2B wholesale suite.
"""What the demo generates from its seeds rather than lists: NIPs (through
python-stdnum), people's names, addresses, prices and stock levels. Pure
Python, the same values on every run"""
import random
from decimal import Decimal

from stdnum.pl import nip as stdnum_nip

from b2b_base.party import normalize_tax_number

from .content import (
    CATALOGUE,
    CENT,
    FEMININE_ENDINGS,
    FIRST_NAMES,
    ITEM_TIERS,
    LARGE_FORMS,
    LARGE_KINDS,
    LARGE_PRODUCT_CODE,
    LARGE_SUBCATEGORIES,
    LAST_NAMES,
    MINIMUMS,
    PACKAGE_ONLY,
    PACKAGES,
    PRODUCT_CODE,
    PRODUCTS_PER_CATEGORY,
    SEED,
    STREETS,
    TAX_OFFICES,
    VAT8_ITEMS,
    WEIGHT_STEP,
)

ASCII = str.maketrans('ąćęłńóśźżĄĆĘŁŃÓŚŹŻ', 'acelnoszzACELNOSZZ')


def nip_check_digit(digits):
    "Return the check digit of the 9 first digits of a NIP or None"
    # the weight of the check digit is -1: with 0 there, stdnum's checksum
    # is the digit the number needs (10: no NIP starts with these digits)
    remainder = stdnum_nip.checksum(digits + '0')
    return None if remainder == 10 else remainder


def random_nip(rng, used):
    "Return a valid NIP not in used, and add it there"
    while True:
        digits = rng.choice(TAX_OFFICES) + '%06d' % rng.randrange(10 ** 6)
        check = nip_check_digit(digits)
        if check is not None and digits + str(check) not in used:
            nip = digits + str(check)
            used.add(nip)
            return nip


def large_nip(index):
    """Return the valid NIP of the large set's company index

    The prefixes shift the checksum by distinct amounts, so at most one of
    them gives the remainder 10; no tax office of the small set starts with
    76 to 79."""
    for prefix in ['77', '78', '79', '76']:
        digits = prefix + '%07d' % index
        check = nip_check_digit(digits)
        if check is not None:
            return digits + str(check)
    raise ValueError(index)


def demo_company_nip():
    "Return the NIP of the demo company (the first draw of the demo's seed)"
    return random_nip(random.Random(SEED), set())


def tax_identifier(nip):
    "Return the values of the party identifier of the NIP"
    type_, code = normalize_tax_number(nip)
    return {'type': type_, 'code': code}


def person(rng):
    "Return the first and last name of a person"
    first = rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    if first.endswith('a'):
        for masculine, feminine in FEMININE_ENDINGS.items():
            if last.endswith(masculine):
                last = last[:-len(masculine)] + feminine
                break
    return first, last


def email_local(first, last):
    return f'{first}.{last}'.translate(ASCII).lower()


def postal_code(rng, prefix):
    return '%s%03d' % (prefix, rng.randrange(1, 1000))


def street(rng):
    return f'{rng.choice(STREETS)} {rng.randrange(1, 120)}'


def large_company_name(rng, number):
    return " ".join(filter(None, [
                rng.choice(LARGE_KINDS), rng.choice(LAST_NAMES),
                f"{number:05d}", rng.choice(LARGE_FORMS)]))


def stock_quantity(number):
    """Return the demo stock of the product HD-<number>: every 7th out
    of stock, the one before it low (1 to 6), the others 20 to 400"""
    if not number % 7:
        return 0
    rng = random.Random(SEED + number)
    if number % 7 == 6:
        return rng.randint(1, 6)
    return rng.randint(20, 400)


def item_tax(item, vat):
    "Return the tax key of the item of a category of VAT vat"
    return 'vat8' if item in VAT8_ITEMS else vat


def selling_rules(category, item, unit, index):
    "Return the B2B selling rules of a product as template values"
    rules = {}
    if unit == 'kg':
        rules['sale_quantity_rounding'] = WEIGHT_STEP
    if item in MINIMUMS:
        rules['sale_quantity_minimal'] = MINIMUMS[item]
    if item in PACKAGE_ONLY:
        rules['b2b_package_quantity'] = float(PACKAGE_ONLY[item])
        rules['b2b_package_only'] = True
    elif unit == 'unit' and category in PACKAGES and not index % 2:
        quantity, discount = PACKAGES[category]
        rules['b2b_package_quantity'] = float(quantity)
        rules['b2b_package_discount'] = Decimal(discount)
    return rules


def small_products(rng):
    """Return the products of the small set, in the order of their codes:
    dicts of code, name, category, unit, tax, list and cost price, selling
    rules and quantity discounts (as (quantity, discount %))"""
    products = []
    number = 0
    for category, vat, items, brands in CATALOGUE:
        for index in range(PRODUCTS_PER_CATEGORY):
            item, unit, price = items[index % len(items)]
            brand, factor = brands[index // len(items) % len(brands)]
            number += 1
            list_price = (Decimal(price) * Decimal(factor)
                * Decimal(str(rng.uniform(0.95, 1.05)))).quantize(CENT)
            cost_price = (list_price * Decimal(str(rng.uniform(0.55, 0.75)))
                ).quantize(CENT)
            products.append({
                    'code': PRODUCT_CODE % number,
                    'name': f"{item} — {brand}",
                    'category': category,
                    'unit': unit,
                    'tax': item_tax(item, vat),
                    'list_price': list_price,
                    'cost_price': cost_price,
                    'rules': selling_rules(category, item, unit, index),
                    'quantity_discounts': ITEM_TIERS.get(item, []),
                    })
    return products


def large_product(index):
    """Return the large product index (from 0): dict of code, name,
    category, subcategory (its index in LARGE_SUBCATEGORIES), unit, tax,
    list and cost price and selling rules"""
    rng = random.Random(SEED + index)
    category, vat, items, brands = CATALOGUE[index % len(CATALOGUE)]
    rank = index // len(CATALOGUE)
    item, unit, price = items[rank % len(items)]
    brand, factor = brands[rank // len(items) % len(brands)]
    series = index // (len(CATALOGUE) * len(items) * len(brands)) + 1
    list_price = (Decimal(price) * Decimal(factor)
        * Decimal(str(rng.uniform(0.8, 1.25)))).quantize(CENT)
    cost_price = (list_price * Decimal(str(rng.uniform(0.55, 0.75)))
        ).quantize(CENT)
    return {
        'rules': selling_rules(category, item, unit, rank),
        'code': LARGE_PRODUCT_CODE % (index + 1),
        'name': f"{item} — {brand}, seria {series}",
        'category': category,
        'unit': unit,
        'tax': item_tax(item, vat),
        'list_price': list_price,
        'cost_price': cost_price,
        'subcategory': rng.randrange(len(LARGE_SUBCATEGORIES)),
        }

