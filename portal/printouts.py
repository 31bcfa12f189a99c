# This file is part of the B2B wholesale suite.
"""Printouts of the platform as PDF: an HTML template (Jinja, in
templates/printouts/) rendered by WeasyPrint.

One HTML/CSS toolchain for every printout (invoices now, offers and
complaint forms later): no office suite process to run, the same filters
as the pages (Polish money and dates), and text that stays selectable in
the PDF (the tests read it back)."""
from flask import make_response, render_template, request

__all__ = ['render_pdf', 'pdf_response']


def render_pdf(template, **context):
    "Return the PDF (bytes) of the HTML template rendered with the context"
    # imported here: loading pango takes a moment that pages do not need
    from weasyprint import HTML
    html = render_template(template, **context)
    return HTML(string=html, base_url=request.url_root).write_pdf()


def pdf_response(pdf, filename, download=False):
    "Return a response with the PDF, shown in the browser or downloaded"
    response = make_response(pdf)
    response.headers['Content-Type'] = 'application/pdf'
    disposition = 'attachment' if download else 'inline'
    response.headers['Content-Disposition'] = (
        f'{disposition}; filename="{filename}"')
    response.headers['Cache-Control'] = 'private, no-store'
    return response
