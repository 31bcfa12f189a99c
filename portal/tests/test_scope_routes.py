# This file is part of the B2B wholesale suite.
"""Every route of the portal that takes a record's id in its URL loads it
through scope.owned() (which answers 404 for another company's record), or
is listed here as public with the reason

The check reads the view's source: a call of owned() — or of one of the
helpers listed in OWNED_HELPERS, each checked to call owned() itself — must
receive the URL's id as an argument. A new id route that forgets it fails
test_every_id_route_is_scoped until it is scoped or listed in PUBLIC."""
import ast
import inspect
import textwrap

from flask import Flask
from werkzeug.routing import IntegerConverter

from portal import account, cart, rep

# endpoint: why its id needs no owned()
PUBLIC = {
    'shop.product': "the catalog's product page: products belong to no "
        "customer company, it searches the id inside catalog_domain() "
        "(what the shop visibility lets the request see) and answers 404 "
        "for any other",
    'shop.image': "the product's picture: loaded by _visible_product, as "
        "the product page, inside catalog_domain(); 404 for any other",
    'shop.price': "loads no record: it redirects the quantity box's price "
        "button to shop.product, which scopes the id as above",
    }

# helpers that load the record of the id they receive through owned()
OWNED_HELPERS = {
    '_order': account._order,
    '_own_line': cart._own_line,
    }


def _function_tree(function):
    "Return the AST of the function's own source (decorators unwrapped)"
    source = textwrap.dedent(inspect.getsource(inspect.unwrap(function)))
    return ast.parse(source)


def _called_name(call):
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _names_passed(function, callees):
    """Return the names of the variables the function passes (as an
    argument or keyword) to a call of one of the callees"""
    names = set()
    for node in ast.walk(_function_tree(function)):
        if isinstance(node, ast.Call) and _called_name(node) in callees:
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                for name in ast.walk(argument):
                    if isinstance(name, ast.Name):
                        names.add(name.id)
    return names


def id_arguments(rule):
    "Return the arguments of the rule that an int converter reads"
    return sorted(name for name, converter in rule._converters.items()
        if isinstance(converter, IntegerConverter))


# the rep area's loader: it searches the id as the rep's own Tryton user,
# whose record rules hide the companies the rep does not serve; valid in
# the views that run as the rep (rep.rep_view)
REP_HELPERS = {'_served': rep._served, '_cart': rep._cart,
    '_cart_line': rep._cart_line}


def unscoped_id_routes(app, public=PUBLIC, helpers=OWNED_HELPERS,
        rep_helpers=REP_HELPERS):
    """Return (rule, endpoint, argument) of each id argument of a route
    that the view neither passes to owned() or a helper (or, running as a
    rep, to a rep helper) nor is public"""
    problems = []
    for rule in app.url_map.iter_rules():
        arguments = id_arguments(rule)
        if not arguments or rule.endpoint in public:
            continue
        view = app.view_functions[rule.endpoint]
        callees = {'owned', *helpers}
        if getattr(view, 'runs_as_rep', False):
            callees |= set(rep_helpers)
        passed = _names_passed(view, callees)
        problems.extend((rule.rule, rule.endpoint, argument)
            for argument in arguments if argument not in passed)
    return problems


def test_every_id_route_is_scoped(app):
    assert unscoped_id_routes(app) == []


def test_the_walk_finds_the_id_routes(app):
    "The walk sees the portal's id routes (not an empty map)"
    routes = {rule.endpoint for rule in app.url_map.iter_rules()
        if id_arguments(rule)}
    assert {'account.order', 'account.order_again', 'account.invoice_pdf',
        'account.address', 'account.set_role', 'account.deactivate',
        'cart.set_quantity', 'cart.remove', 'cart.order',
        'shop.product', 'rep.customer', 'rep.customer_update',
        'rep.address'} <= routes


def test_public_entries_are_id_routes(app):
    "Each public entry names an id route of the portal (no stale one)"
    routes = {rule.endpoint for rule in app.url_map.iter_rules()
        if id_arguments(rule)}
    assert set(PUBLIC) <= routes


def test_helpers_call_owned():
    "Each listed helper passes its first argument (the id) to owned()"
    for name, helper in OWNED_HELPERS.items():
        tree = _function_tree(helper)
        function, = tree.body
        owned_calls = [node for node in ast.walk(function)
            if isinstance(node, ast.Call) and _called_name(node) == 'owned']
        assert owned_calls, name
    # each passes the id it receives
    assert 'sale_id' in _names_passed(account._order, {'owned'})
    assert 'line_id' in _names_passed(cart._own_line, {'owned'})


def test_rep_helper_searches_as_the_rep(app):
    """The rep helper searches the id (so the rep's record rules apply) and
    the views using it run as the rep"""
    tree = _function_tree(rep._served)
    assert [node for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _called_name(node) == 'search']
    # the other helpers pass their ids to _served
    assert 'sale_id' in _names_passed(rep._cart, {'_served'})
    assert 'line_id' in _names_passed(rep._cart_line, {'_served'})
    assert 'sale_id' in _names_passed(rep._cart_line, {'_cart'})
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if _names_passed(view, set(REP_HELPERS)):
            assert getattr(view, 'runs_as_rep', False), rule.endpoint


def _fake_app():
    """A small application: one scoped id route, one that forgets, one
    that passes another value to owned(), one through a helper"""
    app = Flask(__name__)

    def owned(model, record_id):
        return record_id

    @app.route('/good/<int:thing_id>')
    def good(thing_id):
        return str(owned('thing', thing_id))

    @app.route('/forgot/<int:thing_id>')
    def forgot(thing_id):
        # owned( in a comment or a string is no call: 'owned(thing_id)'
        return str(thing_id)

    @app.route('/other/<int:thing_id>')
    def other(thing_id):
        return str(owned('thing', 1)) + str(thing_id)

    @app.route('/helper/<int:sale_id>')
    def helper(sale_id):
        return str(account._order(sale_id))

    @app.route('/text/<code>')
    def text(code):
        return code
    return app


def test_check_catches_a_forgotten_id():
    "The check fails on a new id route that forgets owned()"
    problems = unscoped_id_routes(_fake_app(), public={})
    assert sorted(problems) == [
        ('/forgot/<int:thing_id>', 'forgot', 'thing_id'),
        ('/other/<int:thing_id>', 'other', 'thing_id'),
        ]


def test_check_accepts_public_with_reason():
    problems = unscoped_id_routes(_fake_app(),
        public={'forgot': "test", 'other': "test"})
    assert problems == []


def test_check_refuses_unlisted_helper():
    "A helper not listed does not count"
    problems = unscoped_id_routes(_fake_app(), public={}, helpers={})
    assert ('/helper/<int:sale_id>', 'helper', 'sale_id') in problems
