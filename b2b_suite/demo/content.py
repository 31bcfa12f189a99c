# This file is part of the B2B wholesale suite.
"""What the demo is made of: the literal data of the JSON files in data/
(read as package resources, so they ship in the wheel) and the sizes and
seeds of the generated sets"""
import datetime as dt
import json
from decimal import Decimal
from importlib import resources


def _read(name):
    return json.loads(
        resources.files(__package__).joinpath('data', name).read_text(
            encoding='utf-8'))


def _decimal(value):
    return None if value is None else Decimal(value)


def _tiers(values):
    "Return the quantity discounts as (quantity, discount %) tuples"
    return [(v['quantity'], v['discount']) for v in values]


def _price_list_lines(values):
    return [(v['category'], v['quantity'], v['formula']) for v in values]


def _account(values):
    "Return (sort code of the bank's branch, account number)"
    return values['sort_code'], values['number']


SEED = 20240501

SMALL_CUSTOMERS = 20
PRODUCTS_PER_CATEGORY = 25
PRODUCT_CODE = 'HD-%05d'

LARGE_PRODUCTS = 100_000
LARGE_PRICE_LISTS = 50
LARGE_COMPANIES = 5_000
LARGE_PRODUCT_CODE = 'HL-%06d'
LARGE_GROUP_CODE = 'G%02d'
LARGE_EMAIL = 'zakupy@firma-l%05d.example'
LARGE_SUBCATEGORIES = 'ABCDEFGH'

CENT = Decimal('0.01')

# the wholesaler (company.json)
COMPANY = _read('company.json')
COMPANY_NAME = COMPANY['name']
DEMO_LOGIN = COMPANY['logins']['buyer']
DEMO_PASSWORD = COMPANY['logins']['buyer_password']
REP_LOGINS = COMPANY['logins']['sales_reps']
REP_PASSWORD = COMPANY['logins']['sales_rep_password']
# the supervisor of the reps (also in the Sales Rep group)
TEAM_LEADER_LOGIN = COMPANY['logins']['team_leader']
REGISTRATION = COMPANY['registration']

# the catalogue (catalogue.json): (category, VAT, [(item, unit, price)],
# [(brand, price factor)])
_catalogue = _read('catalogue.json')
CATALOGUE = [
    (c['name'], c['vat'],
        [(i['name'], i['unit'], i['price']) for i in c['items']],
        [(b['name'], b['price_factor']) for b in c['brands']])
    for c in _catalogue['categories']]
# the English names of the categories by their Polish names (the catalog's
# filter shows them in the buyer's language)
CATEGORY_ENGLISH = {c['name']: c['name_en'] for c in _catalogue['categories']}
_items = [i for c in _catalogue['categories'] for i in c['items']]
# Products of these items get 8 % instead of their category's 5 %
VAT8_ITEMS = {i['name'] for i in _items if i.get('vat') == 'vat8'}
# Selling rules (b2b_base pricing): the package of the products sold by the
# piece, as (quantity, discount %), given to every other product
PACKAGES = {
    c['name']: (c['package']['quantity'], c['package']['discount'])
    for c in _catalogue['categories'] if 'package' in c}
# sold only by whole packages of this quantity
PACKAGE_ONLY = {
    i['name']: i['package_only'] for i in _items if 'package_only' in i}
# minimum logistic quantities, in the sale unit
MINIMUMS = {i['name']: i['minimum'] for i in _items if 'minimum' in i}
# products sold by weight accept multiples of this step in kg
WEIGHT_STEP = _catalogue['weight_step']
# quantity discounts (from quantity, discount %) per category and per item
CATEGORY_TIERS = {
    c['name']: _tiers(c['quantity_discounts'])
    for c in _catalogue['categories'] if 'quantity_discounts' in c}
ITEM_TIERS = {
    i['name']: _tiers(i['quantity_discounts'])
    for i in _items if 'quantity_discounts' in i}

# the chart of accounts, taxes and payment terms (accounting.json)
ACCOUNTING = _read('accounting.json')
TAXES = [(t['key'], t['name'], Decimal(t['rate']))
    for t in ACCOUNTING['taxes']]
ACCOUNT_CATEGORIES = ACCOUNTING['account_categories']

# payment methods, carriers and customer groups (sales.json)
_sales = _read('sales.json')
# (kind, name, payment term)
PAYMENT_METHODS = [(m['kind'], m['name'], m['payment_term'])
    for m in _sales['payment_methods']]
# (key, name, carrier company, price)
CARRIERS = [(c['key'], c['name'], c['company'], Decimal(c['price']))
    for c in _sales['carriers']]
# the English names of the payment and delivery methods by their Polish
# names (buyers see the names in their language)
ENGLISH_NAMES = {m['name']: m['name_en']
    for m in _sales['payment_methods'] + _sales['carriers']}
# code: (name, discount, price list, lines, payment methods, carriers)
# lines are (category, quantity, formula), the first that matches wins
GROUPS = [
    (g['code'], g['name'], Decimal(g['discount']), g['price_list'],
        _price_list_lines(g['lines']), g['payment_methods'], g['carriers'])
    for g in _sales['groups']]
DEFAULT_GROUP = _sales['default_group']
# the groups of the customers in turn
CUSTOMER_GROUPS = _sales['customer_groups']
# customer number: its own price list, which wins over its group's
OWN_PRICE_LISTS = {
    p['customer']: (p['name'], _price_list_lines(p['lines']))
    for p in _sales['own_price_lists']}

# names and places the generated parties are made of (people.json)
_people = _read('people.json')
# Codes of tax offices: the first 3 digits of a NIP
TAX_OFFICES = _people['tax_offices']
CUSTOMERS = _people['customers']
CITIES = [(c['name'], c['postal_prefix']) for c in _people['cities']]
STREETS = _people['streets']
FIRST_NAMES = _people['first_names']
LAST_NAMES = _people['last_names']
FEMININE_ENDINGS = _people['feminine_endings']
LARGE_KINDS = _people['large_kinds']
LARGE_FORMS = _people['large_forms']

# Bank reconciliation demo (bank.json): the company's accounts at ING, the
# customers' accounts, the posted invoices the demo statement pays and the
# statement rules of the operations that are not customers' payments
BANK = _read('bank.json')
BANK_NAME = BANK['bank']['name']
BANK_BIC = BANK['bank']['bic']
STATEMENT_JOURNAL = BANK['statement_journal']
STATEMENT_FILE = 'demo-statement.sta'
# a test checks that docs/demo-statement.sta is the file of this date
DOCS_STATEMENT_DATE = dt.date(2026, 12, 21)
OPENING_BALANCE = Decimal(BANK['opening_balance'])
# (sort code of the bank's branch, account number): the IBANs are computed
COMPANY_ACCOUNT = _account(BANK['company_account'])
COMPANY_SAVINGS = _account(BANK['company_savings'])
# the customers' accounts (mBank, PKO BP) known to the shop (bank.account)
CUSTOMER_ACCOUNTS = {
    a['customer']: _account(a) for a in BANK['customer_accounts']}
# accounts the shop does not know: a customer's (Pekao) and the private
# account of a customer's owner (Santander)
HOTEL_ACCOUNT = _account(BANK['hotel_account'])
PRIVATE_ACCOUNT = _account(BANK['private_account'])
# the individual accounts of the company at ZUS (NRS) and at the tax
# office (mikrorachunek podatkowy): branch and the NIP in the number
ZUS_BRANCH = BANK['zus_branch']
TAX_BRANCH = BANK['tax_branch']
# (customer number in CUSTOMERS, day of the month, [(category, item,
# quantity, unit price)]), in the order of their numbers
DEMO_INVOICES = [
    (i['customer'], i['day'], [
            (l['category'], l['item'], l['quantity'], l['unit_price'])
            for l in i['lines']])
    for i in BANK['invoices']]
# (name, description, amount low, amount high, account key): the operations
# of the bank that are not customers' payments, in the order they are tried
STATEMENT_RULES = [
    (r['name'], r['description'], _decimal(r['amount_low']),
        _decimal(r['amount_high']), r['account'])
    for r in BANK['rules']]
# the codes of those accounts in the demo chart (accounting.json)
RULE_ACCOUNTS = {
    a['key']: a['code'] for a in ACCOUNTING['accounts']
    if a['key'] in {r[-1] for r in STATEMENT_RULES}}

# The demo buyer's history (history.json): its company (a number in
# CUSTOMERS) and its past orders, oldest first: reference, days_ago (the
# order's date before the day of the load; an invoiced order's is at the
# latest the last day of the month before, so that the numbers of the
# demo's month stay those of the bank statement's invoices), state (the
# sale state it ends in), payment_term (a key of accounting.json), shipped
# (its shipment done), payment (the share of its invoice paid, days_after
# the invoice) and lines (category, item, quantity)
HISTORY = _read('history.json')
