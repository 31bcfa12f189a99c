# This file is part of the B2B wholesale suite.
"""The catalog: categories, search, product page.

Prices come only from b2b.pricing.compute (one call per page), stock
levels from product.product quantities in the warehouse (one call per
page), and what a visitor sees from the shop visibility setting."""
import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, current_app, render_template, request

from trytond.exceptions import UserError

from . import scope
from .scope import pool, transaction

blueprint = Blueprint('shop', __name__)


@dataclass
class Offer:
    "What a page shows of a product"
    product: object
    name: str
    code: str
    unit: str
    minimum: Decimal
    step: Decimal
    package: Decimal = None
    package_discount: Decimal = None
    package_only: bool = False
    step_rule: bool = False  # the step is a selling rule, not the unit's
    price: object = None  # LinePrice at the minimum quantity
    package_price: object = None  # LinePrice of one package
    availability: str = None  # in_stock, low, out_of_stock
    tiers: list = field(default_factory=list)  # (quantity, %, LinePrice)


def _decimal(value):
    return Decimal(str(value)).normalize() if value is not None else None


def quantity_rules(product):
    """Return (minimum, step) of the quantity input of the product, in its
    sale unit; the sale line checks them again (b2b_check_sale_quantity)"""
    template = product.template
    step = _decimal(template.sale_quantity_rounding
        or product.sale_uom.rounding or 1)
    if template.b2b_package_only and template.b2b_package_quantity:
        step = _decimal(template.b2b_package_quantity)
    minimum = max(_decimal(template.sale_quantity_minimal or 0), step)
    return minimum, step


def _offer(product):
    template = product.template
    minimum, step = quantity_rules(product)
    package = template.b2b_package_quantity
    return Offer(
        product=product,
        name=template.name,
        code=product.code or '',
        unit=product.sale_uom.symbol,
        minimum=minimum,
        step=step,
        package=_decimal(package) if package else None,
        package_discount=template.b2b_package_discount if package else None,
        package_only=bool(package and template.b2b_package_only),
        step_rule=bool(template.sale_quantity_rounding))


def availability(products):
    "Return the stock level of each product id (module b2b_base)"
    Product = pool().get('product.product')
    return Product.b2b_availability(products)


def offers(products, rights, tiers=False):
    """Return an Offer per product with its prices (one call of the pricing
    service for all) and stock level, as far as the rights allow"""
    Pricing = pool().get('b2b.pricing')
    result = [_offer(p) for p in products]
    if rights.prices and products:
        lines, slots = [], []
        product_tiers = Pricing.quantity_tiers(products) if tiers else {}
        for offer in result:
            lines.append((offer.product, offer.minimum))
            slots.append((offer, 'price', None))
            if offer.package and (offer.package_discount
                    or offer.package_only):
                lines.append((offer.product, offer.package))
                slots.append((offer, 'package_price', None))
            for quantity, discount in product_tiers.get(offer.product.id, []):
                lines.append((offer.product, quantity))
                slots.append((offer, 'tiers', (quantity, discount)))
        for (offer, name, tier), price in zip(
                slots, Pricing.compute(rights.party, lines)):
            if name == 'tiers':
                offer.tiers.append((_decimal(tier[0]), tier[1], price))
            else:
                setattr(offer, name, price)
    if rights.stock and products:
        levels = availability(products)
        for offer in result:
            offer.availability = levels[offer.product.id]
    return result


def _categories():
    "Return the product categories of the catalog (not the accounting ones)"
    Category = pool().get('product.category')
    return Category.search([
            ('accounting', '=', False),
            ], order=[('name', 'ASC')])


def catalog_domain():
    "Return the domain of the products of the catalog (module b2b_base)"
    return pool().get('product.product').b2b_catalog_domain()


def _escape_like(text):
    return (text.replace('\\', '\\\\').replace('%', '\\%')
        .replace('_', '\\_'))


def _rights_or_abort():
    rights = scope.shop_rights()
    if not rights.catalog:
        abort(401)
    return rights


@blueprint.route('/')
@transaction()
def catalog():
    rights = _rights_or_abort()
    Product = pool().get('product.product')
    Category = pool().get('product.category')
    size = current_app.config['PORTAL_PAGE_SIZE']
    search = request.args.get('q', '').strip()[:100]
    page = max(request.args.get('page', 1, type=int), 1)
    domain = catalog_domain()
    category = None
    if request.args.get('category'):
        categories = Category.search([
                ('id', '=', request.args.get('category', 0, type=int)),
                ('accounting', '=', False),
                ], limit=1)
        if not categories:
            abort(404)
        category, = categories
        domain.append(('template.categories', 'child_of', [category.id],
                'parent'))
    if search:
        domain.append(('rec_name', 'ilike', f'%{_escape_like(search)}%'))
    count = Product.search_count(domain)
    pages = max(math.ceil(count / size), 1)
    page = min(page, pages)
    products = Product.search(domain, offset=(page - 1) * size, limit=size,
        order=[('code', 'ASC'), ('id', 'ASC')])
    return render_template('shop/catalog.html',
        offers=offers(products, rights), rights=rights,
        may_order=rights.order,
        categories=_categories(), category=category, search=search,
        count=count, page=page, pages=pages)


@blueprint.route('/product/<int:product_id>')
@transaction()
def product(product_id):
    rights = _rights_or_abort()
    Product = pool().get('product.product')
    products = Product.search([
            ('id', '=', product_id),
            catalog_domain(),
            ], limit=1)
    if not products:
        abort(404)
    product, = products
    offer, = offers(products, rights, tiers=True)

    # "what would N cost": the quantity is checked by the module and the
    # price comes from the pricing service, whatever else the form sends
    quote = error = None
    quantity = request.args.get('quantity', '').strip().replace(',', '.')
    if quantity and rights.prices:
        try:
            quantity = Decimal(quantity)
            if not quantity.is_finite() or quantity <= 0:
                raise InvalidOperation
        except InvalidOperation:
            error = 'invalid'
            quantity = None
        if quantity is not None:
            try:
                product.b2b_check_sale_quantity(float(quantity))
            except UserError as exception:
                error = exception.message
            else:
                Pricing = pool().get('b2b.pricing')
                quote, = Pricing.compute(rights.party, [(product, quantity)])
    return render_template('shop/product.html', offer=offer, rights=rights,
        may_order=rights.order,
        category=product.template.categories[0]
        if product.template.categories else None,
        quote=quote, quote_error=error, quantity=quantity)
