# This file is part of the B2B wholesale suite.
"""Log in and out, throttling, CSRF, password reset, registration and the
pending page"""
import re

from b2b_base.tests.tools import registration_values, smtp_sink

from .tools import DEMO_LOGIN, DEMO_PASSWORD, csrf_token, login, run, text


def _session_cookie(response):
    cookies = [c for c in response.headers.getlist('Set-Cookie')
        if c.startswith('b2b_session=')]
    return cookies[0] if cookies else None


def test_login_logout(app, client):
    "Log in sets an HttpOnly SameSite session cookie; log out ends it"
    from trytond.pool import Pool
    response = login(client, DEMO_LOGIN, DEMO_PASSWORD)
    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert 'HttpOnly' in cookie and 'SameSite=Lax' in cookie
    key = re.match(r'b2b_session=([^;]+)', cookie)[1]
    page = client.get('/')
    assert "Delikatesy Pod Lipami" in text(page)

    response = client.post('/logout',
        data={'csrf_token': csrf_token(client, '/')})
    assert response.status_code == 302
    assert 'Max-Age=0' in _session_cookie(response)
    assert run(app, lambda: Pool().get('web.user').get_user(key)) is None
    assert "Delikatesy Pod Lipami" not in text(client.get('/'))


def test_wrong_password_is_counted(app, client):
    """A wrong password answers 401 and the failed attempt is committed,
    so that throttling answers 429 past [session] max_attempt"""
    from trytond.pool import Pool
    email = 'zakupy@firma1.example'

    def attempts():
        return Pool().get('web.user.authenticate.attempt').count(email)

    response = login(client, email, 'wrong password')
    assert response.status_code == 401
    assert "Nieprawidłowy adres e-mail lub hasło." in text(response)
    assert run(app, attempts) == 1

    def flood():
        Attempt = Pool().get('web.user.authenticate.attempt')
        for _ in range(5):
            Attempt.add(email)
    run(app, flood)
    response = login(client, email, 'wrong password')
    assert response.status_code == 429
    assert "Zbyt wiele nieudanych prób" in text(response)
    # even the right password is refused while throttled
    assert login(client, email, DEMO_PASSWORD).status_code == 429
    run(app, lambda: Pool().get(
            'web.user.authenticate.attempt').remove(email))
    assert login(client, email, DEMO_PASSWORD).status_code == 302


def test_csrf_token_required(client):
    "A form posted without its CSRF token is refused and does nothing"
    response = client.post('/login', data={
            'email': DEMO_LOGIN, 'password': DEMO_PASSWORD})
    assert response.status_code == 400
    assert _session_cookie(response) is None
    assert client.post('/logout').status_code == 400
    assert client.post('/register', data=registration_values()
        ).status_code == 400


def test_password_reset(app, client):
    """The e-mailed link sets a new password once; a refused password
    keeps the link valid"""
    email = 'zakupy@firma1.example'
    with smtp_sink() as messages:
        response = client.post('/password/reset', data={
                'email': email, 'csrf_token': csrf_token(client)})
        assert response.status_code == 200
        assert email in text(response)
    mail, = messages
    assert mail['To'] == email
    body = mail.get_body(('html', 'plain')).get_content()
    link = re.search(r'href="(http[^"]+/password/new\?[^"]+)"', body)[1]
    path = link.split('127.0.0.1:5000', 1)[1].replace('&amp;', '&')

    form = client.get(path)
    assert form.status_code == 200
    token = csrf_token(client, path)
    response = client.post('/password/new', data={
            'email': email, 'token': re.search(r'token=(\w+)', path)[1],
            'password': 'short', 'password_again': 'short',
            'csrf_token': token})
    assert response.status_code == 400
    assert "8" in text(response)
    # the commonest passwords, and the account's e-mail, are refused too
    for refused in ['12345678', 'qwerty123', email]:
        response = client.post('/password/new', data={
                'email': email, 'token': re.search(r'token=(\w+)', path)[1],
                'password': refused, 'password_again': refused,
                'csrf_token': token})
        assert response.status_code == 400
        assert "hasło" in text(response).lower(), text(response)

    values = {
        'email': email, 'token': re.search(r'token=(\w+)', path)[1],
        'password': 'Nowe-Haslo-2026', 'password_again': 'Nowe-Haslo-2026',
        'csrf_token': token}
    assert client.post('/password/new', data=values).status_code == 200
    assert login(client, email, 'Nowe-Haslo-2026').status_code == 302
    # the link works once
    values['csrf_token'] = csrf_token(client, path)
    response = client.post('/password/new', data=values)
    assert response.status_code == 400
    assert "nieważny" in text(response)


def _companies(name):
    from trytond.pool import Pool
    Party = Pool().get('party.party')
    return [(p.name, p.b2b_status) for p in Party.search([
                ('name', '=', name),
                ])]


def test_registration(app, client):
    """A registration creates a pending company and logs its account in
    on the pending page; a duplicate NIP is refused in the user's language
    and creates nothing; closed registration hides the form"""
    values = registration_values(
        company_name="Portal Test Sp. z o.o.", tax_number='526-000-12-46',
        email='portal.test@example.com')
    values['password_again'] = values['password']
    del values['language']
    client.set_cookie('lang', 'en')
    values['csrf_token'] = csrf_token(client, '/register')
    response = client.post('/register', data=values)
    assert response.status_code == 302
    assert response.headers['Location'].endswith('/pending')
    assert run(app, _companies, values['company_name']) == [
        (values['company_name'], 'pending')]
    page = client.get('/pending')
    assert "Your account is pending verification" in text(page)

    other = dict(values, company_name="Duplicate Sp. z o.o.",
        email='duplicate@example.com')
    client.set_cookie('lang', 'pl')
    other['csrf_token'] = csrf_token(client, '/register')
    response = client.post('/register', data=other)
    assert response.status_code == 400
    assert "NIP" in text(response) and "Firma o numerze" in text(response)
    assert run(app, _companies, other['company_name']) == []

    def switch(open_):
        from trytond.pool import Pool
        Configuration = Pool().get('b2b.configuration')
        Configuration.write([Configuration(1)], {
                'self_registration': open_})
    run(app, switch, False)
    try:
        assert client.get('/register').status_code == 404
        assert client.post('/register', data=other).status_code == 404
        assert 'href="/register"' not in client.get('/login').text
    finally:
        run(app, switch, True)


def test_registration_refusals(app, client):
    """A short or common password, a postal code not written the Polish
    way and a missing consent are refused in the user's language, and
    nothing is created; the consents are recorded with their time"""
    values = registration_values(
        company_name="Zgody Test Sp. z o.o.", tax_number='951-000-12-33',
        email='zgody.test@example.com')
    del values['language']
    client.set_cookie('lang', 'pl')
    run(app, _add_countries, {'DE': "Germany", 'US': "United States"})
    form = client.get('/register').text
    assert 'name="accept_terms"' in form and 'name="accept_privacy"' in form
    # the countries of EU VAT numbers, named in Polish
    assert re.search(r'<option value="DE"[^>]*>Niemcy</option>', form)
    assert 'value="US"' not in form
    for changes, message in [
            ({'password': 'Krotkie'}, "co najmniej 8 znaków"),
            ({'password': '12345678'}, "hasło jest niedozwolone"),
            ({'password': 'zaq12wsx'}, "hasło jest niedozwolone"),
            ({'postal_code': '12345'}, "„12345” nie jest prawidłowym kodem"),
            ({'accept_terms': ''}, "zaakceptuj regulamin"),
            ({'accept_privacy': ''}, "zaakceptuj politykę prywatności"),
            ]:
        data = dict(values, **changes)
        data['password_again'] = data['password']
        data = {k: v for k, v in data.items() if v != ''}
        data['csrf_token'] = csrf_token(client, '/register')
        response = client.post('/register', data=data)
        assert response.status_code == 400, changes
        assert message in text(response), (changes, text(response))
        assert run(app, _companies, values['company_name']) == []

    data = dict(values, postal_code='12-345',
        password_again=values['password'],
        csrf_token=csrf_token(client, '/register'))
    response = client.post('/register', data=data)
    assert response.status_code == 302
    assert run(app, _consents, values['email']) == [True, True]


def _add_countries(names):
    from trytond.pool import Pool
    Country = Pool().get('country.country')
    Country.create([{'code': code, 'name': name}
            for code, name in names.items()
            if not Country.search([('code', '=', code)])])


def _consents(email):
    from trytond.pool import Pool
    Registration = Pool().get('b2b.registration')
    registration, = Registration.search([('email', '=', email)])
    return [bool(registration.terms_accepted_at),
        bool(registration.privacy_accepted_at)]


def test_pending_account(client):
    "An account of a company waiting for verification gets the pending page"
    response = login(client, 'nowa@firma.example', DEMO_PASSWORD)
    assert response.status_code == 302
    assert response.headers['Location'].endswith('/pending')
    page = client.get('/pending')
    assert "Twoje konto czeka na weryfikację" in text(page)
    assert "Nowa Firma Sp. z o.o." in text(page)
