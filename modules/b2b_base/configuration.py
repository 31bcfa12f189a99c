# This file is part of the B2B wholesale suite.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pool import Pool

SHOP_VISIBILITY = [
    ('open', "Open shop"),
    ('prices_after_login', "Catalog open, prices and stock after login"),
    ('login_only', "Whole shop after login only"),
    ]


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __name__ = 'b2b.configuration'

    self_registration = fields.Boolean(
        "Self-registration",
        help="Let visitors register their company from the portal.")
    default_customer_group = fields.Many2One(
        'b2b.customer.group', "Default Customer Group",
        help="The group of companies created by a registration.")
    shop_visibility = fields.Selection(
        SHOP_VISIBILITY, "Shop Visibility", required=True,
        help="What visitors who are not logged in may see.")

    low_stock_quantity = fields.Float(
        "Low Stock Below",
        help="The shop shows a product as low in stock below this quantity "
        "(in its sale unit).")
    order_review = fields.Boolean(
        "Orders Wait for Review",
        help="Placed orders stay quotations until staff confirm them.")
    default_country = fields.Many2One(
        'country.country', "Default Country",
        help="The country of the addresses customers add in the shop "
        "(Poland when empty).")

    @classmethod
    def default_self_registration(cls):
        return True

    @classmethod
    def default_low_stock_quantity(cls):
        return 10

    @classmethod
    def default_order_review(cls):
        return False

    @classmethod
    def default_shop_visibility(cls):
        return 'prices_after_login'

    def b2b_default_country(self):
        """Return the country of a new address of the shop: the configured
        one, else Poland (None when the countries are not loaded)"""
        if self.default_country:
            return self.default_country
        Country = Pool().get('country.country')
        countries = Country.search([('code', '=', 'PL')], limit=1)
        return countries[0] if countries else None

    def visitor_may_see(self, what):
        "Tell if a visitor who is not logged in may see 'catalog' or 'prices'"
        if self.shop_visibility == 'open':
            return True
        if self.shop_visibility == 'prices_after_login':
            return what == 'catalog'
        return False
