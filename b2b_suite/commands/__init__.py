# This file is part of the B2B wholesale suite.
"""The `b2b` subcommands that work in a database through the Pool: they
call the modules' models and print what happened; the modules themselves
know nothing of the command line"""
