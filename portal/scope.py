# This file is part of the B2B wholesale suite.
"""The one place that scopes what a request may touch.

flask_tryton runs every view as the portal's res.user and enforces no
access rule, so each view gets the logged-in account from here, asks here
for the right to do an action, and loads every record whose id comes from
a URL or a form through owned(), which answers 404 for a record of another
company. The decisions themselves are web.user.b2b_may (module b2b_base)
and b2b.configuration.visitor_may_see."""
from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, g, redirect, request, url_for
from flask_tryton import tryton_transaction

from trytond.transaction import Transaction

from . import i18n, inputs

SESSION_COOKIE = 'b2b_session'
# the keys of web_user's sessions are 43 characters (token_urlsafe)
MAX_SESSION_KEY = 100


def pool():
    return current_app.extensions['Tryton'].pool


def transaction(readonly=None):
    """Run the view in a Tryton transaction of the portal user, in the
    language of the request (read-only for GET, read-write for POST)

    Like flask_tryton's: the transaction commits when the view returns
    (also a 4xx response) and rolls back when it raises (abort too)."""
    def decorator(func):
        @wraps(func)
        def in_context(*args, **kwargs):
            context = dict(current_app.config['PORTAL_TRYTON_CONTEXT'])
            context['language'] = i18n.language()
            with Transaction().set_context(context):
                return func(*args, **kwargs)
        return tryton_transaction(readonly=readonly)(in_context)
    return decorator


@dataclass
class AccountInfo:
    "What the layout shows of the account, usable after the transaction"
    email: str
    company: str
    role: str
    active: bool
    pending: bool


def current_account():
    """Return the web.user of the session cookie, None when logged out,
    expired or deactivated"""
    if 'account' not in g:
        account = None
        key = request.cookies.get(SESSION_COOKIE)
        # a forged cookie (a NUL, a megabyte) is no session, not an error
        if key and len(key) <= MAX_SESSION_KEY and not inputs.has_control(
                key, multiline=False):
            WebUser = pool().get('web.user')
            account = WebUser.b2b_session_account(key)
        g.account = account
        g.account_info = None
        if account is not None:
            party = account.party
            g.account_info = AccountInfo(
                email=account.email,
                company=party.rec_name if party else '',
                role=account.b2b_role_string or '',
                active=account.b2b_may('view'),
                pending=bool(party and party.b2b_status == 'pending'))
    return g.account


def require_account(action='view'):
    """Return the account allowed to do the action in its company, else
    abort: 401 when logged out, the pending page for a company still
    waiting for verification, 403 otherwise"""
    account = current_account()
    if account is None:
        abort(401)
    if not account.b2b_may(action):
        if g.account_info.pending:
            abort(redirect(url_for('auth.pending')))
        abort(403)
    return account


def owned(model, record_id, action='view'):
    """Return the record of the model with this id if it belongs to the
    account's company and the account may do the action on it; 404 for a
    missing record or one of another company"""
    account = require_account(action)
    Model = pool().get(model)
    # an id from a form: digits inside PostgreSQL's integer, else 404
    record_id = inputs.record_id(record_id)
    if record_id is None:
        abort(404)
    records = Model.search([('id', '=', record_id)], limit=1)
    if not records or not account.b2b_may(action, records[0]):
        abort(404)
    return records[0]


@dataclass
class ShopRights:
    "What the shop shows to this request, and to whose prices"
    catalog: bool
    prices: bool
    stock: bool
    party: object = None
    order: bool = False


def configuration():
    "Return the B2B configuration, noting for the layout what it offers"
    Configuration = pool().get('b2b.configuration')
    config = Configuration(1)
    g.registration_open = bool(config.self_registration)
    return config


def default_country_code():
    "Return the code of the country of new addresses (b2b.configuration)"
    country = pool().get('b2b.configuration')(1).b2b_default_country()
    return country.code if country else ''


def shop_rights():
    """Return what the request may see of the shop: an active company's
    employee sees everything at its company's prices, anyone else what
    the shop visibility setting gives visitors (at list prices)"""
    account = current_account()
    if account is not None and account.b2b_may('view'):
        return ShopRights(True, True, True, account.party,
            account.b2b_may('order'))
    config = configuration()
    # stock levels go with the prices ("prices and stock after login")
    prices = config.visitor_may_see('prices')
    return ShopRights(config.visitor_may_see('catalog'), prices, prices)


def set_session_cookie(response, key):
    from trytond import config
    response.set_cookie(SESSION_COOKIE, key,
        max_age=config.getint('session', 'web_timeout',
            default=30 * 24 * 60 * 60),
        httponly=True, samesite='Lax',
        secure=current_app.config['SESSION_COOKIE_SECURE'])
    return response


def clear_session_cookie(response):
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite='Lax',
        secure=current_app.config['SESSION_COOKIE_SECURE'])
    return response
