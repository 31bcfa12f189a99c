# This file is part of the B2B wholesale suite.
"""Polish and English: every text translated, the language chosen by the
switcher or the browser, Polish formats"""
import datetime
from decimal import Decimal

from babel.messages.pofile import read_po

from portal import i18n

from .tools import text


def test_every_text_is_translated():
    "Each text of the code and templates has its Polish translation"
    path = i18n.TRANSLATIONS / 'pl' / 'LC_MESSAGES' / 'messages.po'
    with path.open('rb') as po_file:
        catalog = read_po(po_file, locale='pl')
    missing = [m.id for m in i18n.extract()
        if m.id and not (catalog.get(m.id) and all(
                    catalog.get(m.id).string
                    if isinstance(catalog.get(m.id).string, tuple)
                    else [catalog.get(m.id).string]))]
    assert missing == [], "run python -m portal.i18n and translate them"


def test_language_choice(client):
    "Polish by default, the browser's language, then the switcher's cookie"
    assert "Katalog" in text(client.get('/'))
    page = client.get('/', headers={'Accept-Language': 'en-GB,en;q=0.8'})
    assert "Catalog" in text(page) and 'lang="en"' in page.text
    response = client.get('/lang/pl?next=/%3Fq%3Dkawa')
    assert response.status_code == 302
    assert response.headers['Location'] == '/?q=kawa'
    page = client.get('/', headers={'Accept-Language': 'en'})
    assert "Katalog" in text(page)
    # no redirection to another site
    assert client.get('/lang/en?next=//evil.example/'
        ).headers['Location'] == '/'


def test_polish_formats(app):
    "Money and dates the Polish way, and the English way"
    with app.test_request_context(headers={'Accept-Language': 'pl'}):
        assert i18n.money(Decimal('1234.5')) == '1\xa0234,50\xa0zł'
        assert i18n.money(Decimal('68.913'), unit_price=True) == (
            '68,9130\xa0zł')
        assert i18n.money(Decimal('4.5'), unit_price=True) == '4,50\xa0zł'
        assert i18n.number(0.25) == '0,25'
        assert i18n.date(datetime.date(2026, 3, 5)) == '5.03.2026'
    with app.test_request_context(headers={'Accept-Language': 'en'}):
        assert i18n.money(Decimal('1234.5')) == 'PLN1,234.50'


def _company_currency(app):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Company = Pool().get('company.company')
    return Company(Transaction().context['company']).currency.code


def test_money_in_company_currency(app):
    """Amounts are in the currency of the portal's company (PLN in the
    demo), not a currency of the portal's own"""
    from .tools import run
    assert app.config['PORTAL_CURRENCY'] == run(
        app, _company_currency, app, commit=False) == 'PLN'
    previous = app.config['PORTAL_CURRENCY']
    app.config['PORTAL_CURRENCY'] = 'EUR'
    try:
        with app.test_request_context(headers={'Accept-Language': 'pl'}):
            assert i18n.money(Decimal('1234.5')) == '1\xa0234,50\xa0€'
            assert i18n.money(Decimal('68.913'), unit_price=True) == (
                '68,9130\xa0€')
        with app.test_request_context(headers={'Accept-Language': 'en'}):
            assert i18n.money(Decimal('1234.5')) == '€1,234.50'
    finally:
        app.config['PORTAL_CURRENCY'] = previous
