# This file is part of the B2B wholesale suite.
"""The account's cart (a draft sale kept by b2b_base), quick order,
checkout and the placed order's page: each action is one call of the
sale.sale b2b_* methods; the prices are the ones they compute, and every
typed quantity is read by the module's one parser
(product.product.b2b_parse_quantity) and checked by its one rule"""
from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from trytond.exceptions import UserError
from trytond.transaction import Transaction

from . import inputs, scope
from .auth import safe_next
from .i18n import number
from .scope import pool, transaction
from .shop import catalog_domain

blueprint = Blueprint('cart', __name__)


def _quantity(text):
    """Return the quantity typed as a Decimal, read by the module's parser;
    raise its UserError (a message in the user's language) if refused"""
    return pool().get('product.product').b2b_parse_quantity(text)


def _refused(exception, target):
    """Undo what the refused action wrote, tell why and go back"""
    Transaction().rollback()
    flash(exception.message, 'error')
    return redirect(target)


def _own_line(line_id):
    """Return the goods line of the account's own cart, 404 for any other
    line (another account's cart, another company's sale, an order)"""
    account = scope.require_account('order')
    line = scope.owned('sale.line', line_id, 'order')
    if line.type != 'line' or not line.sale.b2b_is_cart_of(account):
        abort(404)
    return account, line


@blueprint.route('/cart')
@transaction()
def show():
    account = scope.require_account('view')
    Sale = pool().get('sale.sale')
    cart = Sale.b2b_cart(account)
    return _cart_page(account, cart)


def _cart_page(account, cart, quick=None, quick_text='', status=200):
    lines = [l for l in cart.lines if l.type == 'line'] if cart else []
    return make_response(render_template('cart/cart.html', cart=cart,
            lines=lines, may_order=account.b2b_may('order'),
            quick=quick, quick_text=quick_text), status)


@blueprint.route('/cart/add', methods=['POST'])
@transaction()
def add():
    "Add a product of the catalog; its price is the pricing service's"
    account = scope.require_account('order')
    Sale = pool().get('sale.sale')
    Product = pool().get('product.product')
    products = Product.search([
            ('id', '=', request.form.get('product', 0, type=int)),
            catalog_domain(),
            ], limit=1)
    if not products:
        abort(404)
    product, = products
    target = safe_next(url_for('shop.product', product_id=product.id))
    try:
        quantity = _quantity(request.form.get('quantity'))
        Sale.b2b_cart_add(account, [(product, quantity)])
    except UserError as exception:
        return _refused(exception, target)
    flash(_("Added to the cart: %(quantity)s %(unit)s %(product)s",
            quantity=number(quantity), unit=product.sale_uom.symbol,
            product=product.name), 'ok')
    return redirect(target)


def _cart_header():
    """Return the (number of lines, net total) of the account's cart for
    the header, None when the page has no account that orders or is
    rendered after the view's transaction (an error page)"""
    account = g.get('account')
    info = g.get('account_info')
    if account is None or not (info and info.active):
        return None
    if Transaction().database is None:
        return None
    return pool().get('sale.sale').b2b_cart_header(account)


@blueprint.app_context_processor
def cart_header():
    return {'cart_header': _cart_header}


@blueprint.route('/cart/line/<int:line_id>', methods=['POST'])
@transaction()
def set_quantity(line_id):
    account, line = _own_line(line_id)
    Sale = pool().get('sale.sale')
    try:
        quantity = _quantity(request.form.get('quantity'))
        Sale.b2b_cart_set_quantity(account, line, quantity)
    except UserError as exception:
        return _refused(exception, url_for('cart.show'))
    return redirect(url_for('cart.show'))


@blueprint.route('/cart/line/<int:line_id>/remove', methods=['POST'])
@transaction()
def remove(line_id):
    account, line = _own_line(line_id)
    Sale = pool().get('sale.sale')
    try:
        Sale.b2b_cart_remove(account, line)
    except UserError as exception:
        return _refused(exception, url_for('cart.show'))
    return redirect(url_for('cart.show'))


@blueprint.route('/cart/quick', methods=['POST'])
@transaction()
def quick_order():
    """Add pasted "code quantity" lines; each line is added or gets the
    reason why not"""
    account = scope.require_account('order')
    Sale = pool().get('sale.sale')
    text = request.form.get('lines', '')[:20000]
    results = Sale.b2b_quick_order(account, text)
    cart = Sale.b2b_cart(account)
    failed = [raw for raw, _product, error in results if error]
    return _cart_page(account, cart, quick=results,
        quick_text='\n'.join(failed))


def _choice(records, value):
    """Return the record of the options whose id the form sent, else None
    (the id read as every id of a form is: inputs.record_id)"""
    record_id = inputs.record_id(value)
    for record in records:
        if record.id == record_id:
            return record


def _chosen(model, value):
    """Return the record of the model whose id the form sent, None for no
    id; placing the order checks that it is one the account may choose"""
    record_id = inputs.record_id(value)
    return pool().get(model)(record_id) if record_id is not None else None


@blueprint.route('/checkout', methods=['GET', 'POST'])
@transaction()
def checkout():
    account = scope.require_account('order')
    Sale = pool().get('sale.sale')
    cart = Sale.b2b_cart(account)
    if not cart or not [l for l in cart.lines if l.type == 'line']:
        return redirect(url_for('cart.show'))
    form = request.form
    values = {
        'address': form.get('address', ''),
        'carrier': form.get('carrier', ''),
        'payment_method': form.get('payment_method', ''),
        'comment': form.get('comment', '')[:2000],
        'reference': form.get('reference', '')[:100],
        'street': form.get('street', ''),
        'postal_code': form.get('postal_code', ''),
        'city': form.get('city', ''),
        'party_name': form.get('party_name', ''),
        }

    def page(status=200, error=None):
        options = Sale.b2b_checkout_options(account)
        # one summary per page: the order as placing would make it with
        # the methods chosen (a plain re-post of the form changes them)
        summary = Sale.b2b_checkout_summary(account, cart,
            options['carriers'],
            carrier=_choice(options['carriers'], values['carrier']),
            payment_method=_choice(
                options['payment_methods'], values['payment_method'])
            or (options['payment_methods'] or [None])[0])
        return make_response(render_template('cart/checkout.html',
                cart=cart, options=options, values=values, error=error,
                summary=summary), status)
    if request.method == 'GET' or form.get('update'):
        return page()
    new_address = None
    address = None
    if values['address'] == 'new':
        new_address = {k: values[k]
            for k in ['party_name', 'street', 'postal_code', 'city']}
        country = scope.configuration().b2b_default_country()
        if country:
            new_address['country'] = country
    elif values['address']:
        # an id of another company's address is not found
        address = scope.owned('party.address', values['address'])
    try:
        # the methods are the module's to check: the options it offers
        order = Sale.b2b_place_order(account, cart,
            shipment_address=address, new_address=new_address,
            carrier=_chosen('carrier', values['carrier']),
            payment_method=_chosen(
                'b2b.payment.method', values['payment_method']),
            comment=values['comment'], reference=values['reference'])
    except UserError as exception:
        Transaction().rollback()
        return page(400, exception.message)
    return redirect(url_for('cart.order', sale_id=order.id))


@blueprint.route('/orders/<int:sale_id>')
@transaction()
def order(sale_id):
    "The page of a placed order of the company"
    sale = scope.owned('sale.sale', sale_id)
    if not sale.b2b_is_order():
        abort(404)
    return render_template('cart/order.html', sale=sale,
        # a quotation not waiting for review: the queue's worker confirms
        # it in a moment
        order_review=scope.configuration().order_review)
