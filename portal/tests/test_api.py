# This file is part of the B2B wholesale suite.
"""The ERP's HTTP API: a wrong key is refused, imports are idempotent,
a bad document imports nothing"""
from decimal import Decimal

from .tools import api_key, run


def _key():
    return api_key("ERP test")


def _party():
    from trytond.pool import Pool
    Party = Pool().get('party.party')
    party = Party.search([
            ('b2b_customer', '=', True),
            ('b2b_status', '=', 'active'),
            ], order=[('id', 'DESC')], limit=1)[0]
    return party.id, party.b2b_tax_number


def _figures(party_id):
    from trytond.pool import Pool
    pool = Pool()
    Party = pool.get('party.party')
    Invoice = pool.get('account.invoice')
    party = Party(party_id)
    return (party.credit_limit_amount, party.b2b_credit_external_used,
        len(Invoice.search([('party', '=', party_id),
                    ('b2b_external_number', '!=', None)])))


def test_api_key_and_imports(app, client):
    key = run(app, _key)
    party_id, nip = run(app, _party, commit=False)
    before = run(app, _figures, party_id, commit=False)
    credit = {'companies': [{'nip': nip, 'credit_limit': '12345.67',
                'used_credit': '1000'}]}
    for headers in [{}, {'X-API-Key': key + 'x'},
            {'Authorization': 'Bearer nonsense'}]:
        response = client.post('/api/v1/credit', json=credit,
            headers=headers)
        assert response.status_code == 401
        assert "API" in response.json['error']
    assert run(app, _figures, party_id, commit=False) == before

    auth = {'Authorization': f'Bearer {key}'}
    response = client.post('/api/v1/credit', json=credit, headers=auth)
    assert response.status_code == 200, response.json
    assert response.json == {'updated': 1}
    invoices = {'invoices': [{'number': 'API/1', 'nip': nip,
                'date': '2026-01-05', 'due_date': '2026-02-05',
                'total': '100.50'}]}
    results = [client.post('/api/v1/invoices', json=invoices,
            headers={'X-API-Key': key}).json for _ in range(2)]
    assert results == [{'imported': 1, 'already_imported': 0},
        {'imported': 0, 'already_imported': 1}]
    bad = {'invoices': [dict(invoices['invoices'][0], number='API/3'),
            {'number': 'API/2', 'nip': nip, 'date': 'yesterday',
                'total': '1'}]}
    response = client.post('/api/v1/invoices', json=bad,
        headers=auth | {'Accept-Language': 'en'})
    assert response.status_code == 400
    assert "item 2" in response.json['error']
    assert run(app, _figures, party_id, commit=False) == (
        Decimal('12345.67'), Decimal('1000'), 1)
