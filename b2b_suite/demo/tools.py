# This file is part of the B2B wholesale suite.
"""What the small and the large loaders share: the transactions they run
in, how they show progress, and the records both find or create"""
import datetime as dt
import sys
from decimal import Decimal

from tqdm import tqdm

from trytond import backend
from trytond.pool import Pool
from trytond.transaction import Transaction, TransactionError

from .content import CENT, COMPANY_NAME

# singletons created on the first write, which needs their table locked
LOCK_TABLES = ['account_configuration', 'b2b_configuration']
# and those the small set's posted invoices lock: the first move of a
# journal in a period, the strict sequences of the numbers (so that the
# load is not run a second time to take them)
SMALL_LOCK_TABLES = LOCK_TABLES + [
    'account_journal_period', 'ir_sequence_strict']


def message(text, progress=True):
    if progress:
        tqdm.write(text, file=sys.stderr)


def progress_bar(label, total, unit, progress=True, initial=0):
    """Return the progress bar of label on standard error (when progress),
    initial of total units done"""
    return tqdm(desc=label, total=total, initial=initial, unit=unit,
        disable=not progress, file=sys.stderr, dynamic_ncols=True,
        # in a log, a line now and then rather than ten a second
        mininterval=0.1 if sys.stderr.isatty() else 10)


def run(database, extras, func, *args, context=None):
    """Run func in a transaction of root that is committed at the end

    The transaction is retried with the locks that it asks for; they are
    added to extras for the next transactions."""
    while True:
        try:
            with Transaction().start(
                    database, 0, context=context, **extras):
                return func(*args)
        except TransactionError as error:
            error.fix(extras)


def orm_batch(size):
    """Return how many records to create at once with the ORM

    SQLite fails with "parser stack overflow" on the query that checks the
    unique constraints of more than about 50 records."""
    return size if backend.name != 'sqlite' else min(size, 20)


def demo_company_id():
    pool = Pool()
    Company = pool.get('company.company')
    companies = Company.search([
            ('party.name', '=', COMPANY_NAME),
            ], limit=1)
    return companies[0].id if companies else None


def get_currency():
    "Return the Polish zloty, created when missing"
    pool = Pool()
    Currency = pool.get('currency.currency')
    Rate = pool.get('currency.currency.rate')
    currencies = Currency.search([('code', '=', 'PLN')], limit=1)
    if currencies:
        currency, = currencies
    else:
        currency, = Currency.create([{
                    'name': "Złoty polski",
                    'code': 'PLN',
                    'numeric_code': '985',
                    'symbol': "zł",
                    'rounding': CENT,
                    'digits': 2,
                    }])
    if not currency.rates:
        Rate.create([{
                    'currency': currency.id,
                    'date': dt.date(2000, 1, 1),
                    'rate': Decimal(1),
                    }])
    return currency


def get_country():
    "Return Poland, created when missing"
    pool = Pool()
    Country = pool.get('country.country')
    countries = Country.search([('code', '=', 'PL')], limit=1)
    if countries:
        return countries[0]
    country, = Country.create([{
                'name': "Poland",
                'code': 'PL',
                'code3': 'POL',
                'code_numeric': '616',
                }])
    # its Polish name, as trytond_import_countries would give it
    with Transaction().set_context(language='pl'):
        Country.write([country], {'name': "Polska"})
    return country


# the demo's box of 12 pieces: (name, symbol) in each language
BOX = {'pl': ("Karton", "krt"), 'en': ("Box", "box")}


def find_box(category):
    "Return the demo's box unit of the category (of units), None if none"
    Uom = Pool().get('product.uom')
    with Transaction().set_context(language='pl'):
        boxes = Uom.search([
                ('name', '=', BOX['pl'][0]),
                ('category', '=', category.id),
                ], limit=1)
    return Uom(boxes[0].id) if boxes else None


def get_lang():
    pool = Pool()
    Lang = pool.get('ir.lang')
    langs = Lang.search([('code', '=', 'pl')], limit=1)
    return langs[0].id if langs else None


def hash_password(password):
    "Return the hash of the web users' password, computed once"
    pool = Pool()
    WebUser = pool.get('web.user')
    return WebUser.hash_password(password)
