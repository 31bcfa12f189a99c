# This file is part of the B2B wholesale suite.
"""Trade credit and invoices from an external system (ERP): CSV and JSON
files, the HTTP API's requests, and the API keys that authenticate them.

Every import checks all its rows first and raises ErpImportError naming
the line (CSV) or the item (JSON) of the first bad one: then nothing is
imported. Invoices are idempotent by their external number."""
import csv
import datetime
import hashlib
import io
import json
import re
import secrets
from decimal import Decimal, InvalidOperation

from b2b_base.exceptions import InvalidNIPError
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin,
    Model,
    ModelSQL,
    ModelView,
    Unique,
    fields,
)
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .exceptions import APIKeyError, ErpImportError

CREDIT_FIELDS = ['nip', 'credit_limit', 'used_credit', 'as_of']
INVOICE_FIELDS = ['number', 'nip', 'date', 'due_date', 'total']
# an amount of the ERP: at most 12 digits before the decimal point (a
# credit limit or an invoice of a trillion is a mistake, and larger ones
# overflowed the pages that show them) and the 2 of the currency after
MAX_AMOUNT = Decimal('1e12')
CENT = Decimal('0.01')
# PostgreSQL refuses NUL in text, and no value of the ERP holds a control
# character (tab, newline and carriage return are the CSV's own)
CONTROL = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]')


def _shown(value):
    "Return the value as a message shows it: one line, 40 characters"
    text = CONTROL.sub('?', str(value))
    return text if len(text) <= 40 else text[:37] + '...'


def hash_key(key):
    # the keys are long random strings: a plain digest cannot be reversed
    return hashlib.sha256(key.encode()).hexdigest()


class _Semicolon(csv.excel):
    "The CSV of Polish spreadsheets"
    delimiter = ';'


def read_rows(data, name):
    """Return [(where, dict)] of a CSV (with a header line) or JSON file
    content: where is "line N" or "item N" for the error messages"""
    if isinstance(data, bytes):
        try:
            data = data.decode('utf-8-sig')
        except UnicodeDecodeError:
            raise ErpImportError(gettext('b2b_credit.msg_import_encoding'))
    text = data.strip()
    if name.lower().endswith('.json') or text[:1] in {'[', '{'}:
        try:
            content = json.loads(text, parse_float=Decimal)
        except ValueError as exception:
            raise ErpImportError(gettext('b2b_credit.msg_import_json',
                    error=str(exception)))
        return json_rows(content)
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], ';,\t')
    except (csv.Error, IndexError):
        dialect = _Semicolon
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    reader.fieldnames = [
        (f or '').strip().lower() for f in reader.fieldnames or []]
    rows = []
    for row in reader:
        where = gettext('b2b_credit.msg_import_line',
            number=reader.line_num)
        _check_texts(where, row)
        rows.append((where, row))
    return rows


def _check_texts(where, row):
    """Raise ErpImportError when a name or a value of the row holds a
    control character or is not a single value"""
    for field, value in row.items():
        if field is None:
            # the values beyond the CSV's header, which nothing reads
            continue
        if isinstance(value, (dict, list)):
            raise ErpImportError(gettext('b2b_credit.msg_import_bad',
                    where=where, field=_shown(field), value=_shown(value)))
        if CONTROL.search(str(field)) or (
                isinstance(value, str) and CONTROL.search(value)):
            raise ErpImportError(gettext('b2b_credit.msg_import_control',
                    where=where, field=_shown(field)))


def json_rows(content):
    "Return [(where, dict)] of a decoded JSON document"
    if isinstance(content, dict):
        items = content.get('companies', content.get('invoices'))
    else:
        items = content
    if not isinstance(items, list):
        raise ErpImportError(gettext('b2b_credit.msg_import_json',
                error="a list of objects is expected"))
    rows = []
    for index, item in enumerate(items, 1):
        where = gettext('b2b_credit.msg_import_item', number=index)
        if not isinstance(item, dict):
            raise ErpImportError(gettext('b2b_credit.msg_import_bad',
                    where=where, field='-', value=_shown(item)))
        _check_texts(where, item)
        rows.append((where, {k.lower(): v for k, v in item.items()}))
    return rows


def _amount(where, row, field, required=True):
    """Return the amount of the field as a Decimal; raise ErpImportError
    for a missing one (when required), a text that is not a number,
    NaN or Infinity, or more than 12 digits before the decimal point or
    2 after"""
    value = row.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ErpImportError(gettext('b2b_credit.msg_import_missing',
                    where=where, field=field))
        return None
    amount = None
    if not isinstance(value, bool) and len(str(value)) <= 100:
        try:
            amount = Decimal(str(value).strip().replace(' ', '')
                .replace('\xa0', '').replace(',', '.'))
        except InvalidOperation:
            pass
    if amount is None or not amount.is_finite():
        raise ErpImportError(gettext('b2b_credit.msg_import_bad',
                where=where, field=field, value=_shown(value)))
    if abs(amount) >= MAX_AMOUNT or amount != amount.quantize(CENT):
        raise ErpImportError(gettext('b2b_credit.msg_import_amount',
                where=where, field=field, value=_shown(value)))
    return amount


def _date(where, row, field, type_=datetime.date, required=True):
    value = row.get(field)
    if value is None or not str(value).strip():
        if required:
            raise ErpImportError(gettext('b2b_credit.msg_import_missing',
                    where=where, field=field))
        return None
    try:
        return type_.fromisoformat(str(value).strip())
    except ValueError:
        raise ErpImportError(gettext('b2b_credit.msg_import_bad',
                where=where, field=field, value=_shown(value)))


class Erp(Model):
    "Imports from the ERP"
    __name__ = 'b2b.erp'

    @classmethod
    def _company(cls):
        Company = Pool().get('company.company')
        company_id = Transaction().context.get('company')
        if company_id is None or company_id < 0:
            raise ErpImportError(gettext('b2b_credit.msg_import_company'))
        return Company(company_id)

    @classmethod
    def _party(cls, where, row):
        Party = Pool().get('party.party')
        nip = str(row.get('nip') or '').strip()
        if not nip:
            raise ErpImportError(gettext('b2b_credit.msg_import_missing',
                    where=where, field='nip'))
        try:
            parties = Party.b2b_search_tax_number(nip)
        except InvalidNIPError:
            # refused below as an unknown company, the NIP named
            parties = []
        parties = [p for p in parties if p.b2b_customer]
        if len(parties) != 1:
            raise ErpImportError(gettext('b2b_credit.msg_import_party',
                    where=where, nip=_shown(nip)))
        return parties[0]

    @classmethod
    def import_credit(cls, rows):
        """Set the credit limit and the used credit of companies from
        rows [(where, {nip, credit_limit, used_credit, as_of})]; return
        the number of companies updated"""
        pool = Pool()
        Party = pool.get('party.party')
        company = cls._company()
        now = datetime.datetime.now()
        changes = []
        for where, row in rows:
            party = cls._party(where, row)
            limit = _amount(where, row, 'credit_limit', required=False)
            used = _amount(where, row, 'used_credit', required=False)
            if limit is None and used is None:
                raise ErpImportError(gettext(
                        'b2b_credit.msg_import_missing',
                        where=where, field='credit_limit / used_credit'))
            if limit is not None and limit < 0:
                raise ErpImportError(gettext('b2b_credit.msg_import_bad',
                        where=where, field='credit_limit',
                        value=_shown(row.get('credit_limit'))))
            as_of = _date(where, row, 'as_of', datetime.datetime,
                required=False)
            if as_of and as_of.tzinfo:
                as_of = as_of.astimezone(datetime.timezone.utc).replace(
                    tzinfo=None)
            changes.append((party, limit, used, as_of or now))
        currency = company.currency
        for party, limit, used, as_of in changes:
            values = {}
            if limit is not None:
                values['credit_limit_amount'] = currency.round(limit)
            if used is not None:
                values['b2b_credit_external_used'] = currency.round(used)
                values['b2b_credit_synced_at'] = as_of
            with Transaction().set_context(company=company.id):
                Party.write([party], values)
        return len(changes)

    @classmethod
    def _invoice_account(cls, company):
        pool = Pool()
        Configuration = pool.get('b2b.configuration')
        AccountConfiguration = pool.get('account.configuration')
        account = Configuration(1).erp_invoice_account
        if not account:
            account = AccountConfiguration(1).get_multivalue(
                'default_category_account_revenue', company=company.id)
        if not account:
            raise ErpImportError(gettext(
                    'b2b_credit.msg_import_invoice_account'))
        return account

    @classmethod
    def import_invoices(cls, rows):
        """Create posted customer invoices from rows [(where, {number,
        nip, date, due_date, total})], skipping the external numbers
        already imported; return (created, skipped)"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Journal = pool.get('account.journal')
        company = cls._company()
        parsed, numbers = [], set()
        for where, row in rows:
            number = str(row.get('number') or '').strip()
            if not number:
                raise ErpImportError(gettext(
                        'b2b_credit.msg_import_missing',
                        where=where, field='number'))
            if number in numbers:
                raise ErpImportError(gettext(
                        'b2b_credit.msg_import_duplicate',
                        where=where, number=_shown(number)))
            numbers.add(number)
            party = cls._party(where, row)
            date = _date(where, row, 'date')
            due_date = _date(where, row, 'due_date', required=False)
            total = _amount(where, row, 'total')
            if total <= 0 or (due_date and due_date < date):
                field = 'total' if total <= 0 else 'due_date'
                raise ErpImportError(gettext('b2b_credit.msg_import_bad',
                        where=where, field=field,
                        value=_shown(row.get(field))))
            parsed.append((number, party, date, due_date or date, total))
        existing = {i.b2b_external_number for i in Invoice.search([
                    ('company', '=', company.id),
                    ('b2b_external_number', 'in', list(numbers)),
                    ])} if numbers else set()
        to_create = [p for p in parsed if p[0] not in existing]
        if not to_create:
            return 0, len(parsed)
        account = cls._invoice_account(company)
        journal, = Journal.search([('type', '=', 'revenue')], limit=1)
        currency = company.currency
        invoices = []
        for number, party, date, due_date, total in to_create:
            invoice = Invoice(type='out', company=company, party=party,
                journal=journal, currency=currency, number=number,
                reference=number, b2b_external_number=number,
                invoice_date=date, payment_term_date=due_date,
                description=gettext('b2b_credit.msg_import_invoice_line',
                    number=number))
            invoice.on_change_party()
            invoice.payment_term = None
            invoice.lines = [{
                    'account': account.id, 'quantity': 1,
                    'unit_price': currency.round(total),
                    'description': invoice.description,
                    }]
            invoices.append(invoice)
        Invoice.save(invoices)
        # the ERP's dates are what they are, past due dates included
        with Transaction().set_context(_skip_warnings=True):
            Invoice.post(invoices)
        return len(invoices), len(parsed) - len(invoices)


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    b2b_external_number = fields.Char(
        "External Number", readonly=True,
        help="The number of the invoice in the system it was imported "
        "from; it is imported once.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('b2b_external_number_unique',
                Unique(t, t.company, t.b2b_external_number),
                'b2b_credit.msg_invoice_external_number_unique'),
            ]

    @classmethod
    def copy(cls, invoices, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('b2b_external_number')
        return super().copy(invoices, default=default)


class ApiKey(DeactivableMixin, ModelSQL, ModelView):
    "A key of the ERP's HTTP API; only its digest is stored"
    __name__ = 'b2b.api.key'

    name = fields.Char("Name", required=True)
    company = fields.Many2One('company.company', "Company", required=True)
    key_hash = fields.Char("Key Digest", readonly=True)
    prefix = fields.Char("Key Starts With", readonly=True)
    last_used = fields.Timestamp("Last Used", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('key_hash_unique', Unique(t, t.key_hash),
                'b2b_credit.msg_api_key_unique'),
            ]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def b2b_create_key(cls, name, company):
        "Create a key; return (record, the key in clear, shown once)"
        key = secrets.token_urlsafe(32)
        record = cls(name=name, company=company, key_hash=hash_key(key),
            prefix=key[:6])
        record.save()
        return record, key

    @classmethod
    def b2b_authenticate(cls, key):
        "Return the active key record of the key given, else raise"
        if not key:
            raise APIKeyError(gettext('b2b_credit.msg_api_key_invalid'))
        records = cls.search([
                ('key_hash', '=', hash_key(key)),
                ('active', '=', True),
                ], limit=1)
        if not records:
            raise APIKeyError(gettext('b2b_credit.msg_api_key_invalid'))
        record, = records
        cls.write([record], {'last_used': datetime.datetime.now()})
        return record
