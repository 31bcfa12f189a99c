# This file is part of the B2B wholesale suite.
"""The demo buyer's history (module b2b_credit): its orders of the past
months in every state — a quotation, a confirmed order, orders shipped and
invoiced, one done, one cancelled — their invoices posted (paid, paid in
part, overdue) and the payments (b2b.payment) that paid them, so that the
portal's orders, invoices, PDFs and credit page show real data.

The orders go through Tryton's own workflow (quote, confirm, process,
shipment, invoice, payment), dated in the past. They are made before the
stock is counted: the inventory of the day then sets the stock the demo
promises whatever the history shipped."""
import datetime as dt
from decimal import ROUND_DOWN, Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

from .content import CUSTOMERS, HISTORY
from .statement import _catalogue_item

# the time of day of the orders placed in the past
ORDER_TIME = dt.time(10, 0)


def demo_history(today):
    """Return the demo buyer's orders of HISTORY for the load on today:
    dicts of its values with date (of the order and its invoice) and
    payment_date (None when nothing is paid), oldest first"""
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    orders = []
    for values in HISTORY['orders']:
        date = today - dt.timedelta(days=values['days_ago'])
        invoiced = values['state'] in {'processing', 'done'}
        if invoiced:
            date = min(date, last_month_end)
        payment = values.get('payment')
        orders.append({
                **values,
                'customer': CUSTOMERS[HISTORY['customer'] - 1],
                'date': date,
                'invoiced': invoiced,
                'payment_date': min(today, date + dt.timedelta(
                        days=payment['days_after'])) if payment else None,
                'lines': [(_catalogue_item(l['category'], l['item'])[0],
                        l['quantity']) for l in values['lines']],
                })
    return orders


def history_years(today):
    "Return the years the demo history is dated in"
    return {date.year for o in demo_history(today)
        for date in [o['date'], o['payment_date']] if date}


def create_history(company, terms, today):
    """Create the demo buyer's orders, invoices and payments of
    demo_history(today); nothing when b2b_credit is not activated"""
    pool = Pool()
    try:
        Payment = pool.get('b2b.payment')
    except KeyError:
        return []
    Party = pool.get('party.party')
    Product = pool.get('product.product')
    Sale = pool.get('sale.sale')
    Line = pool.get('sale.line')
    Invoice = pool.get('account.invoice')
    Shipment = pool.get('stock.shipment.out')
    Queue = pool.get('ir.queue')

    planned = demo_history(today)
    party, = Party.search([('name', '=', planned[0]['customer'])])
    products = {p.code: p for p in Product.search([
                ('code', 'in', list({c for o in planned
                            for c, _ in o['lines']})),
                ])}
    # the tasks the workflow queues (processing a confirmed sale, an
    # invoice paid) are done here: none is left for trytond-worker, which
    # would process the order meant to stay confirmed
    queued = {t.id for t in Queue.search([])}

    sales = []
    for values in planned:
        sale = Sale(company=company, party=party, currency=company.currency,
            sale_date=values['date'], reference=values['reference'])
        sale.on_change_party()
        if values.get('payment_term'):
            sale.payment_term = terms[values['payment_term']]
        sale.invoice_method = 'order'
        sale.shipment_method = 'order'
        lines = []
        for code, quantity in values['lines']:
            line = Line(sale=sale, type='line', product=products[code],
                quantity=quantity)
            line.on_change_product()
            lines.append(line)
        sale.lines = lines
        sales.append(sale)
    # priced by quote below (b2b_base prices every line it quotes)
    Sale.save(sales)

    for sale, values in zip(sales, planned):
        state = values['state']
        Sale.quote([sale])
        if state == 'cancelled':
            # a quotation the buyer gave up
            Sale.cancel([sale])
            continue
        if state == 'quotation':
            continue
        sale.b2b_placed_at = dt.datetime.combine(values['date'], ORDER_TIME)
        sale.save()
        Sale.confirm([sale])
        if state == 'confirmed':
            continue
        Sale.process([sale])
        sale = Sale(sale.id)
        if values.get('shipped'):
            _ship(Shipment, sale.shipments, values['date'])
        invoice, = sale.invoices
        invoice.invoice_date = values['date']
        invoice.payment_term = sale.payment_term
        invoice.save()
        Invoice.post([invoice])
        if values.get('payment'):
            invoice = Invoice(invoice.id)
            share = Decimal(values['payment']['share'])
            # a part payment in whole złoty, as customers pay
            amount = invoice.total_amount if share == 1 else (
                invoice.total_amount * share).quantize(
                    Decimal(1), rounding=ROUND_DOWN)
            with Transaction().set_context(company=company.id):
                Payment.record(party, amount, values['payment_date'],
                    invoices=[invoice],
                    reference=f"Przelew za {invoice.number}")
    Sale.process([s for s in Sale.browse(sales)
            if s.state in {'processing', 'done'}])
    Queue.delete([t for t in Queue.search([]) if t.id not in queued])
    return sales


def _ship(Shipment, shipments, date):
    "Pick, pack and send the shipments on date, whatever the stock then"
    Move = Pool().get('stock.move')
    for shipment in shipments:
        shipment.effective_date = date
    Shipment.save(shipments)
    Shipment.assign_force(shipments)
    Move.write([m for s in shipments for m in s.moves],
        {'effective_date': date})
    Shipment.pick(shipments)
    Shipment.pack(shipments)
    Shipment.do(shipments)
