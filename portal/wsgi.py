# This file is part of the B2B wholesale suite.
"""The portal as a WSGI application, configured from the environment (see
the portal package's docstring): e.g. `gunicorn portal.wsgi:app`"""
from . import create_app

app = create_app()
