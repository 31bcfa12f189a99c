# This file is part of the B2B wholesale suite.
"""The account area: the company's orders (detail, order again), its
invoices (PDF, payment status), its address book, its employee accounts
and the account's own profile and password.

Each page loads the records of the company through the b2b_* methods of
b2b_base and every id of a URL through scope.owned(); the rules (who may
edit, re-order, invite) are the module's."""
import re

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from trytond.exceptions import RateLimitException, UserError
from trytond.i18n import gettext as tryton_gettext
from trytond.transaction import Transaction

from . import i18n, inputs, scope
from .printouts import pdf_response, render_pdf
from .scope import pool, transaction

blueprint = Blueprint('account', __name__, url_prefix='/account')



def payment_statuses():
    """The names of the payment statuses of b2b_base (its selection), in
    the page's language"""
    return pool().get('account.invoice').b2b_payment_status_names()


def roles():
    """The names of the roles of the accounts (the selection of web.user),
    in the page's language"""
    return pool().get('web.user').b2b_role_names()


ADDRESS_FIELDS = ['party_name', 'street', 'postal_code', 'city', 'country']


def _page(template, status=200, **values):
    account = scope.current_account()
    values.setdefault('may_manage_accounts',
        account.b2b_may('manage_accounts'))
    values.setdefault('may_manage_addresses',
        account.b2b_may('manage_addresses'))
    return make_response(render_template(template, **values), status)


@blueprint.route('')
def index():
    return redirect(url_for('account.orders'))


@blueprint.route('/orders')
@transaction()
def orders():
    account = scope.require_account('view')
    Sale = pool().get('sale.sale')
    return _page('account/orders.html', orders=Sale.b2b_orders(account))


def _order(sale_id, action='view'):
    "Return the company's order (a cart is not an order: 404)"
    sale = scope.owned('sale.sale', sale_id, action)
    if not sale.b2b_is_order():
        abort(404)
    return sale


@blueprint.route('/orders/<int:sale_id>')
@transaction()
def order(sale_id):
    account = scope.require_account('view')
    sale = _order(sale_id)
    invoices = [i for i in sale.invoices if i.b2b_visible()]
    return _page('account/order.html', sale=sale,
        invoices=invoices, may_order=account.b2b_may('order'))


@blueprint.route('/orders/<int:sale_id>/again', methods=['POST'])
@transaction()
def order_again(sale_id):
    "Put the lines of the order into the account's cart"
    account = scope.require_account('order')
    sale = _order(sale_id, 'order')
    Sale = pool().get('sale.sale')
    try:
        Sale.b2b_reorder(account, sale)
    except UserError as exception:
        Transaction().rollback()
        flash(exception.message, 'error')
        return redirect(url_for('account.order', sale_id=sale_id))
    flash(_("The products of order %(number)s are in your cart.",
            number=sale.number), 'ok')
    return redirect(url_for('cart.show'))


@blueprint.route('/invoices')
@transaction()
def invoices():
    account = scope.require_account('view')
    Invoice = pool().get('account.invoice')
    rows = [(i, i.b2b_due_date(), i.b2b_payment_status())
        for i in Invoice.b2b_invoices(account)]
    return _page('account/invoices.html', rows=rows,
        statuses=payment_statuses())


@blueprint.route('/credit')
@transaction()
def credit():
    "The company's trade credit, balance and payments"
    account = scope.require_account('view')
    Payment = pool().get('b2b.payment')
    party = account.party
    return _page('account/credit.html', credit=party.b2b_credit(),
        refusal=party.b2b_deferred_refusal(0),
        payments=Payment.b2b_payments(account))


@blueprint.route('/invoices/<int:invoice_id>.pdf')
@transaction()
def invoice_pdf(invoice_id):
    invoice = scope.owned('account.invoice', invoice_id)
    if not invoice.b2b_visible():
        abort(404)
    pdf = render_pdf('printouts/invoice.html', invoice=invoice,
        company=invoice.company,
        lines=[l for l in invoice.lines if l.type == 'line'],
        due_date=invoice.b2b_due_date(),
        status=payment_statuses().get(invoice.b2b_payment_status()))
    name = re.sub(r'[^\w.-]+', '-', invoice.number or str(invoice.id))
    return pdf_response(pdf, f'{name}.pdf')


@blueprint.route('/addresses')
@transaction()
def addresses():
    account = scope.require_account('view')
    Address = pool().get('party.address')
    return _page('account/addresses.html',
        addresses=Address.b2b_addresses(account))


def countries():
    "The countries of the form: code and name in the page's language"
    Country = pool().get('country.country')
    return i18n.countries(Country.search([('code', '!=', None)]))


def address_values(record):
    "The values of the address form showing the address (None: a new one)"
    values = {f: getattr(record, f) or '' for f in ADDRESS_FIELDS[:-1]
        } if record else {f: '' for f in ADDRESS_FIELDS[:-1]}
    values['country'] = (record.country.code
        if record and record.country else scope.default_country_code())
    values['invoice'] = record.invoice if record else False
    values['delivery'] = record.delivery if record else True
    return values


def address_input():
    "Return (the values of the posted address form, error message or None)"
    values, error = inputs.form_texts(ADDRESS_FIELDS, 500)
    values['invoice'] = bool(request.form.get('invoice'))
    values['delivery'] = bool(request.form.get('delivery'))
    return values, error


@blueprint.route('/addresses/new', methods=['GET', 'POST'])
@blueprint.route('/addresses/<int:address_id>', methods=['GET', 'POST'])
@inputs.view_checked_fields(*ADDRESS_FIELDS)
@transaction()
def address(address_id=None):
    "Add or edit an address of the company (its administrator only)"
    account = scope.require_account('manage_addresses')
    record = None
    if address_id is not None:
        record = scope.owned('party.address', address_id, 'manage_addresses')
    if request.method == 'GET':
        return _page('account/address.html', address=record,
            values=address_values(record), countries=countries())
    values, error = address_input()
    if error:
        return _page('account/address.html', 400, address=record,
            values=values, countries=countries(), error=error)
    Address = pool().get('party.address')
    try:
        Address.b2b_save_address(account, record, values)
    except UserError as exception:
        Transaction().rollback()
        return _page('account/address.html', 400, address=record,
            values=values, countries=countries(), error=exception.message)
    flash(_("The address has been saved."), 'ok')
    return redirect(url_for('account.addresses'))


@blueprint.route('/users')
@transaction()
def users():
    "The company's employee accounts (its administrator only)"
    account = scope.require_account('manage_accounts')
    WebUser = pool().get('web.user')
    return _page('account/users.html', users=WebUser.b2b_accounts(account),
        me=account, roles=roles(), values={'role': 'buyer'})


@blueprint.route('/users/invite', methods=['POST'])
@transaction()
def invite():
    account = scope.require_account('manage_accounts')
    WebUser = pool().get('web.user')
    email = request.form.get('email', '')[:200]
    role = request.form.get('role', '')
    try:
        WebUser.b2b_invite(account, email, role)
    except UserError as exception:
        Transaction().rollback()
        return _page('account/users.html', 400,
            users=WebUser.b2b_accounts(account), me=account, roles=roles(),
            values={'email': email, 'role': role}, error=exception.message)
    # the e-mail with the link leaves after the transaction commits (and
    # the outbox tries again while the mail server refuses it): on its way,
    # not sent yet
    flash(_("The invitation to %(email)s is on its way.",
            email=email.strip().lower()), 'ok')
    return redirect(url_for('account.users'))


@blueprint.route('/users/<int:user_id>/role', methods=['POST'])
@transaction()
def set_role(user_id):
    account = scope.require_account('manage_accounts')
    user = scope.owned('web.user', user_id, 'manage_accounts')
    WebUser = pool().get('web.user')
    try:
        WebUser.b2b_set_role(account, user, request.form.get('role', ''))
    except UserError as exception:
        Transaction().rollback()
        flash(exception.message, 'error')
        return redirect(url_for('account.users'))
    flash(_("The role of %(email)s has been changed.", email=user.email),
        'ok')
    return redirect(url_for('account.users'))


@blueprint.route('/users/<int:user_id>/deactivate', methods=['POST'])
@transaction()
def deactivate(user_id):
    account = scope.require_account('manage_accounts')
    user = scope.owned('web.user', user_id, 'manage_accounts')
    WebUser = pool().get('web.user')
    WebUser.b2b_deactivate(account, user)
    flash(_("%(email)s has been deactivated and logged out.",
            email=user.email), 'ok')
    return redirect(url_for('account.users'))


@blueprint.route('/profile', methods=['GET', 'POST'])
@transaction()
def profile():
    "The account's own data and password"
    account = scope.require_account('view')
    if request.method == 'GET':
        return _page('account/profile.html', account=account, roles=roles())
    form = request.form
    if form.get('new_password', '') != form.get('new_password_again', ''):
        return _page('account/profile.html', 400, account=account,
            roles=roles(), error=_("The two passwords differ."))
    # the current password is checked as a log in is (web_user): wrong
    # ones are counted and slowed down, then refused for a while; the
    # refusal is returned, not raised, so that the attempt is committed
    WebUser = pool().get('web.user')
    try:
        checked = WebUser.authenticate(account.email,
            form.get('current_password', ''))
    except RateLimitException:
        return _page('account/profile.html', 429, account=account,
            roles=roles(), error=_("Too many failed attempts. Wait a few "
                "minutes and try again, or reset your password."))
    if checked is None or checked.id != account.id:
        return _page('account/profile.html', 400, account=account,
            roles=roles(),
            error=tryton_gettext('b2b_base.msg_password_wrong'))
    try:
        account.b2b_change_password(form.get('current_password', ''),
            form.get('new_password', ''),
            keep_session=request.cookies.get(scope.SESSION_COOKIE))
    except UserError as exception:
        Transaction().rollback()
        return _page('account/profile.html', 400, account=account,
            roles=roles(), error=exception.message)
    flash(_("Your password has been changed."), 'ok')
    return redirect(url_for('account.profile'))
