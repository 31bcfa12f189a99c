# This file is part of the B2B wholesale suite.
"""The demo's bank statement: the posted invoices of the month of the demo
and the MT940 file of the company's account at ING that pays them
(demo_statement_bytes, write_statement). The invoices and the file come
from bank.json and the demo's date; the loader writes the file of its
month"""
import datetime as dt
import re
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

from stdnum import iban as stdnum_iban

from .content import (
    CATALOGUE,
    CENT,
    CITIES,
    COMPANY_ACCOUNT,
    COMPANY_NAME,
    COMPANY_SAVINGS,
    CUSTOMER_ACCOUNTS,
    CUSTOMERS,
    DEMO_INVOICES,
    HOTEL_ACCOUNT,
    OPENING_BALANCE,
    PRIVATE_ACCOUNT,
    PRODUCT_CODE,
    PRODUCTS_PER_CATEGORY,
    RULE_ACCOUNTS,
    STATEMENT_RULES,
    TAX_BRANCH,
    TAXES,
    ZUS_BRANCH,
)
from .generate import demo_company_nip, item_tax

# the bank's reference of an operation: its date and number in the file
OPERATION_REFERENCE = '%s%08d'


def pl_iban(sort_code, number):
    "Return the Polish IBAN of the branch's sort code and account number"
    bban = sort_code + number
    return 'PL' + stdnum_iban.calc_check_digits('PL00' + bban) + bban


def demo_company_iban():
    return pl_iban(*COMPANY_ACCOUNT)


def _catalogue_item(category, item):
    "Return the code of the demo product of item (first brand) and its VAT"
    for index, (name, vat, items, _) in enumerate(CATALOGUE):
        if name == category:
            position = [i for i, *_ in items].index(item)
            number = index * PRODUCTS_PER_CATEGORY + position + 1
            return PRODUCT_CODE % number, item_tax(item, vat)
    raise KeyError(category)


def demo_invoices(today):
    """Return the demo invoices of the month of today: dicts of number,
    customer (name), date, lines [(product code, quantity, unit price)]
    and total; the days after today are today (an invoice is never
    dated after the demo's date, that would stop the numbering of today's
    invoices)"""
    rates = {key: rate for key, _, rate in TAXES}
    invoices = []
    for sequence, (customer, day, lines) in enumerate(DEMO_INVOICES, 1):
        bases = {}
        invoice_lines = []
        for category, item, quantity, price in lines:
            code, vat = _catalogue_item(category, item)
            price = Decimal(price)
            bases[vat] = bases.get(vat, 0) + (quantity * price).quantize(
                CENT)
            invoice_lines.append((code, quantity, price))
        # taxes rounded per invoice and rate, as Tryton does by default
        total = sum(base + (base * rates[vat]).quantize(CENT)
            for vat, base in bases.items())
        invoices.append({
                'number': 'FV/%d/%02d/%04d' % (
                    today.year, today.month, sequence),
                'customer': CUSTOMERS[customer - 1],
                'customer_number': customer,
                'date': today.replace(day=min(day, today.day)),
                'lines': invoice_lines,
                'total': total,
                })
    return invoices


def demo_operations(today):
    """Return the operations of the demo statement of the month of today,
    in the order of the file: dicts of date, amount, title, name, address,
    account, code (of the bank), operation (the bank's text), expected
    (what the import and the rules should do with it)"""
    invoices = demo_invoices(today)
    number = {n: i['number'] for n, i in enumerate(invoices, 1)}
    total = {n: i['total'] for n, i in enumerate(invoices, 1)}
    previous = (today.replace(day=1) - dt.timedelta(days=1))
    period = '%02d/%d' % (previous.month, previous.year)
    nip = demo_company_nip()

    def customer(n):
        name = CUSTOMERS[n - 1]
        city, _ = CITIES[(n - 1) % len(CITIES)]
        return {'name': name.upper(), 'address': city.upper()}

    def received(day, amount, title, payer, account, expected):
        return {'day': day, 'amount': amount, 'title': title,
            'account': account, 'code': '020',
            'operation': "IBCG PRZELEW PRZYCHODZĄCY", 'expected': expected,
            **payer}

    def sent(day, amount, title, name, address, account, expected):
        return {'day': day, 'amount': -amount, 'title': title,
            'account': account, 'code': '020', 'name': name,
            'address': address, 'operation': "IBCG PRZELEW WYCHODZĄCY",
            'expected': expected}

    def bank(day, amount, code, operation, title, expected):
        return {'day': day, 'amount': amount, 'title': title,
            'account': '', 'code': code, 'name': "ING BANK ŚLĄSKI S.A.",
            'address': "KATOWICE", 'operation': operation,
            'expected': expected}

    def rule(key):
        name, = [r[0] for r in STATEMENT_RULES if r[-1] == key]
        return f"rule {name}: account {RULE_ACCOUNTS[key]}"

    known = {n: pl_iban(*a) for n, a in CUSTOMER_ACCOUNTS.items()}
    # the payer rounded up to the next hundred
    overpaid = ((total[6] / 100).to_integral_value(
            rounding=ROUND_CEILING) * 100).quantize(CENT)
    operations = [
        received(4, total[1], f"Zapłata za fakturę {number[1]}",
            customer(1), known[1],
            f"matched: {number[1]} paid in full"),
        received(5, total[2], f"FAKTURA VAT {number[2]}",
            customer(4), known[4],
            f"matched: {number[2]} paid in full"),
        received(7, total[3] + total[4],
            f"Faktury {number[3]} i {number[4]}",
            customer(1), known[1],
            f"matched: {number[3]} and {number[4]} paid in full"),
        received(8, Decimal('1500.00'),
            f"Częściowa wpłata do {number[5]}",
            customer(5), pl_iban(*HOTEL_ACCOUNT),
            f"matched: {number[5]} paid in part (payer known by name)"),
        received(10, overpaid, f"Zapłata {number[6]}",
            customer(4), known[4],
            f"matched: {number[6]} paid, {overpaid - total[6]} left as "
            "the company's credit"),
        sent(10, Decimal('6842.17'), f"Składki ZUS za {period}",
            "ZAKŁAD UBEZPIECZEŃ SPOŁECZNYCH", "WARSZAWA",
            pl_iban(ZUS_BRANCH, '026' + nip.zfill(13)),
            rule('zus')),
        received(12, total[7], "Przelew za towar",
            customer(1), known[1],
            f"matched: {number[7]}, the payer known by its account, "
            "the only open invoice of this amount"),
        received(14, total[8], "Za towar dla restauracji Stary Młyn",
            {'name': "PIOTR MAZUR", 'address': "UL. DŁUGA 5 RADOM"},
            pl_iban(*PRIVATE_ACCOUNT),
            f"to review: unknown payer, no invoice named; assign it to "
            f"{CUSTOMERS[3]} ({number[8]})"),
        sent(15, Decimal('4812.00'),
            f"/TI/N{nip}/OKR/{previous:%y}M{previous.month:02d}/SFP/VAT-7"
            f"/TXT/JPK_V7M {period}",
            "URZĄD SKARBOWY WARSZAWA-MOKOTÓW", "UL. WIŚNIOWA 73 WARSZAWA",
            pl_iban(TAX_BRANCH, '222' + nip.zfill(13)),
            rule('tax_office')),
        sent(16, Decimal('15000.00'), "PRZELEW WŁASNY NA LOKATĘ",
            COMPANY_NAME.upper(), "WARSZAWA", pl_iban(*COMPANY_SAVINGS),
            rule('in_transit')),
        bank(19, Decimal('-38.50'), '073', "MD02OPŁATA ZA PROWADZENIE "
            "RACHUNKU", f"Opłata za prowadzenie rachunku {period}",
            rule('bank_fees')),
        bank(20, Decimal('2.37'), '082', "KA01KAPITALIZACJA ODSETEK",
            "Kapitalizacja odsetek", rule('interest')),
        ]
    for operation in operations:
        operation['date'] = today.replace(
            day=min(operation.pop('day'), today.day))
    return operations


def _mt940_amount(amount):
    return str(abs(amount)).replace('.', ',')


def _mt940_lines(tag, text, width=65):
    """The lines of a field as ING writes them: 65 characters each, the
    text cut anywhere (also inside a ~NN marker)"""
    text = f':{tag}:{text}'
    lines = [text[i:i + width] for i in range(0, len(text), width)]
    for line in lines[1:]:
        # a continuation line must not read as a field or the end
        if line.strip() == '-' or re.match(
                r':(\d{2}[A-Z]?|NS):', line.lstrip()):
            raise ValueError(f"MT940 line reads as a field: {line!r}")
    return lines


def demo_statement_bytes(today):
    """Return the MT940 file (ING Bank Śląski: `~NN` subfields, CP852,
    CRLF) of the demo company's account for the month of today: the
    operations of demo_operations(today) after the opening balance of the
    first day of the month"""
    operations = demo_operations(today)
    first = today.replace(day=1)
    closing = OPENING_BALANCE + sum(o['amount'] for o in operations)
    last = max(o['date'] for o in operations)
    rows = [':20:MT940', ':25:/' + demo_company_iban(),
        ':28C:%05d' % today.month,
        ':60F:C%sPLN%s' % (first.strftime('%y%m%d'),
            _mt940_amount(OPENING_BALANCE))]
    for n, operation in enumerate(operations, 1):
        date = operation['date']
        amount = operation['amount']
        code = operation['code']
        rows.append(':61:%s%s%s%sS%s%s' % (date.strftime('%y%m%d'),
                date.strftime('%m%d'), 'C' if amount > 0 else 'D',
                _mt940_amount(amount), code,
                OPERATION_REFERENCE % (date.strftime('%y%m%d'), n)))
        title = operation['title']
        # the title in lines of 27 characters, the name of 35
        details = ''.join('~%d%s' % (20 + i, title[c:c + 27])
            for i, c in enumerate(range(0, len(title), 27)))
        account = operation['account']
        if account:
            nrb = account[2:]
            details += f'~29{nrb}~30{nrb[2:10]}~31{nrb[10:]}'
        # the name, then the address after a space (as ING writes it)
        details += '~32%s~33 %s~34%s' % (operation['name'][:35],
            operation['address'][:34], code)
        if account:
            details += '~38' + account
        rows.append(f':86:{code}')
        rows.extend(_mt940_lines(
                '86', f"{code}~00{operation['operation']}{details}"))
    balance = '%s%sPLN%s' % ('C' if closing >= 0 else 'D',
        last.strftime('%y%m%d'), _mt940_amount(closing))
    rows += [':62F:' + balance, ':64:' + balance, '-', '']
    return '\r\n'.join(rows).encode('cp852')


def write_statement(path, today):
    "Write the demo statement of the month of today to path"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(demo_statement_bytes(today))
    return path
