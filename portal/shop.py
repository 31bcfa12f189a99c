# This file is part of the B2B wholesale suite.
"""The catalog: categories, search, product page.

Prices come only from b2b.pricing.compute (one call per page), stock
levels from product.product quantities in the warehouse (one call per
page), and what a visitor sees from the shop visibility setting. A
product's picture (Tryton's product_image) is served by its own route,
scoped like the product's page, with a neutral placeholder when it has
none.

A rendered catalog page is kept in the process (PageCache) for the same
company, rights, language, address and products as long as the stamp of
module b2b_base (product.product.b2b_catalog_stamp: one query over what
the page shows, prices and stock included) has not changed: a change of a
price or a stock level shows on the next request, and a page that nothing
changed costs a search, a stamp and the layout."""
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    get_template_attribute,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from trytond import backend
from trytond.exceptions import UserError
from trytond.transaction import Transaction

from . import i18n, inputs, scope
from .scope import pool, transaction

blueprint = Blueprint('shop', __name__)
# stands for the session's CSRF token in a kept page (letters only, so
# that HTML escaping leaves it as it is)
CSRF_PLACEHOLDER = 'CsrfTokenOfTheSessionGoesHere'
# the sizes (pixels) of the pictures the pages ask for: the cart's and
# quick order's, the catalog's cards, the product page (twice the CSS size,
# for dense screens); product.image keeps each size it made
IMAGE_SIZES = {'line': 64, 'card': 200, 'page': 400}
# a picture's URL changes with the picture (its version): a browser keeps
# it a week, for its own user only (what may be seen depends on who asks)
IMAGE_MAX_AGE = 7 * 24 * 3600


class PageCache:
    "Rendered pages with their stamp, the least recently used dropped"

    def __init__(self, size=256):
        self.size = size
        self._pages = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, stamp):
        with self._lock:
            kept = self._pages.get(key)
            if kept is None or kept[0] != stamp:
                return None
            self._pages.move_to_end(key)
            return kept[1]

    def set(self, key, stamp, page):
        with self._lock:
            self._pages[key] = (stamp, page)
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self):
        with self._lock:
            self._pages.clear()


pages = PageCache()
# the part of a page that is the same for every company: its offers and
# its HTML with a slot for each price
shared_pages = PageCache(64)
PRICE_SLOT = re.compile(r'<!--price (\d+)-->')


@dataclass(frozen=True)
class ProductRef:
    "A product's id, kept beyond the transaction (unlike a record)"
    id: int

    def __int__(self):
        return self.id


@dataclass
class Offer:
    "What a page shows of a product"
    product: ProductRef
    name: str
    code: str
    unit: str
    minimum: Decimal
    step: Decimal
    quantity: Decimal = None  # proposed in the quantity box
    image: str = None  # version of the picture, None: a placeholder
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
    sale unit: the module's rule (b2b_quantity_rule), which the sale line
    checks again (b2b_check_sale_quantity)"""
    return product.b2b_quantity_rule()


# what an offer needs of a template, read for all the page at once
# (the quantity rule's fields are the module's)
TEMPLATE_FIELDS = ['name', 'sale_uom', 'b2b_package_quantity',
    'b2b_package_discount', 'b2b_package_only', 'sale_quantity_rounding']


def _offers(products):
    """Return an Offer per product (without prices and stock) from three
    reads for all the products instead of each record's lazy fields"""
    Product = pool().get('product.product')
    Template = pool().get('product.template')
    Uom = pool().get('product.uom')
    values = {v['id']: v for v in Product.read(
            [p.id for p in products], ['code', 'template'])}
    templates = {t['id']: t for t in Template.read(
            list({v['template'] for v in values.values()}),
            list(dict.fromkeys(
                    TEMPLATE_FIELDS + Product.B2B_QUANTITY_FIELDS)))}
    units = {u['id']: u for u in Uom.read(
            list({t['sale_uom'] for t in templates.values()}),
            ['symbol', 'rounding'])}
    images = Product.b2b_images(products)
    result = []
    for product in products:
        template = templates[values[product.id]['template']]
        unit = units[template['sale_uom']]
        minimum, step = Product.b2b_quantity_rule_of(
            template, unit['rounding'])
        package = template['b2b_package_quantity']
        image = images.get(product.id)
        result.append(Offer(
                product=ProductRef(product.id),
                name=template['name'],
                code=values[product.id]['code'] or '',
                unit=unit['symbol'],
                minimum=minimum,
                step=step,
                quantity=Product.b2b_default_quantity_of(
                    template, unit['rounding']),
                image=image[1] if image else None,
                package=_decimal(package) if package else None,
                package_discount=(
                    template['b2b_package_discount'] if package else None),
                package_only=bool(package and template['b2b_package_only']),
                step_rule=bool(template['sale_quantity_rounding'])))
    return result


def availability(products):
    "Return the stock level of each product id (module b2b_base)"
    Product = pool().get('product.product')
    return Product.b2b_availability(products)


def offers(products, rights, tiers=False):
    """Return an Offer per product with its prices (one call of the pricing
    service for all) and stock level, as far as the rights allow"""
    result = _offers(products)
    _add_stock(result, rights)
    _add_prices(result, rights, tiers=tiers)
    return result


def _add_stock(result, rights):
    "Set the stock level of the offers, if the rights show it"
    if rights.stock and result:
        levels = availability([o.product for o in result])
        for offer in result:
            offer.availability = levels[offer.product.id]


def _add_prices(result, rights, tiers=False):
    """Set the company's prices of the offers with one call of the pricing
    service, if the rights show them"""
    Pricing = pool().get('b2b.pricing')
    products = [o.product for o in result]
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


def _categories():
    "Return the product categories of the catalog (not the accounting ones)"
    Category = pool().get('product.category')
    return Category.search([
            ('accounting', '=', False),
            ], order=[('name', 'ASC')])


def catalog_domain():
    "Return the domain of the products of the catalog (module b2b_base)"
    return pool().get('product.product').b2b_catalog_domain()


def _rights_or_abort():
    rights = scope.shop_rights()
    if not rights.catalog:
        abort(401)
    return rights


_timezones = {}


def _today():
    """Return today's date where the company is (ir.date.today), its time
    zone read once per process: a kept page is priced for that day"""
    Date = pool().get('ir.date')
    company = Transaction().context.get('company')
    if company not in _timezones:
        Company = pool().get('company.company')
        zone = Company(company).timezone if company else None
        _timezones[company] = ZoneInfo(zone) if zone else None
    if _timezones[company] is None:
        return Date.today()
    return Date.today(timezone=_timezones[company])


def _shared_page(key, products, rights, stamp, render):
    """Return the offers of a catalog page and its HTML with a slot for
    each price: what every company sees of them (names, selling rules,
    stock) is kept per page as long as the part of the stamp that is not
    the company's holds"""
    database, language, today, party, *rest = key
    shared_key = (database, language, today, *rest)
    shared_stamp = tuple(s for s in stamp if not s[0].startswith('party.'))
    shared = shared_pages.get(shared_key, shared_stamp)
    if shared is None:
        offers = _offers(products)
        _add_stock(offers, rights)
        shared = (offers, render(offers))
        shared_pages.set(shared_key, shared_stamp, shared)
    return shared


def _fill_prices(offers, html, rights):
    "Put the company's prices of the offers (one pricing call) in the page"
    if not rights.prices:
        return html
    offers = [replace(o, tiers=[]) for o in offers]
    _add_prices(offers, rights)
    macro = get_template_attribute('shop/_offer.html', 'price')
    prices = {o.product.id: Markup('<p class="price">%s</p>')
        % macro(o.price, o.unit) for o in offers if o.price}
    return PRICE_SLOT.sub(lambda m: prices.get(int(m[1]), ''), html)


@blueprint.route('/')
@transaction()
def catalog():
    rights = _rights_or_abort()
    Product = pool().get('product.product')
    Category = pool().get('product.category')
    size = current_app.config['PORTAL_PAGE_SIZE']
    # control characters are refused before (inputs.guard)
    search = request.args.get('q', '').strip()[:100]
    page = inputs.page_number(request.args.get('page'))
    domain = catalog_domain()
    category = None
    if request.args.get('category'):
        category_id = inputs.record_id(request.args['category'])
        if category_id is None:
            abort(404)
        categories = Category.search([
                ('id', '=', category_id),
                ('accounting', '=', False),
                ], limit=1)
        if not categories:
            abort(404)
        category, = categories
        domain.append(('template.categories', 'child_of', [category.id],
                'parent'))
    if search:
        domain.extend(Product.b2b_search_domain(search))
    # one row more than a page tells whether there is a next one: counting
    # every match of a large catalog costs more than the page itself
    products = Product.b2b_catalog_products(domain,
        offset=(page - 1) * size, limit=size + 1)
    more = len(products) > size
    products = products[:size]
    first = (page - 1) * size + 1

    party = rights.party
    key = (current_app.config['TRYTON_DATABASE'], i18n.language(),
        _today(), party.id if party else None, rights.catalog,
        rights.prices, rights.stock, rights.order, request.full_path,
        tuple(p.id for p in products), more)
    stamp = Product.b2b_catalog_stamp(products, party)
    body = pages.get(key, stamp)
    if body is None:
        offers, html = _shared_page(key, products, rights, stamp,
            lambda offers: render_template('shop/_catalog.html',
                offers=offers, rights=rights, may_order=rights.order,
                categories=_categories(), category=category,
                search=search, page=page, more=more, first=first,
                last=first + len(products) - 1,
                csrf_token=lambda: CSRF_PLACEHOLDER))
        body = _fill_prices(offers, html, rights)
        pages.set(key, stamp, body)
    body = Markup(body.replace(CSRF_PLACEHOLDER, generate_csrf()))
    return render_template('shop/catalog.html', body=body,
        category=category, search=search)


def _visible_product(product_id):
    """Return the rights of the request and the product of the catalog it
    may see (the product's page, its picture), else abort: 404, or 401
    where the shop is for logged-in users only"""
    rights = _rights_or_abort()
    Product = pool().get('product.product')
    products = Product.search([
            ('id', '=', product_id),
            catalog_domain(),
            ], limit=1)
    if not products:
        abort(404)
    return rights, products[0]


@blueprint.route('/product/<int:product_id>')
@transaction()
def product(product_id):
    rights, product = _visible_product(product_id)
    Product = pool().get('product.product')
    offer, = offers([product], rights, tiers=True)

    # "what would N cost": the quantity is read and checked by the module
    # (its one parser and quantity rule) and the price comes from the
    # pricing service, whatever else the form sends
    quote = error = None
    quantity = request.args.get('quantity', '')
    if quantity.strip() and rights.prices:
        try:
            quantity = pool().get('sale.sale').b2b_positive_quantity(
                product, Product.b2b_parse_quantity(quantity))
            product.b2b_check_sale_quantity(quantity)
        except UserError as exception:
            error = exception.message
            quantity = None
        else:
            Pricing = pool().get('b2b.pricing')
            quote, = Pricing.compute(rights.party, [(product, quantity)])
    else:
        quantity = None
    return render_template('shop/product.html', offer=offer, rights=rights,
        may_order=rights.order,
        category=product.template.categories[0]
        if product.template.categories else None,
        quote=quote, quote_error=error, quantity=quantity)


@blueprint.route('/product/<int:product_id>/price', methods=['POST'])
def price(product_id):
    """The price button of the product page's quantity box, whose form
    posts to the cart: the page with the price of that quantity (a GET,
    which can be reloaded and kept; the quantity is read there)"""
    quantity = request.form.get('quantity', '')[:40]
    return redirect(url_for('shop.product', product_id=product_id,
            quantity=quantity or None), 303)


@blueprint.route('/product/<int:product_id>/image/<size>')
@transaction()
def image(product_id, size):
    """The product's picture at one of IMAGE_SIZES to whoever may see the
    product (else not found), kept by the browser and answered 304 when it
    has it already"""
    if size not in IMAGE_SIZES:
        abort(404)
    _, product = _visible_product(product_id)
    Product = pool().get('product.product')
    Image = pool().get('product.image')
    found = Product.b2b_images([product])[product.id]
    if found is None:
        abort(404)
    image_id, version = found
    response = make_response()
    response.set_etag(f'{version}-{size}')
    response.cache_control.private = True
    response.cache_control.max_age = IMAGE_MAX_AGE
    if request.if_none_match.contains(f'{version}-{size}'):
        response.status_code = 304
        return response
    image = Image(image_id)
    try:
        # product.image keeps the resized picture (in a transaction of its
        # own) for the next request
        data = image.get(IMAGE_SIZES[size])
    except backend.DatabaseIntegrityError:
        # another request kept the same size first
        data = image._resize(IMAGE_SIZES[size])
    response.set_data(data)
    response.content_type = 'image/jpeg'
    return response


@blueprint.app_template_global()
def product_image(product):
    """Return the version of the product's picture (None: it has none) for
    the lines of the cart and the quick order, kept for the request"""
    images = g.setdefault('product_images', {})
    if product.id not in images:
        Product = pool().get('product.product')
        images.update(Product.b2b_images([product]))
    return images[product.id]
