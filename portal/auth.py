# This file is part of the B2B wholesale suite.
"""Log in and out, password reset, registration and the page of accounts
whose company waits for verification (web_user, b2b_base)"""
from flask import (
    Blueprint,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from stdnum.eu import vat as eu_vat

from trytond.exceptions import RateLimitException, UserError
from trytond.transaction import Transaction

from . import i18n, inputs, scope
from .scope import pool, transaction

blueprint = Blueprint('auth', __name__)

# the fields of b2b.registration.register, as the form names them
REGISTRATION_FIELDS = [
    'company_name', 'tax_number', 'street', 'postal_code', 'city',
    'country', 'contact_name', 'email', 'phone', 'password']
# the countries of the EU VAT numbers (python-stdnum; XI is Northern
# Ireland's VAT prefix, not a country)
EU_COUNTRIES = sorted(
    code.upper() for code in eu_vat.MEMBER_STATES if code != 'xi')
# the checkboxes of the consents the registration records
CONSENTS = ['accept_terms', 'accept_privacy']


def safe_next(default):
    "Return the `next` parameter if it is a path of this site, else default"
    return inputs.safe_next(request.values.get('next'), default)


def _page(template, status=200, **values):
    return make_response(render_template(template, **values), status)


@blueprint.route('/login', methods=['GET'])
@transaction()
def login_form():
    scope.current_account()
    scope.configuration()
    return _page('auth/login.html', next=safe_next(''))


@blueprint.route('/login', methods=['POST'])
@inputs.view_checked_fields('email', 'password')
@transaction()
def login():
    """Log in; a refusal is returned, not raised, so that the failed
    attempt is committed and the throttling of web_user counts it"""
    WebUser = pool().get('web.user')
    scope.configuration()
    values, error = inputs.form_texts(['email'], 254)
    email = values['email']
    password = request.form.get('password', '')
    next_ = safe_next('')
    if error is None and inputs.has_control(password, multiline=False):
        error = inputs.control_message()
    if error is None and len(password) > 1000:
        error = _("A field is too long (at most %(max)s characters).",
            max=1000)
    if error:
        return _page('auth/login.html', 400, email=email, next=next_,
            error=error)
    if not email or not password:
        return _page('auth/login.html', 400, email=email, next=next_,
            error=_("Enter your e-mail address and your password."))
    try:
        account = WebUser.authenticate(email, password)
    except RateLimitException:
        return _page('auth/login.html', 429, email=email, next=next_,
            error=_("Too many failed attempts. Wait a few minutes and try "
                "again, or reset your password."))
    if account is None:
        return _page('auth/login.html', 401, email=email, next=next_,
            error=_("Wrong e-mail address or password."))
    if account.b2b_may('view'):
        target = next_ or url_for('shop.catalog')
    else:
        target = url_for('auth.pending')
    # a new CSRF token for the new identity
    session.clear()
    return scope.set_session_cookie(redirect(target), account.new_session())


@blueprint.route('/logout', methods=['POST'])
@transaction()
def logout():
    Session = pool().get('web.user.session')
    key = request.cookies.get(scope.SESSION_COOKIE)
    if key:
        Session.remove(key)
    session.clear()
    return scope.clear_session_cookie(redirect(url_for('shop.catalog')))


@blueprint.route('/pending')
@transaction()
def pending():
    "The page of an account whose company is not (or no longer) active"
    account = scope.current_account()
    if account is None:
        abort(401)
    if account.b2b_may('view'):
        return redirect(url_for('shop.catalog'))
    party = account.party
    return _page('auth/pending.html',
        company_status=party.b2b_status if party else None,
        company=party.rec_name if party else '')


@blueprint.route('/password/reset', methods=['GET', 'POST'])
@inputs.view_checked_fields('email')
@transaction()
def reset_request():
    """Send a link to set a new password; the answer is the same whether
    the address is known or not"""
    scope.current_account()
    if request.method == 'GET':
        return _page('auth/reset_request.html')
    WebUser = pool().get('web.user')
    values, error = inputs.form_texts(['email'], 254)
    if error:
        return _page('auth/reset_request.html', 400, error=error)
    email = values['email'].lower()
    if not email:
        return _page('auth/reset_request.html', 400,
            error=_("Enter your e-mail address."))
    accounts = WebUser.search([('email', '=', email)])
    if accounts:
        # the e-mail is sent when the transaction commits
        WebUser.reset_password(accounts)
    return _page('auth/reset_request.html', sent=True, email=email)


@blueprint.route('/password/new', methods=['GET', 'POST'])
@transaction()
def reset_set():
    "Set a new password with the token of the e-mailed link"
    scope.current_account()
    email = request.values.get('email', '')
    token = request.values.get('token', '')
    if not email or not token:
        abort(404)
    values = {'email': email, 'token': token}
    if request.method == 'GET':
        return _page('auth/reset_set.html', **values)
    WebUser = pool().get('web.user')
    User = pool().get('res.user')
    password = request.form.get('password', '')
    if password != request.form.get('password_again', ''):
        return _page('auth/reset_set.html', 400, **values,
            error=_("The two passwords differ."))
    try:
        # checked first so that a refused password keeps the link valid;
        # the rules of [password], and not the account's e-mail
        User.validate_password(password,
            WebUser.search([('email', '=', email.strip().lower())], limit=1))
    except UserError as exception:
        return _page('auth/reset_set.html', 400, **values,
            error=exception.message)
    if not WebUser.set_password_token(email, token, password):
        return _page('auth/reset_set.html', 400, **values, expired=True,
            error=_("This link is not valid any more. Ask for a new one."))
    return _page('auth/reset_done.html')


def _countries():
    """The countries of the registration form, in the page's language: the
    member states of the EU, whose VAT numbers the registration takes"""
    Country = pool().get('country.country')
    return i18n.countries(Country.search([('code', 'in', EU_COUNTRIES)]))


@blueprint.route('/register', methods=['GET', 'POST'])
@inputs.view_checked_fields(*REGISTRATION_FIELDS, 'password_again')
@transaction()
def register():
    """The registration form of b2b_base: a pending company and its
    administrator account; a refusal creates nothing"""
    scope.current_account()
    if not scope.configuration().self_registration:
        abort(404)
    values, error = inputs.form_texts(REGISTRATION_FIELDS[:-1], 200)
    values['password'] = request.form.get('password', '')
    for consent in CONSENTS:
        values[consent] = bool(request.form.get(consent))
    if error is None and (inputs.has_control(values['password'], False)
            or inputs.has_control(request.form.get('password_again', ''),
                False)):
        error = inputs.control_message()
    if error is None and len(values['password']) > 1000:
        error = _("A field is too long (at most %(max)s characters).",
            max=1000)
    if not values['country']:
        values['country'] = scope.default_country_code()
    if request.method == 'GET':
        return _page('auth/register.html', values=values,
            countries=_countries())
    if error:
        values['password'] = ''
        return _page('auth/register.html', 400, values=values,
            countries=_countries(), error=error)
    Registration = pool().get('b2b.registration')
    if values['password'] != request.form.get('password_again', ''):
        return _page('auth/register.html', 400, values=values,
            countries=_countries(),
            error=_("The two passwords differ."))
    try:
        registration = Registration.register(
            dict(values, language=i18n.language()))
    except UserError as exception:
        # nothing of the refused registration may stay
        Transaction().rollback()
        return _page('auth/register.html', 400, values=values,
            countries=_countries(), error=exception.message)
    session.clear()
    return scope.set_session_cookie(redirect(url_for('auth.pending')),
        registration.web_user.new_session())


@blueprint.route('/lang/<code>')
def set_language(code):
    "The language switcher: remember the choice in a cookie"
    if code not in i18n.LANGUAGES:
        abort(404)
    response = redirect(safe_next(url_for('shop.catalog')))
    response.set_cookie(i18n.COOKIE, code, max_age=365 * 24 * 60 * 60,
        samesite='Lax', httponly=True)
    return response
