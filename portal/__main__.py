# This file is part of the B2B wholesale suite.
"""python -m portal [HOST:PORT]: serve the portal with werkzeug's
development server (default 127.0.0.1:5000); in production run the WSGI
application portal.wsgi:app under a WSGI server"""
import sys

from . import create_app


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    host, _, port = (argv[0] if argv else '127.0.0.1:5000').rpartition(':')
    create_app().run(host=host or '127.0.0.1', port=int(port or 5000))


if __name__ == '__main__':
    main()
