# This file is part of the B2B wholesale suite.
"""Bulk insertion with SQL of the rows that the ORM's create would write:
the large demo set's products (the ORM needs 12 to 27 ms a product here,
SQL 0.5 ms)"""
from sql import Column
from sql.aggregate import Max
from sql.functions import CurrentTimestamp

from trytond.model import fields
from trytond.transaction import Transaction


def _stored_fields(Model):
    "Return the names of the fields of Model stored in its table"
    return [n for n, f in Model._fields.items()
        if f.sql_type() and not isinstance(f, fields.Function)
        and n not in {
            'id', 'create_uid', 'create_date', 'write_uid', 'write_date'}]


def bulk_insert(Model, records, returning=None):
    """Insert the records (dictionaries of field values) into the table of
    Model as its create would: the other stored fields get their default,
    the creation user and date are set.
    Return the rows of the returning field names of the inserted records,
    in no particular order"""
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    table = Model.__table__()
    names = _stored_fields(Model)
    defaults = Model.default_get(names, with_rec_name=False)
    columns = [Column(table, n) for n in names]
    values = []
    for record in records:
        record = {**defaults, **record}
        values.append([Model._fields[n].sql_format(record.get(n))
                for n in names]
            + [transaction.user, CurrentTimestamp()])
    columns += [table.create_uid, table.create_date]
    if not returning:
        cursor.execute(*table.insert(columns, values))
        return []
    returned = [Column(table, n) for n in ['id'] + returning]
    if transaction.database.has_returning():
        cursor.execute(*table.insert(columns, values, returning=returned))
        return cursor.fetchall()
    # without RETURNING: the records are the newest of the table
    cursor.execute(*table.select(Max(table.id)))
    last_id, = cursor.fetchone()
    cursor.execute(*table.insert(columns, values))
    cursor.execute(*table.select(*returned,
            where=table.id > (last_id or 0)))
    return cursor.fetchall()
