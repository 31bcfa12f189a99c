# This file is part of the B2B wholesale suite.
"""The demo's mail catcher: an SMTP server (aiosmtpd) that keeps every
e-mail it receives instead of delivering it, and a web page listing them,
so that registration decisions, invitations, password resets and order
confirmations can be read while trying the demo. `b2b serve` runs it beside
the servers when trytond's [email] uri is a local smtp:// address.

    python -m b2b_suite.mailcatcher --smtp 127.0.0.1:1025 --web 127.0.0.1:8025

The messages live as long as the process (nothing is written to disk).
/ lists them, newest first; /messages/N shows one; /messages.json gives
them all (sender, recipients, subject, date, text)."""
import argparse
import datetime as dt
import email
import email.policy
import html
import json
import re
import signal
import sys
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

from aiosmtpd.controller import Controller

# a link in an e-mail's text or HTML
LINK = re.compile(r'''https?://[^\s"'<>]+''')


class Mailbox:
    "The caught messages, in the order received; shared by both servers"

    def __init__(self):
        self._lock = threading.Lock()
        self._messages = []

    async def handle_DATA(self, server, session, envelope):
        "aiosmtpd's hook: keep the message, answer that it is accepted"
        message = email.message_from_bytes(
            envelope.original_content or envelope.content,
            policy=email.policy.default)
        self.add(envelope.mail_from, envelope.rcpt_tos, message)
        return '250 Message accepted for delivery'

    def add(self, sender, recipients, message):
        body = message.get_body(preferencelist=('plain', 'html'))
        text = body.get_content() if body else ''
        with self._lock:
            self._messages.append({
                    'id': len(self._messages) + 1,
                    'received': dt.datetime.now().isoformat(
                        timespec='seconds'),
                    'from': str(message.get('From') or sender),
                    'to': list(recipients),
                    'subject': str(message.get('Subject') or ''),
                    'text': text,
                    'html': bool(body) and body.get_content_subtype()
                    == 'html',
                    # the links to follow (setting a password, an order)
                    'links': list(dict.fromkeys(
                            LINK.findall(html.unescape(text)))),
                    })

    def messages(self):
        with self._lock:
            return list(self._messages)


PAGE = '''<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .3rem .6rem;
    border-bottom: 1px solid #ddd; vertical-align: top; }}
pre {{ white-space: pre-wrap; background: #f6f6f6; padding: 1rem; }}
</style></head><body>
{body}
</body></html>'''


def _page(title, body):
    return PAGE.format(title=html.escape(title), body=body).encode()


def _list_page(messages):
    rows = ''.join(
        '<tr><td>{received}</td><td>{to}</td><td>'
        '<a href="messages/{id}">{subject}</a></td><td>{sender}</td></tr>'
        .format(received=html.escape(m['received'].replace('T', ' ')),
            to=html.escape(', '.join(m['to'])), id=m['id'],
            subject=html.escape(m['subject'] or '(no subject)'),
            sender=html.escape(m['from']))
        for m in reversed(messages))
    if not rows:
        rows = ('<tr><td colspan="4">No e-mail yet: the shop\'s e-mails '
            'appear here (reload the page).</td></tr>')
    return _page("Demo e-mails",
        f'<h1>E-mails sent by the demo ({len(messages)})</h1>'
        '<table><thead><tr><th>Received</th><th>To</th><th>Subject</th>'
        f'<th>From</th></tr></thead><tbody>{rows}</tbody></table>')


def _message_page(message):
    return _page(message['subject'],
        '<p><a href="../">All e-mails</a></p>'
        f'<h1>{html.escape(message["subject"])}</h1>'
        f'<p>From: {html.escape(message["from"])}<br>'
        f'To: {html.escape(", ".join(message["to"]))}<br>'
        f'Received: {html.escape(message["received"])}</p>'
        + ''.join(f'<p><a href="{html.escape(link)}" target="_blank">'
            f'{html.escape(link)}</a></p>' for link in message['links'])
        + (
            # shown as the recipient would see it, its scripts not run
            '<iframe sandbox="allow-popups" style="width: 100%; '
            'height: 70vh; border: 1px solid #ddd" srcdoc="'
            + html.escape('<base target="_blank">' + message['text'])
            + '"></iframe>' if message['html']
            else f'<pre>{html.escape(message["text"])}</pre>'))


def web_app(mailbox):
    "The WSGI application listing the messages of mailbox"
    def app(environ, start_response):
        path = environ.get('PATH_INFO') or '/'
        messages = mailbox.messages()
        content_type = 'text/html; charset=utf-8'
        status, body = '200 OK', None
        if path == '/':
            body = _list_page(messages)
        elif path == '/messages.json':
            body = json.dumps(messages, ensure_ascii=False).encode()
            content_type = 'application/json'
        elif path.startswith('/messages/'):
            number = path[len('/messages/'):]
            found = [m for m in messages if str(m['id']) == number]
            if found:
                body = _message_page(found[0])
        if body is None:
            status, body = '404 Not Found', _page(
                "Not found", '<p><a href="/">All e-mails</a></p>')
        start_response(status, [('Content-Type', content_type),
                ('Content-Length', str(len(body))),
                ('Cache-Control', 'no-store')])
        return [body]
    return app


class _QuietHandler(WSGIRequestHandler):
    "No line per request on the terminal shared with the other servers"

    def log_message(self, format, *args):
        pass


def address(value):
    "Return (host, port) of HOST:PORT"
    host, _, port = value.rpartition(':')
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"not HOST:PORT: {value!r}")
    return host.strip('[]'), int(port)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m b2b_suite.mailcatcher',
        description="Catch the e-mails sent to an SMTP address and list "
        "them on a web page")
    parser.add_argument('--smtp', type=address, required=True,
        metavar='HOST:PORT', help="where the SMTP server listens")
    parser.add_argument('--web', type=address, required=True,
        metavar='HOST:PORT', help="where the web page is served")
    args = parser.parse_args(argv)
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname=args.smtp[0],
        port=args.smtp[1])
    try:
        controller.start()
    except Exception as exception:
        print(f"mail catcher: cannot listen on SMTP {args.smtp[0]}:"
            f"{args.smtp[1]}: {exception}", file=sys.stderr)
        return 1
    try:
        with make_server(*args.web, web_app(mailbox),
                handler_class=_QuietHandler) as server:
            # SIGTERM (b2b serve stopping) ends serve_forever like Ctrl-C
            signal.signal(signal.SIGTERM,
                lambda signum, frame: threading.Thread(
                    target=server.shutdown).start())
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                pass
    except OSError as exception:
        print(f"mail catcher: cannot serve the page on {args.web[0]}:"
            f"{args.web[1]}: {exception}", file=sys.stderr)
        return 1
    finally:
        controller.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
