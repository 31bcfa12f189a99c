# This file is part of the B2B wholesale suite.
"""The customer portal: a Flask application on the Tryton database.

create_app() reads its settings from the environment:

TRYTON_DATABASE   the database (default b2b_demo)
TRYTON_CONFIG     trytond's configuration file (default the repository's
                  trytond.conf, TRYTOND_<SECTION>__<OPTION> variables on
                  top, as the b2b command reads it)
TRYTON_USER       the id of the res.user the portal runs as (default: the
                  user `portal`, created at the first start with the
                  company of `admin` and no access group)
SECRET_KEY        signs Flask's session (CSRF tokens); random per process
                  unless set: set it when several processes serve
PORTAL_HTTPS=1    behind HTTPS: the cookies are Secure
PORTAL_URL        the public address, for the links sent by e-mail
                  (default http://127.0.0.1:5000)
"""
import logging
import os
import secrets

from flask import Flask, g, render_template, request
from flask_tryton import Tryton
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, InternalServerError

from . import i18n, inputs, scope

__all__ = ['create_app']

logger = logging.getLogger(__name__)
PORTAL_LOGIN = 'portal'


def _settings():
    "Return the settings read from the environment"
    from b2b_suite.config import config_file
    return {
        'TRYTON_DATABASE': os.environ.get('TRYTON_DATABASE', 'b2b_demo'),
        'TRYTON_CONFIG': os.environ.get(
            'TRYTON_CONFIG', str(config_file())),
        'TRYTON_USER': int(os.environ['TRYTON_USER'])
        if os.environ.get('TRYTON_USER') else None,
        'SECRET_KEY': os.environ.get('SECRET_KEY') or secrets.token_hex(32),
        'SESSION_COOKIE_HTTPONLY': True,
        'SESSION_COOKIE_SAMESITE': 'Lax',
        'SESSION_COOKIE_SECURE': os.environ.get('PORTAL_HTTPS') == '1',
        'SESSION_COOKIE_NAME': 'b2b_portal',
        # a form stays valid as long as the browser session
        'WTF_CSRF_TIME_LIMIT': None,
        'PORTAL_URL': os.environ.get(
            'PORTAL_URL', 'http://127.0.0.1:5000').rstrip('/'),
        'PORTAL_PAGE_SIZE': 48,
        # the largest body: a JSON document of the API; forms are bounded
        # lower by inputs.guard and each form value by the form memory
        'MAX_CONTENT_LENGTH': inputs.MAX_JSON_BYTES,
        'MAX_FORM_MEMORY_SIZE': 500_000,
        }


def _configure_trytond(app):
    """Load trytond's configuration the way the b2b command does (the file,
    its relative paths resolved, the TRYTOND_* environment on top); an
    empty TRYTON_CONFIG keeps trytond's configuration as it is"""
    from b2b_suite import config
    from trytond import config as trytond_config
    path = app.config['TRYTON_CONFIG']
    if path:
        parser = config.load(path)
        for section in parser.sections():
            if not trytond_config.has_section(section):
                trytond_config.add_section(section)
            for option, value in parser.items(section):
                trytond_config.set(section, option, value)
    # flask_tryton would read the file again, over the environment
    app.config['TRYTON_CONFIG'] = None
    if not trytond_config.get('web', 'reset_password_url'):
        trytond_config.set('web', 'reset_password_url',
            app.config['PORTAL_URL'] + '/password/new')
    if not trytond_config.get('web', 'email_validation_url'):
        trytond_config.set('web', 'email_validation_url',
            app.config['PORTAL_URL'] + '/email/validate')


def portal_user_id(tryton):
    """Return the id of the res.user `portal`, created when missing with
    the company of `admin` and no access group"""
    from trytond.transaction import Transaction
    User = tryton.pool.get('res.user')
    database = tryton.pool.database_name
    for attempt in range(2):
        with Transaction().start(database, 0) as transaction:
            with Transaction().set_context(active_test=False):
                users = User.search([('login', '=', PORTAL_LOGIN)])
                admins = User.search([('login', '=', 'admin')], limit=1)
            company = admins[0].company if admins else None
            if users:
                user, = users
                if company and not user.company:
                    User.write([user], {
                            'companies': [('add', [company.id])],
                            'company': company.id,
                            })
                    transaction.commit()
                return user.id
            if company is None:
                logger.warning("the admin user has no company: prices "
                    "of the portal need the user %r with a company",
                    PORTAL_LOGIN)
            try:
                user, = User.create([{
                            'name': "Portal",
                            'login': PORTAL_LOGIN,
                            'groups': [],
                            'companies': (
                                [('add', [company.id])] if company else []),
                            'company': company.id if company else None,
                            }])
                transaction.commit()
                return user.id
            except Exception:
                # another process created it at the same time
                transaction.rollback()
                if attempt:
                    raise


def _portal_context(tryton, user_id):
    "Return the Tryton context of the portal user (company, currency…)"
    from trytond.transaction import Transaction
    User = tryton.pool.get('res.user')
    with Transaction().start(
            tryton.pool.database_name, user_id, readonly=True):
        return User.get_preferences(context_only=True)


def _company_currency(tryton, context):
    """Return the ISO code of the currency of the portal's company (the
    shop's prices and invoices are in it), None without a company"""
    from trytond.transaction import Transaction
    if not context.get('company'):
        return None
    Company = tryton.pool.get('company.company')
    with Transaction().start(tryton.pool.database_name, 0,
            context=context, readonly=True):
        return Company(context['company']).currency.code


def create_app(config=None):
    """Return the portal application; config overrides the settings (see
    the module's docstring), e.g. TRYTON_DATABASE, TESTING"""
    app = Flask(__name__)
    app.config.update(_settings())
    app.config.update(config or {})
    _configure_trytond(app)

    tryton = Tryton(app)
    if not app.config['TRYTON_USER']:
        app.config['TRYTON_USER'] = portal_user_id(tryton)
    # computed once: the portal user's preferences change with a restart
    app.config['PORTAL_TRYTON_CONTEXT'] = _portal_context(
        tryton, app.config['TRYTON_USER'])
    app.config['PORTAL_CURRENCY'] = _company_currency(
        tryton, app.config['PORTAL_TRYTON_CONTEXT'])

    # ids of the URLs inside PostgreSQL's integer (before the routes)
    app.url_map.converters['int'] = inputs.BoundedIntConverter
    # refuses control characters before any view (and the CSRF check)
    app.before_request(inputs.guard)
    csrf = CSRFProtect(app)
    i18n.init_app(app)

    from . import account, api, auth, cart, rep, shop
    app.register_blueprint(auth.blueprint)
    app.register_blueprint(shop.blueprint)
    app.register_blueprint(cart.blueprint)
    app.register_blueprint(account.blueprint)
    app.register_blueprint(rep.blueprint)
    # the ERP authenticates with an API key, not a browser session
    csrf.exempt(api.blueprint)
    app.register_blueprint(api.blueprint)

    @app.context_processor
    def layout_context():
        return {
            'account_info': g.get('account_info'),
            'rep_info': g.get('rep_info'),
            'has_session': scope.SESSION_COOKIE in request.cookies,
            'registration_open': g.get('registration_open'),
            }

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if inputs.is_api():
            return inputs.error_response(400, error.description)
        return render_template('error.html', code=400,
            kind='csrf'), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code is None or error.code < 400:
            return error
        if isinstance(error, InternalServerError):
            # a defect: logged by Flask; the API still answers JSON
            return inputs.error_response(500)
        # werkzeug's own descriptions are English: the page has its text
        return inputs.error_response(error.code)

    return app
