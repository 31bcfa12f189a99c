# This file is part of the B2B wholesale suite.
"""The one place that parses and bounds the values that come from outside
(URLs, query strings, forms, JSON bodies, redirect targets).

PostgreSQL refuses NUL in text and integers beyond its types; Python's
JSON parser recurses: every such value is refused here with a clear 4xx
(a page in the user's language, JSON on the API) before it reaches a view
or the database. Quantities are parsed by the cart (module b2b_base)."""
import json
import re
import urllib.parse
from decimal import Decimal

from flask import abort, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

# PostgreSQL's integer: the type of every record id
MAX_ID = 2 ** 31 - 1
# the catalog shows 48 products a page: 10 000 pages is far beyond any
# catalog and keeps the offset well inside bigint
MAX_PAGE = 10_000
# forms, and JSON documents of the API (an ERP sends many invoices at once)
MAX_FORM_BYTES = 2 << 20
MAX_JSON_BYTES = 8 << 20
MAX_JSON_DEPTH = 32
MAX_NEXT = 2000
# NUL and the other C0 and C1 control characters; tab, line feed and
# carriage return are typed in multi-line fields (quick order, comments)
CONTROL = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]')
ANY_CONTROL = re.compile('[\x00-\x1f\x7f-\x9f]')
# query and form fields that a view checks itself: `next` goes to the
# default page when it is not a path of the site (safe_next)
VIEW_CHECKED = {'next'}


class InputError(ValueError):
    "A value from outside is refused; the message is for the user"


def control_message():
    return _("The request contains control characters (such as NUL) that "
        "no field accepts. Remove them and try again.")


def has_control(value, multiline=True):
    "Tell if the text holds a control character (tab and newlines allowed)"
    return bool((CONTROL if multiline else ANY_CONTROL).search(value or ''))


def text(value, max_length, multiline=False):
    """Return the text stripped, or raise InputError for a control
    character (a tab or a newline too in a one-line field) or a text
    longer than max_length"""
    value = (value or '').strip()
    if has_control(value, multiline=multiline):
        raise InputError(control_message())
    if len(value) > max_length:
        raise InputError(_("A field is too long (at most %(max)s "
                "characters).", max=max_length))
    return value


def form_texts(names, max_length=200, multiline=()):
    """Return ({name: text}, error message or None) of the form's fields:
    the values refused are emptied so that the form shows them no more"""
    values, error = {}, None
    for name in names:
        try:
            values[name] = text(request.form.get(name, ''), max_length,
                multiline=name in multiline)
        except InputError as exception:
            values[name] = ''
            error = error or str(exception)
    return values, error


def record_id(value):
    """Return the id (an int or the text of one) as an int inside
    PostgreSQL's integer, else None"""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        value = str(value if value is not None else '').strip()
        # digits only: no sign, exponent, spaces or 4 000 digits to convert
        if not value.isascii() or not value.isdigit() or len(value) > 10:
            return None
        number = int(value)
    return number if 1 <= number <= MAX_ID else None


def page_number(value):
    "Return the page number of the query (1 when absent); 404 otherwise"
    if value is None or value == '':
        return 1
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 5:
        abort(404)
    page = int(value)
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    return page


def safe_next(target, default):
    """Return target if it is a path of this site, else default

    Browsers drop tabs and newlines from a URL and read a backslash as a
    slash, so `/\\t/evil.example` and `/\\evil.example` lead off-site: a
    target with any control character, a backslash, a scheme or a network
    location, also once percent-decoded, is refused."""
    if not target or len(target) > MAX_NEXT:
        return default
    decoded, seen = target, set()
    # decoded until stable: %252F is %2F is /
    while decoded not in seen and len(seen) < 5:
        seen.add(decoded)
        if (not decoded.startswith('/') or decoded.startswith('//')
                or '\\' in decoded or ANY_CONTROL.search(decoded)):
            return default
        parts = urllib.parse.urlsplit(decoded)
        if parts.scheme or parts.netloc:
            return default
        decoded = urllib.parse.unquote(decoded)
    if decoded not in seen:
        return default
    return target


class BoundedIntConverter(IntegerConverter):
    """The `int` of the URLs, inside PostgreSQL's integer: a larger id is
    a 404, not an error of the database"""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault('max', MAX_ID)
        super().__init__(map, *args, **kwargs)


def is_api():
    return request.path.startswith('/api/')


def error_response(status, message=None):
    """Return the error of the request: JSON on the API (for the ERP: the
    message, else the HTTP name of the status), else the error page in the
    user's language"""
    if is_api():
        if message is None:
            from werkzeug.http import HTTP_STATUS_CODES
            message = HTTP_STATUS_CODES.get(status, 'Error')
        return jsonify({'error': message}), status
    return render_template('error.html', code=status, kind=str(status),
        description=message), status


def _refused_fields(multidict):
    for key, values in multidict.lists():
        if has_control(key):
            return key
        if key in VIEW_CHECKED:
            continue
        for value in values:
            if has_control(value):
                return key


def view_checked_fields(*names):
    """Decorator of a view that checks these form fields itself (and shows
    its form again with the reason): the guard leaves them to it"""
    def decorator(func):
        func.view_checked_fields = frozenset(names)
        return func
    return decorator


def guard():
    """before_request: refuse a query or form with a control character in
    a name or a value (tab and newlines allowed) with a 400, except the
    fields that the view checks itself"""
    if request.content_length and request.content_length > (
            MAX_JSON_BYTES if is_api() else MAX_FORM_BYTES):
        abort(413)
    if _refused_fields(request.args) is not None:
        return error_response(400, control_message())
    if request.method in {'POST', 'PUT', 'PATCH'} and not request.is_json:
        view = current_app.view_functions.get(request.endpoint)
        own = getattr(view, 'view_checked_fields', frozenset())
        form = request.form
        for key, values in form.lists():
            if has_control(key) or (key not in own and key not in VIEW_CHECKED
                    and any(has_control(v) for v in values)):
                return error_response(400, control_message())


def _check_depth(data):
    """Raise InputError when the JSON text nests deeper than
    MAX_JSON_DEPTH: counted without recursion, before json.loads (whose
    recursion would end in RecursionError)"""
    depth = 0
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', data):
        token = match.group()
        if token in '[{':
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise InputError(_("The JSON document is nested too deeply "
                        "(at most %(depth)s levels).", depth=MAX_JSON_DEPTH))
        elif token in ']}':
            depth -= 1


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number")


def json_body():
    """Return the request's JSON document (numbers with a fraction as
    Decimal), or raise InputError: too large (413 is raised by werkzeug),
    not UTF-8, nested too deeply, not JSON, NaN or Infinity"""
    # kept: flask_tryton runs the view again when the database asks
    # for a retry (a lock), and the body must be read again then
    data = request.get_data()
    try:
        data = data.decode('utf-8-sig')
    except UnicodeDecodeError:
        raise InputError(_("The body must be a JSON document in UTF-8."))
    _check_depth(data)
    try:
        return json.loads(data, parse_float=Decimal,
            parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise InputError(_("The body must be a JSON document."))
