# This file is part of the B2B wholesale suite.
"""The HTTP JSON API of the external system (ERP): trade credit and
invoices, the same imports as `b2b import-credit` / `import-invoices`.

Every request carries an API key (`Authorization: Bearer KEY` or
`X-API-Key: KEY`; `b2b api-key NAME` creates one, only its digest is
stored); a missing or wrong key gets 401. A bad document gets 400 with
the message naming the item, and nothing is imported. Every error is
JSON (portal/__init__.py answers 404, 405 and 413 of /api/ in JSON too):
the body is bounded in size (inputs.MAX_JSON_BYTES) and nesting
(inputs.MAX_JSON_DEPTH), NaN and Infinity are not numbers, and the ERP's
values are checked by module b2b_credit (amounts, control characters)."""
from flask import Blueprint, jsonify, request

from trytond.exceptions import UserError
from trytond.transaction import Transaction

from . import inputs
from .scope import pool, transaction

blueprint = Blueprint('api', __name__, url_prefix='/api/v1')


def _key():
    header = request.headers.get('Authorization', '')
    if header.lower().startswith('bearer '):
        return header[7:].strip()
    return request.headers.get('X-API-Key', '').strip()


def _error(message, status):
    Transaction().rollback()
    return jsonify({'error': message}), status


def _call(func):
    """Authenticate the request and run func(Erp, rows) in the company of
    the key; return the JSON response"""
    from b2b_credit.erp import json_rows
    ApiKey = pool().get('b2b.api.key')
    try:
        key = ApiKey.b2b_authenticate(_key())
    except UserError as exception:
        return _error(exception.message, 401)
    try:
        content = inputs.json_body()
    except inputs.InputError as exception:
        return _error(str(exception), 400)
    with Transaction().set_context(company=key.company.id):
        Erp = pool().get('b2b.erp')
        try:
            return jsonify(func(Erp, json_rows(content)))
        except UserError as exception:
            return _error(exception.message, 400)


@blueprint.route('/credit', methods=['POST'])
@transaction()
def credit():
    "Set the credit limit and used credit of companies (by NIP)"
    return _call(lambda Erp, rows: {'updated': Erp.import_credit(rows)})


@blueprint.route('/invoices', methods=['POST'])
@transaction()
def invoices():
    "Import invoices; those already imported (external number) are kept"
    def run(Erp, rows):
        created, skipped = Erp.import_invoices(rows)
        return {'imported': created, 'already_imported': skipped}
    return _call(run)
