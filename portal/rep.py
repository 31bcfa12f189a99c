# This file is part of the B2B wholesale suite.
"""The sales reps' area (/rep), for a phone or a tablet at the customer's.

Reps log in with their back-office login and password (res.user of module
b2b_salesrep: Tryton's throttled check and sessions). Every request of the
area then runs as the rep's own Tryton user with access rights and record
rules checked: which companies, addresses, invoices and payments a rep
reaches is decided by the record rules of b2b_salesrep, not here. A record
the rules hide is a 404, as another company's records are to a buyer."""
import re
from decimal import Decimal
from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from trytond.exceptions import RateLimitException, UserError
from trytond.model.exceptions import AccessError
from trytond.transaction import Transaction

from . import inputs, scope
from .account import (
    ADDRESS_FIELDS,
    address_input,
    address_values,
    countries,
    payment_statuses,
)
from .scope import pool

blueprint = Blueprint('rep', __name__, url_prefix='/rep')

REP_COOKIE = 'b2b_rep_session'
MAX_LOGIN = 100
SEARCH_LIMIT = 50
# a unit price as typed: 12, 12,5, 12.50 (at most 4 decimals)
PRICE = re.compile(r'\d{1,10}(?:[.,]\d{1,4})?')


def _typed_decimal(text, pattern):
    """Return the number typed as pattern allows (spaces between thousands,
    a decimal comma or point) as a Decimal, None when empty; ValueError
    when it is no such number"""
    text = text.replace(' ', '').replace('\xa0', '')
    if not text:
        return None
    if not pattern.fullmatch(text):
        raise ValueError(text)
    return Decimal(text.replace(',', '.'))


def _page(template, status=200, **values):
    return make_response(render_template(template, **values), status)


def _cookie_session():
    "Return (user id, key) of the rep cookie, None when absent or malformed"
    value = request.cookies.get(REP_COOKIE) or ''
    user_id, _, key = value.partition(':')
    user_id = inputs.record_id(user_id)
    if (user_id is None or not key or len(key) > scope.MAX_SESSION_KEY
            or inputs.has_control(key, multiline=False)):
        return None
    return user_id, key


def current_rep():
    "Return the rep (res.user) of the request's session, None if there is none"
    if 'rep' not in g:
        g.rep = None
        session = _cookie_session()
        if session is not None:
            User = pool().get('res.user')
            g.rep = User.b2b_rep_session(*session,
                refresh=not Transaction().readonly)
        # res.user's rec_name from what the session check read (rec_name
        # itself would read every field of the user)
        g.rep_info = (g.rep.name or g.rep.login) if g.rep else None
    return g.rep


def rep_view(readonly=None):
    """Run the view in a transaction as the logged-in rep's own Tryton user,
    with access rights and record rules checked; to the login page without
    a valid rep session; a record the rules refuse is a 404"""
    def decorator(func):
        @wraps(func)
        @scope.transaction(readonly)
        def as_rep(*args, **kwargs):
            rep = current_rep()
            if rep is None:
                return redirect(url_for('rep.login_form',
                        next=request.full_path if request.method == 'GET'
                        else None))
            transaction = Transaction()
            with transaction.set_user(rep.id), \
                    transaction.set_context(rep.b2b_rep_context()):
                try:
                    return func(*args, **kwargs)
                except AccessError:
                    abort(404)
        # for the test that every id route of the area is scoped
        as_rep.runs_as_rep = True
        return as_rep
    return decorator


def _served(model, record_id):
    """Return the record of model with this id if the rep's rules let them
    read it, else 404"""
    record_id = inputs.record_id(record_id)
    if record_id is None:
        abort(404)
    records = pool().get(model).search([('id', '=', record_id)], limit=1)
    if not records:
        abort(404)
    return records[0]


@blueprint.route('/login', methods=['GET'])
@scope.transaction()
def login_form():
    if current_rep() is not None:
        return redirect(url_for('rep.customers'))
    return _page('rep/login.html', next=inputs.safe_next(
            request.args.get('next'), ''))


@blueprint.route('/login', methods=['POST'])
@inputs.view_checked_fields('login', 'password')
@scope.transaction()
def login():
    """Log in; a refusal is returned, not raised, so that the failed
    attempt is committed and Tryton's throttling counts it"""
    User = pool().get('res.user')
    values, error = inputs.form_texts(['login'], MAX_LOGIN)
    login = values['login']
    password = request.form.get('password', '')
    next_ = inputs.safe_next(request.form.get('next'), '')
    if error is None and (inputs.has_control(password, multiline=False)
            or len(password) > 1000):
        error = _("Wrong login or password.")
    if error is None and not (login and password):
        error = _("Enter your login and your password.")
    if error:
        return _page('rep/login.html', 400, login=login, next=next_,
            error=error)
    try:
        result = User.b2b_rep_login(login, password)
    except RateLimitException:
        return _page('rep/login.html', 429, login=login, next=next_,
            error=_("Too many failed attempts. Wait a few minutes and try "
                "again."))
    if result is None:
        return _page('rep/login.html', 401, login=login, next=next_,
            error=_("Wrong login or password."))
    user, key = result
    response = redirect(next_ if next_.startswith('/rep')
        else url_for('rep.customers'))
    response.set_cookie(REP_COOKIE, f'{user.id}:{key}', httponly=True,
        samesite='Lax', secure=current_app.config[
            'SESSION_COOKIE_SECURE'])
    return response


@blueprint.route('/logout', methods=['POST'])
@scope.transaction()
def logout():
    session = _cookie_session()
    if session is not None:
        pool().get('res.user').b2b_rep_logout(*session)
    response = redirect(url_for('rep.login_form'))
    response.delete_cookie(REP_COOKIE, httponly=True, samesite='Lax',
        secure=current_app.config['SESSION_COOKIE_SECURE'])
    return response


def _search_text():
    "Return (the search text of the query, None) or ('', why it is refused)"
    try:
        return inputs.text(request.args.get('q', ''), 100), None
    except inputs.InputError as exception:
        return '', str(exception)


@blueprint.route('/')
@rep_view()
def customers():
    "The companies the rep serves, searched by name, NIP, city or e-mail"
    Party = pool().get('party.party')
    query, error = _search_text()
    if error:
        return _page('rep/customers.html', 400, query='', parties=[],
            error=error)
    parties = Party.b2b_rep_search(query, limit=SEARCH_LIMIT + 1)
    return _page('rep/customers.html', query=query,
        parties=parties[:SEARCH_LIMIT], more=len(parties) > SEARCH_LIMIT)


def _customer_page(party, status=200, **values):
    Invoice = pool().get('account.invoice')
    Payment = pool().get('b2b.payment')
    Sale = pool().get('sale.sale')
    invoices = Invoice.b2b_company_invoices(party, limit=20)
    payments = Payment.b2b_company_payments(party, limit=20)
    values.setdefault('orders', Sale.b2b_rep_orders(party))
    values.setdefault('values', {
            'name': party.name,
            'phone': party.b2b_contact('phone'),
            'email': party.b2b_contact('email'),
            'note': '',
            })
    return _page('rep/customer.html', status, party=party,
        credit=party.b2b_credit(),
        invoices=[(i, i.b2b_due_date(), i.b2b_payment_status())
            for i in invoices],
        payments=payments, statuses=payment_statuses(), **values)


@blueprint.route('/customers/<int:party_id>')
@rep_view()
def customer(party_id):
    party = _served('party.party', party_id)
    if not party.b2b_customer:
        abort(404)
    return _customer_page(party)


@blueprint.route('/customers/<int:party_id>', methods=['POST'])
@inputs.view_checked_fields('name', 'phone', 'email', 'note')
@rep_view()
def customer_update(party_id):
    "Change the company's basic data (name, phone, e-mail) or add a note"
    party = _served('party.party', party_id)
    if not party.b2b_customer:
        abort(404)
    values, error = inputs.form_texts(['name', 'phone', 'email'], 200)
    note, note_error = inputs.form_texts(['note'], 2000, multiline=['note'])
    values.update(note)
    error = error or note_error
    if not error and not values['name']:
        error = _("Enter the company's name.")
    if error:
        return _customer_page(party, 400, values=values, error=error)
    try:
        party.b2b_rep_update(values['name'], values['phone'],
            values['email'], values['note'])
    except UserError as exception:
        Transaction().rollback()
        return _customer_page(_served('party.party', party_id), 400,
            values=values, error=exception.message)
    flash(_("The company's data has been saved."), 'ok')
    return redirect(url_for('rep.customer', party_id=party_id))


@blueprint.route('/customers/<int:party_id>/addresses/new',
    methods=['GET', 'POST'])
@blueprint.route('/customers/<int:party_id>/addresses/<int:address_id>',
    methods=['GET', 'POST'])
@inputs.view_checked_fields(*ADDRESS_FIELDS)
@rep_view()
def address(party_id, address_id=None):
    "Add or edit an address of a served company"
    Address = pool().get('party.address')
    party = _served('party.party', party_id)
    record = None
    if address_id is not None:
        record = _served('party.address', address_id)
        if record.party != party:
            abort(404)
    if request.method == 'GET':
        return _page('rep/address.html', party=party, address=record,
            values=address_values(record), countries=countries())
    values, error = address_input()
    if error:
        return _page('rep/address.html', 400, party=party, address=record,
            values=values, countries=countries(), error=error)
    try:
        Address.b2b_write_address(party, record, values)
    except UserError as exception:
        Transaction().rollback()
        return _page('rep/address.html', 400, party=party, address=record,
            values=values, countries=countries(), error=exception.message)
    flash(_("The address has been saved."), 'ok')
    return redirect(url_for('rep.customer', party_id=party.id))


@blueprint.route('/carts')
@rep_view()
def carts():
    "The current carts of the served companies, searched and sorted"
    Sale = pool().get('sale.sale')
    query, error = _search_text()
    if error:
        return _page('rep/carts.html', 400, query='', carts=[],
            order='changed', error=error)
    order = 'value' if request.args.get('order') == 'value' else 'changed'
    return _page('rep/carts.html', query=query, order=order,
        carts=Sale.b2b_rep_carts(query, order=order, limit=SEARCH_LIMIT))


@blueprint.route('/accounts/<int:account_id>/cart', methods=['POST'])
@rep_view()
def take_over(account_id):
    """Take over the account's cart (a new one when it has none): the rep
    works in the customer's own cart"""
    Sale = pool().get('sale.sale')
    account = _served('web.user', account_id)
    try:
        cart = Sale.b2b_rep_take_over(account)
    except UserError as exception:
        Transaction().rollback()
        flash(exception.message, 'error')
        return redirect(url_for('rep.customer', party_id=account.party.id)
            if account.party else url_for('rep.customers'))
    return redirect(url_for('rep.cart', sale_id=cart.id))


def _cart(sale_id):
    """Return the account and its cart of this id, 404 unless the rep may
    reach it and it is still a cart (a draft not ordered)"""
    cart = _served('sale.sale', sale_id)
    account = cart.b2b_web_user
    if account is None or not cart.b2b_is_cart_of(account):
        abort(404)
    return account, cart


def _cart_line(sale_id, line_id):
    account, cart = _cart(sale_id)
    line = _served('sale.line', line_id)
    if line.sale != cart or line.type != 'line':
        abort(404)
    return account, cart, line


@blueprint.route('/carts/<int:sale_id>')
@rep_view()
def cart(sale_id):
    account, cart = _cart(sale_id)
    return _cart_page(account, cart)


def _cart_page(account, cart, status=200, quick=None, quick_text=''):
    Sale = pool().get('sale.sale')
    options = Sale.b2b_checkout_options(account)
    lines = [l for l in cart.lines if l.type == 'line']
    own_prices = {l.id: (l.b2b_customer_price
            if l.b2b_manual_price is not None else l.unit_price)
        for l in lines}
    limit = current_rep().employee.b2b_discount_limit()
    return _page('rep/cart.html', status, account=account, cart=cart,
        lines=lines, own_prices=own_prices, options=options, limit=limit,
        quick=quick, quick_text=quick_text)


def _refused(exception, sale_id):
    Transaction().rollback()
    flash(exception.message, 'error')
    return redirect(url_for('rep.cart', sale_id=sale_id))


@blueprint.route('/carts/<int:sale_id>/add', methods=['POST'])
@inputs.view_checked_fields('lines')
@rep_view()
def cart_add(sale_id):
    "Add the typed 'code quantity' lines to the cart (as quick order does)"
    Sale = pool().get('sale.sale')
    account, cart = _cart(sale_id)
    values, error = inputs.form_texts(['lines'], 5000, multiline=['lines'])
    if error:
        flash(error, 'error')
        return redirect(url_for('rep.cart', sale_id=sale_id))
    results = Sale.b2b_quick_order(account, values['lines'])
    if any(error for _, _, error in results):
        Transaction().rollback()
        return _cart_page(account, _served('sale.sale', sale_id), 400,
            quick=results, quick_text=values['lines'])
    return redirect(url_for('rep.cart', sale_id=sale_id))


@blueprint.route('/carts/<int:sale_id>/lines/<int:line_id>',
    methods=['POST'])
@rep_view()
def cart_quantity(sale_id, line_id):
    "Set a line's quantity (0 removes it)"
    Sale = pool().get('sale.sale')
    Product = pool().get('product.product')
    account, cart, line = _cart_line(sale_id, line_id)
    try:
        quantity = Product.b2b_parse_quantity(request.form.get('quantity'))
        Sale.b2b_cart_set_quantity(account, line, quantity)
    except UserError as exception:
        return _refused(exception, sale_id)
    return redirect(url_for('rep.cart', sale_id=sale_id))


@blueprint.route('/carts/<int:sale_id>/lines/<int:line_id>/price',
    methods=['POST'])
@inputs.view_checked_fields('price', 'reason')
@rep_view()
def cart_price(sale_id, line_id):
    """Set the line's price with a reason, within the rep's limit; an empty
    price gives the customer's own back"""
    account, cart, line = _cart_line(sale_id, line_id)
    values, error = inputs.form_texts(['price', 'reason'], 200)
    if error:
        flash(error, 'error')
        return redirect(url_for('rep.cart', sale_id=sale_id))
    try:
        price = _typed_decimal(values['price'], PRICE)
    except ValueError:
        flash(_("Enter the price as a number, e.g. 12,50."), 'error')
        return redirect(url_for('rep.cart', sale_id=sale_id))
    try:
        line.b2b_rep_set_price(price, values['reason'])
    except UserError as exception:
        return _refused(exception, sale_id)
    flash(_("The price has been set."), 'ok')
    return redirect(url_for('rep.cart', sale_id=sale_id))


@blueprint.route('/carts/<int:sale_id>/hand-back', methods=['POST'])
@rep_view()
def hand_back(sale_id):
    Sale = pool().get('sale.sale')
    account, cart = _cart(sale_id)
    Sale.b2b_rep_hand_back(cart)
    flash(_("The cart is the customer's again."), 'ok')
    return redirect(url_for('rep.customer', party_id=account.party.id))


@blueprint.route('/carts/<int:sale_id>/place', methods=['POST'])
@rep_view()
def place(sale_id):
    "Place the cart as the account's order, stamped with the rep"
    pool_ = pool()
    Sale = pool_.get('sale.sale')
    account, cart = _cart(sale_id)
    choices = {}
    for name, model in [('shipment_address', 'party.address'),
            ('carrier', 'carrier'),
            ('payment_method', 'b2b.payment.method')]:
        record_id = inputs.record_id(request.form.get(name))
        choices[name] = pool_.get(model)(record_id) if record_id else None
    try:
        order = Sale.b2b_rep_place_order(account, cart, **choices)
    except UserError as exception:
        return _refused(exception, sale_id)
    flash(_("Order %(number)s has been placed for %(company)s.",
            number=order.number or order.id,
            company=order.party.rec_name), 'ok')
    return redirect(url_for('rep.customer', party_id=order.party.id))


@blueprint.route('/orders')
@rep_view()
def orders():
    "The latest orders of the served companies, searched"
    Sale = pool().get('sale.sale')
    query, error = _search_text()
    if error:
        return _page('rep/orders.html', 400, query='', orders=[],
            error=error)
    return _page('rep/orders.html', query=query,
        orders=Sale.b2b_rep_orders(text=query, limit=SEARCH_LIMIT))


def _order(sale_id):
    "Return the order of this id the rep may reach (a cart is no order)"
    sale = _served('sale.sale', sale_id)
    if sale.state == 'draft' and not sale.b2b_ordered_at:
        abort(404)
    return sale


def _order_page(sale, status=200, error=None):
    lines = [l for l in sale.lines
        if l.type == 'line' and l.shipment_cost is None]
    return _page('rep/order.html', status, sale=sale, lines=lines,
        addresses=[a for a in sale.party.addresses if a.active],
        editable=sale.b2b_rep_may_edit(), error=error)


@blueprint.route('/orders/<int:sale_id>')
@rep_view()
def order(sale_id):
    return _order_page(_order(sale_id))


@blueprint.route('/orders/<int:sale_id>', methods=['POST'])
@rep_view()
def order_edit(sale_id):
    """Change the order's quantities, delivery address or state, in the
    states the configuration lets reps edit"""
    Sale = pool().get('sale.sale')
    Product = pool().get('product.product')
    sale = _order(sale_id)
    try:
        quantities = {}
        for line in sale.lines:
            if line.type != 'line' or line.shipment_cost is not None:
                continue
            text_ = request.form.get(f'quantity-{line.id}')
            if text_ is None:
                continue
            quantity = Product.b2b_parse_quantity(text_)
            if quantity != Decimal(str(line.quantity)):
                quantities[line] = quantity
        address_id = inputs.record_id(request.form.get('shipment_address'))
        address = _served('party.address', address_id) if address_id else None
        state = request.form.get('state') or None
        if state not in {None, 'draft', 'quotation'}:
            abort(400)
        Sale.b2b_rep_edit(sale, quantities, address, state)
    except UserError as exception:
        Transaction().rollback()
        return _order_page(_order(sale_id), 400, error=exception.message)
    flash(_("The order has been saved."), 'ok')
    return redirect(url_for('rep.order', sale_id=sale_id))


# a lead's estimated amount (at most 2 decimals) and its probability in %
AMOUNT = re.compile(r'\d{1,10}(?:[.,]\d{1,2})?')
PROBABILITY = re.compile(r'\d{1,3}')
LEAD_FIELDS = ('description', 'prospect', 'contact', 'amount',
    'probability', 'comment')


def _lead_input():
    """Return (the lead form's values as typed, the values for the module,
    None) or (values as typed, None, why they are refused)"""
    typed, error = inputs.form_texts(
        ['description', 'prospect', 'contact', 'amount', 'probability'], 200)
    comment, comment_error = inputs.form_texts(['comment'], 2000,
        multiline=['comment'])
    typed.update(comment)
    error = error or comment_error
    if error:
        return typed, None, error
    try:
        amount = _typed_decimal(typed['amount'], AMOUNT)
    except ValueError:
        return typed, None, _(
            "Enter the estimated amount as a number, e.g. 12000 or 12000,50.")
    probability = typed['probability'] or '50'
    if not PROBABILITY.fullmatch(probability) or int(probability) > 100:
        return typed, None, _("Enter a probability between 0 and 100 %.")
    return typed, {
        'description': typed['description'],
        'amount': amount,
        'probability': Decimal(probability),
        'comment': typed['comment'],
        }, None


def _lead_states():
    "The names of the states of Tryton's leads, in the portal's words"
    return {
        'lead': _("Lead"),
        'opportunity': _("Opportunity"),
        'converted': _("Converted to a sale"),
        'won': _("Won"),
        'lost': _("Lost"),
        'cancelled': _("Cancelled"),
        }


@blueprint.route('/leads')
@rep_view()
def leads():
    "The rep's and their team's leads and opportunities, open or closed"
    Opportunity = pool().get('sale.opportunity')
    closed = request.args.get('closed') == '1'
    return _page('rep/leads.html', closed=closed, states=_lead_states(),
        leads=Opportunity.b2b_rep_leads(closed=closed, limit=SEARCH_LIMIT))


@blueprint.route('/leads/new', methods=['GET', 'POST'])
@inputs.view_checked_fields(*LEAD_FIELDS, 'party')
@rep_view()
def lead_new():
    """A new lead of the rep: about a served company (from its file) or a
    prospect"""
    Opportunity = pool().get('sale.opportunity')
    party_id = request.values.get('party')
    party = _served('party.party', party_id) if party_id else None
    if request.method == 'GET':
        return _page('rep/lead.html', lead=None, party=party,
            values={'probability': '50'})
    typed, values, error = _lead_input()
    if not error:
        try:
            lead = Opportunity.b2b_rep_new_lead(party=party,
                prospect=typed['prospect'], contact=typed['contact'],
                **values)
        except UserError as exception:
            Transaction().rollback()
            error = exception.message
    if error:
        return _page('rep/lead.html', 400, lead=None, party=party,
            values=typed, error=error)
    flash(_("Lead %(number)s has been saved.", number=lead.number), 'ok')
    return redirect(url_for('rep.lead', lead_id=lead.id))


def _lead_page(lead, status=200, values=None, error=None):
    if values is None:
        values = {
            'description': lead.description or '',
            'amount': (f'{lead.amount:.2f}'.replace('.', ',')
                if lead.amount is not None else ''),
            'probability': str(round(
                        (lead.conversion_probability or 0) * 100)),
            'comment': lead.comment or '',
            }
    return _page('rep/lead.html', status, lead=lead, party=lead.party,
        states=_lead_states(), values=values, error=error)


@blueprint.route('/leads/<int:lead_id>')
@rep_view()
def lead(lead_id):
    return _lead_page(_served('sale.opportunity', lead_id))


@blueprint.route('/leads/<int:lead_id>', methods=['POST'])
@inputs.view_checked_fields(*LEAD_FIELDS)
@rep_view()
def lead_update(lead_id):
    "Change the open lead's description, amount, probability and comment"
    lead = _served('sale.opportunity', lead_id)
    typed, values, error = _lead_input()
    if not error:
        try:
            lead.b2b_rep_write(**values)
        except UserError as exception:
            Transaction().rollback()
            error = exception.message
    if error:
        return _lead_page(_served('sale.opportunity', lead_id), 400,
            values=typed, error=error)
    flash(_("The lead has been saved."), 'ok')
    return redirect(url_for('rep.lead', lead_id=lead_id))


@blueprint.route('/leads/<int:lead_id>/state', methods=['POST'])
@inputs.view_checked_fields('state', 'reason')
@rep_view()
def lead_move(lead_id):
    "Make the lead an opportunity, a lead again, lost or cancelled"
    lead = _served('sale.opportunity', lead_id)
    values, error = inputs.form_texts(['state', 'reason'], 2000,
        multiline=['reason'])
    states = _lead_states()
    if not error and values['state'] not in lead.b2b_rep_moves():
        error = (_("Lead %(number)s cannot become: %(state)s.",
                number=lead.number, state=states[values['state']])
            if values['state'] in states
            else _("Choose what the lead becomes."))
    if not error:
        try:
            lead.b2b_rep_move(values['state'], values['reason'])
        except UserError as exception:
            Transaction().rollback()
            error = exception.message
    if error:
        return _lead_page(_served('sale.opportunity', lead_id), 400,
            error=error)
    flash(_("The lead is now: %(state)s.", state=states[values['state']]),
        'ok')
    return redirect(url_for('rep.lead', lead_id=lead_id))
