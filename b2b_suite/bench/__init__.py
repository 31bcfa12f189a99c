# This file is part of the B2B wholesale suite.
"""Benchmarks of the hot paths, run by `b2b bench NAME`"""
