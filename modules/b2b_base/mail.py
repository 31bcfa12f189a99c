# This file is part of the B2B wholesale suite.
"""The platform's plain-text e-mails (registration decisions, invitations,
order confirmations): built and sent one way"""
from email.message import EmailMessage

import trytond.config as config
from trytond.sendmail import send_message_transactional


def send_text(to, subject, body):
    """Send a plain-text e-mail from the configured sender ([email] from);
    it leaves when the transaction commits, not at all if it rolls back"""
    msg = EmailMessage()
    msg['From'] = config.get('email', 'from')
    msg['To'] = to
    msg['Subject'] = subject
    msg.set_content(body)
    send_message_transactional(msg)
