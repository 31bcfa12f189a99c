# This file is part of the B2B wholesale suite.
"""The platform's plain-text e-mails (registration decisions, invitations,
order confirmations): built and sent one way, through the outbox"""
from email.message import EmailMessage

import trytond.config as config
from trytond.pool import Pool


def send_text(to, subject, body, resource=None):
    """Send a plain-text e-mail from the configured sender ([email] from)
    about the resource (a record, optional): stored in the outbox
    (b2b.email) with the transaction and sent when it commits, not at all
    if it rolls back; a failed send is tried again by a scheduled job"""
    msg = EmailMessage()
    msg['From'] = config.get('email', 'from')
    msg['To'] = to
    msg['Subject'] = subject
    msg.set_content(body)
    return Pool().get('b2b.email').enqueue(msg, resource=resource)
