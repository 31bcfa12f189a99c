# This file is part of the B2B wholesale suite.
"""The demo as `./dev demo` makes it: SQLite, set up and loaded by the b2b
command, the portal on it, and the bank statement it writes for the README's
walkthrough. The other portal tests run on PostgreSQL only, so SQL that
SQLite refuses would break the demo unseen."""
import json
import os
import re
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from b2b_bank_import.parsers import parse
from b2b_suite import demo as demo_data

ROOT = Path(__file__).resolve().parents[2]

# logs in as the demo buyer and prints what each page answered
PORTAL_WALK = textwrap.dedent('''
    from portal import create_app
    from portal.tests.tools import DEMO_LOGIN, DEMO_PASSWORD, login, text
    app = create_app({'TRYTON_DATABASE': 'demo', 'TRYTON_CONFIG': '',
            'TESTING': True})
    client = app.test_client()
    print('login', login(client, DEMO_LOGIN, DEMO_PASSWORD).status_code)
    for path in ['/', '/?q=a&page=2', '/product/1', '/cart', '/checkout',
            '/account/orders', '/account/invoices', '/account/credit']:
        response = client.get(path, follow_redirects=True,
            headers={'Accept-Language': 'pl'})
        print(path, response.status_code, 'zł' in text(response))
    # the PDF of the buyer's oldest invoice (of its history)
    import re
    pdf = re.findall(r'href="([^"]+[.]pdf)"',
        client.get('/account/invoices').text)[-1]
    response = client.get(pdf)
    print('pdf', response.status_code, response.data[:5] == b'%PDF-')
    # the rep area: rep1's companies, searched, and the leads
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"',
        client.get('/rep/login').text)[1]
    print('rep-login', client.post('/rep/login', data={'login': 'rep1',
                'password': 'rep12345', 'csrf_token': token}).status_code)
    for path in ['/rep/', '/rep/?q=SP.', '/rep/leads']:
        response = client.get(path)
        print('rep', path, response.status_code,
            len(re.findall('data-(?:party|lead)=', response.text)))
    ''')


# what the bank walkthrough needs from the demo database, in JSON
BANK_FACTS = textwrap.dedent('''
    import json
    from trytond import config
    config.update_etc()
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool('demo').init()
    with Transaction().start('demo', 0, readonly=True):
        pool = Pool()
        Journal = pool.get('account.statement.journal')
        Rule = pool.get('account.statement.rule')
        Invoice = pool.get('account.invoice')
        print(json.dumps({
            'journals': [{
                    'name': j.name, 'type': j.journal.type,
                    'ibans': [n.number_compact
                        for n in j.bank_account.numbers],
                    'owners': [o.name for o in j.bank_account.owners],
                    'account': j.account.code,
                    'currency': j.currency.code,
                    'validation': j.validation,
                    } for j in Journal.search([])],
            'rules': [{
                    'name': r.name, 'description': r.description,
                    'low': str(r.amount_low), 'high': str(r.amount_high),
                    'lines': [(l.amount, l.account.code) for l in r.lines],
                    } for r in Rule.search([])],
            'invoices': [{
                    'number': i.number, 'party': i.party.name,
                    'date': str(i.invoice_date),
                    'total': str(i.total_amount), 'state': i.state,
                    } for i in Invoice.search([('type', '=', 'out')],
                    order=[('number', 'ASC')])],
            }))
    ''')
# the rule each operation of the demo statement is for (None: a customer's
# transfer, for the matching), in the order of the file
OPERATION_RULES = [None, None, None, None, None, 'zus', None, None,
    'tax_office', 'in_transit', 'bank_fees', 'interest']


def _b2b(*args, env):
    return subprocess.run([sys.executable, '-m', 'b2b_suite.cli', *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    """The demo database on SQLite as `./dev demo` loads it; return the
    environment that reaches it and the statement file it wrote"""
    path = tmp_path_factory.mktemp('demo')
    env = {k: v for k, v in os.environ.items()
        if not k.startswith(('TRYTOND_', 'DB_'))}
    env.update({
            'TRYTOND_DATABASE__URI': 'sqlite://',
            'TRYTOND_DATABASE__PATH': str(path),
            'TRYTOND_EMAIL__URI': 'smtp://127.0.0.1:1',
            })
    statement = path / demo_data.STATEMENT_FILE
    for command in [['setup', '-d', 'demo'],
            ['demo-data', '-d', 'demo', '--statement', str(statement)]]:
        result = _b2b(*command, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
    return env, statement


def test_demo_on_sqlite(demo):
    "The demo database on SQLite: every portal page a buyer opens answers"
    env, _ = demo
    result = subprocess.run([sys.executable, '-c', PORTAL_WALK], env=env,
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    rep = {line.split()[1]: line.split()[2:] for line in lines
        if line.startswith('rep ')}
    assert 'rep-login 302' in lines, result.stdout
    lines = [line for line in lines if not line.startswith('rep')]
    assert lines[0] == 'login 302', result.stdout
    assert lines[-1] == 'pdf 200 True', result.stdout
    # the rep's search works on SQLite too: all of rep1's companies, fewer
    # of them for a text, and rep1's leads
    assert all(status == '200' for status, _ in rep.values()), rep
    served = int(rep['/rep/'][1])
    assert served > 5 and 0 < int(rep['/rep/?q=SP.'][1]) < served, rep
    assert int(rep['/rep/leads'][1]) == 2, rep
    pages = {path: (status, prices)
        for path, status, prices in map(str.split, lines[1:-1])}
    assert len(pages) == 8, result.stdout
    assert all(s == '200' for s, _ in pages.values()), result.stdout
    # the buyer's prices in złoty on the catalog, a product and the credit
    for path in ['/', '/product/1', '/account/credit']:
        assert pages[path][1] == 'True', result.stdout


def _check_statement(data):
    """The demo statement file: one statement of the company's account, its
    12 operations (8 received, 3 sent, a fee), closing = opening + total,
    and each operation for the rule it is meant for, if any. Return it"""
    statement, = parse(data, demo_data.STATEMENT_FILE)
    assert statement.format == 'mt940'
    assert statement.account == demo_data.demo_company_iban()
    assert statement.currency == 'PLN'
    lines = statement.lines
    assert len(lines) == len(OPERATION_RULES) == 12
    assert [l.kind for l in lines].count('transfer') == 8
    assert [l.kind for l in lines].count('outgoing') == 3
    assert [l.kind for l in lines].count('fee') == 1
    assert statement.opening_balance == demo_data.OPENING_BALANCE
    assert statement.closing_balance == statement.opening_balance + sum(
        (l.amount for l in lines), Decimal(0))
    assert statement.start_date.day == 1
    assert {(l.date.year, l.date.month) for l in lines} == {
        (statement.date.year, statement.date.month)}
    # what account.statement.rule.match does on the origin's description
    for line, expected in zip(lines, OPERATION_RULES):
        description = ' '.join(line.title.split())
        found = next((key for _, regex, low, high, key
                in demo_data.STATEMENT_RULES
                if (low is None or low <= line.amount)
                and (high is None or line.amount <= high)
                and re.search(regex, description)), None)
        assert found == expected, (line.title, found)
    return statement


def test_demo_bank_statement(demo):
    """The demo's bank account, journal, rules and posted invoices, and the
    statement file of the README's walkthrough that pays them"""
    env, path = demo
    result = subprocess.run([sys.executable, '-c', BANK_FACTS], env=env,
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.splitlines()[-1])

    data = path.read_bytes()
    statement = _check_statement(data)
    # the file of the demo's month: its days after the load's are the
    # load's, so the last operation's date gives the same file
    assert data == demo_data.demo_statement_bytes(statement.date)

    journal, = facts['journals']
    assert journal == {
        'name': demo_data.STATEMENT_JOURNAL, 'type': 'statement',
        'ibans': [statement.account], 'owners': [demo_data.COMPANY_NAME],
        'account': '130', 'currency': 'PLN', 'validation': 'balance',
        }
    assert [r['name'] for r in facts['rules']] == [
        name for name, *_ in demo_data.STATEMENT_RULES]
    for rule, (_, regex, low, high, key) in zip(
            facts['rules'], demo_data.STATEMENT_RULES):
        assert rule['description'] == regex
        assert [None if v == 'None' else Decimal(v)
            for v in [rule['low'], rule['high']]] == [low, high]
        assert rule['lines'] == [
            ['pending', demo_data.RULE_ACCOUNTS[key]]]

    planned = demo_data.demo_invoices(statement.date)
    # those of the month: the others are the demo buyer's history
    month = 'FV/%d/%02d/' % (statement.date.year, statement.date.month)
    history = [i for i in facts['invoices']
        if not i['number'].startswith(month)]
    assert history and all(i['party'] == demo_data.CUSTOMERS[0]
        and i['date'] < str(statement.date.replace(day=1)) for i in history)
    facts['invoices'] = [i for i in facts['invoices'] if i not in history]
    assert facts['invoices'] == [{
            'number': i['number'], 'party': i['customer'],
            'date': str(i['date']), 'total': str(i['total']),
            'state': 'posted',
            } for i in planned]
    buyer = demo_data.CUSTOMERS[0]  # the company of DEMO_LOGIN
    assert sum(i['party'] == buyer for i in facts['invoices']) == 4
    assert len({i['party'] for i in facts['invoices']}) == 3
    # the titles name the invoices by their numbers
    titles = ' '.join(l.title for l in statement.lines)
    named = set(re.findall(r'FV/\d{4}/\d{2}/\d{4}', titles))
    assert named == {i['number'] for i in planned[:6]}


def test_docs_statement():
    "docs/demo-statement.sta is the demo statement of DOCS_STATEMENT_DATE"
    data = (ROOT / 'docs' / demo_data.STATEMENT_FILE).read_bytes()
    assert data == demo_data.demo_statement_bytes(
        demo_data.DOCS_STATEMENT_DATE)
    assert b'\r\n' in data and b'\n' not in data.replace(b'\r\n', b'')
    data.decode('cp852')
    statement = _check_statement(data)
    assert statement.date == demo_data.DOCS_STATEMENT_DATE.replace(day=20)


# the README's walkthrough after the import: the unknown payer's transfer
# assigned to Restauracja Stary Młyn's invoice, the statement validated and
# posted; prints what the bank account and the invoices read then
WALKTHROUGH = textwrap.dedent('''
    import json
    from trytond import config
    config.update_etc()
    from trytond.pool import Pool
    from b2b_suite.transactions import in_company

    def walk(company):
        pool = Pool()
        Origin = pool.get('account.statement.origin')
        Statement = pool.get('account.statement')
        Invoice = pool.get('account.invoice')
        Party = pool.get('party.party')
        Account = pool.get('account.account')
        bank, = Account.search([('code', '=', '130')])
        before = Account(bank.id).balance
        review, = Origin.search([('b2b_state', '=', 'review')])
        reason = review.b2b_reason
        review.party, = Party.search([
                ('name', '=', 'Restauracja Stary Młyn Sp. z o.o.')])
        review.b2b_invoices = Invoice.search([
                ('party', '=', review.party.id),
                ('number', 'like', '%/0008')])
        review.save()
        Origin.b2b_assign([review])
        statement, = Statement.search([])
        Statement.validate_statement([statement])
        Statement.post([statement])
        return {
            'reason': reason,
            'assigned': Origin(review.id).b2b_reason,
            'states': sorted(o.b2b_state for o in statement.origins),
            'moved': str(Account(bank.id).balance - before),
            'statement': str(statement.end_balance
                - statement.start_balance),
            'to_pay': {i.number[-4:]: str(i.amount_to_pay)
                for i in Invoice.search([('type', '=', 'out'),
                        ('number', 'like', statement.date.strftime(
                                'FV/%Y/%m/%%'))])},
            }
    print(json.dumps(in_company('demo', None, walk)))
    ''')


def test_demo_statement_walkthrough(demo):
    """The README's walkthrough: the statement imports (customer payments
    booked, the rest by rules, one transfer to review), is assigned,
    validated and posted; the bank account moves by the statement's total"""
    env, path = demo
    result = _b2b('import-statement', '-d', 'demo', str(path), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ('6 booked automatically, 5 by rules, 1 to review, '
        '0 read before') in result.stdout, result.stdout
    result = subprocess.run([sys.executable, '-c', WALKTHROUGH],
        env=dict(env, B2B_LANGUAGE='pl'), cwd=ROOT, capture_output=True,
        text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.splitlines()[-1])
    assert facts['reason'] == 'nie rozpoznano faktury ani płatnika', facts
    assert facts['assigned'].startswith('przypisane przez'), facts
    assert facts['states'] == ['assigned'] + ['matched'] * 6 + ['rule'] * 5
    assert facts['moved'] == facts['statement']
    # paid in full but 0005 (1 500,00 of 2 658,03)
    assert {n: Decimal(v) for n, v in facts['to_pay'].items()} == {
        '0001': 0, '0002': 0, '0003': 0, '0004': 0,
        '0005': Decimal('1158.03'), '0006': 0, '0007': 0, '0008': 0}
    # the same file again books nothing
    result = _b2b('import-statement', '-d', 'demo', str(path), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '0 booked automatically, 0 by rules, 0 to review, 12 read ' \
        'before' in result.stdout, result.stdout
