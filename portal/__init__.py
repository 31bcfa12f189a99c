# This file is part of the B2B wholesale suite.
"""The customer portal: a Flask application on the Tryton database"""
