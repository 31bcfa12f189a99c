# This file is part of the B2B wholesale suite.
"""Wrong current passwords on the profile page are throttled as failed log
ins are"""
from .tools import DEMO_LOGIN, DEMO_PASSWORD, csrf_token, login, run, text

EMAIL = 'throttle@firma1.example'
PAGE = '/account/profile'


def _account():
    "An account of the demo company for this test only"
    from trytond.pool import Pool
    WebUser = Pool().get('web.user')
    demo, = WebUser.search([('email', '=', DEMO_LOGIN)])
    user = WebUser(email=EMAIL, party=demo.party, b2b_role='buyer')
    user.password = DEMO_PASSWORD
    user.save()


def _change(client, current):
    return client.post(PAGE, data={
            'current_password': current,
            'new_password': 'Nowe-haslo-1',
            'new_password_again': 'Nowe-haslo-1',
            'csrf_token': csrf_token(client, PAGE)})


def test_wrong_current_passwords_are_throttled(app, client, monkeypatch):
    """After too many wrong current passwords even the right one is
    refused for a while, and the password stays as it was"""
    from trytond import config
    getint = config.getint
    run(app, _account)
    assert login(client, EMAIL, DEMO_PASSWORD).status_code == 302
    client.set_cookie('lang', 'en')
    # web_user refuses once the count passes max_attempt (5 by default,
    # each failure waiting twice as long as the one before)
    monkeypatch.setattr(config, 'getint', lambda section, option, **kw:
        1 if (section, option) == ('session', 'max_attempt')
        else getint(section, option, **kw))
    for attempt in range(2):
        response = _change(client, 'wrong')
        assert response.status_code == 400
        assert "Your current password is not correct." in text(response)
    refused = _change(client, DEMO_PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed attempts" in text(refused)
    assert run(app, _password_is, DEMO_PASSWORD, commit=False)


def _password_is(password):
    from trytond.pool import Pool
    WebUser = Pool().get('web.user')
    user, = WebUser.search([('email', '=', EMAIL)])
    return WebUser.check_password(password, user.password_hash)[0]
