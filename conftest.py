# This file is part of the B2B wholesale suite.
"""Let pytest run Tryton's doctest scenarios (tests/scenario_*.rst).

pytest ignores the unittest load_tests protocol through which Tryton
collects them, so each scenario becomes an item that runs trytond's own
load_doc_tests (same flags, set-up, JSON configs and DB_CACHE)."""
import unittest

import pytest


def pytest_collect_file(file_path, parent):
    if (file_path.suffix == '.rst' and file_path.name.startswith('scenario_')
            and file_path.parent.name == 'tests'):
        return ScenarioFile.from_parent(parent, path=file_path)


class ScenarioFailure(Exception):
    pass


class ScenarioFile(pytest.File):
    def collect(self):
        yield ScenarioItem.from_parent(self, name=self.path.stem)


class ScenarioItem(pytest.Item):
    def _package(self):
        names, directory = [], self.path.parent
        while (directory / '__init__.py').exists():
            names.insert(0, directory.name)
            directory = directory.parent
        return '.'.join(names)

    def runtest(self):
        from trytond.tests.test_tryton import load_doc_tests
        loader = unittest.TestLoader()
        loader.testNamePatterns = [self.path.name]
        suite = load_doc_tests(self._package(), str(self.path), loader,
            unittest.TestSuite(), None)
        result = unittest.TestResult()
        suite.run(result)
        if not result.testsRun:
            raise ScenarioFailure(f"{self.path.name} was not run")
        if problems := result.errors + result.failures:
            raise ScenarioFailure('\n'.join(text for _, text in problems))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"scenario: {self.name}"


def _sources_hash():
    "Hash the module sources: a template database of other sources is stale"
    import hashlib
    from pathlib import Path
    digest = hashlib.sha256()
    root = Path(__file__).parent / 'modules'
    for path in sorted(root.rglob('*')):
        # the tests are not in the template: editing them keeps it
        if path.suffix in {'.py', '.xml', '.cfg', '.po'} and not (
                {'__pycache__', 'tests'} & set(path.parts)):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _uri():
    "Return the configured database URI"
    import os
    return (os.environ.get('TRYTOND_DATABASE__URI')
        or os.environ.get('TRYTOND_DATABASE_URI') or '')


def _connect(uri=None):
    """Connect to the maintenance database of the configured PostgreSQL
    (or of the uri given)"""
    import urllib.parse

    import psycopg
    uri = uri or _uri()
    if not uri.startswith('postgresql://'):
        return None
    parts = urllib.parse.urlsplit(uri)
    return psycopg.connect(
        host=parts.hostname, port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or '') or None,
        password=urllib.parse.unquote(parts.password or '') or None,
        dbname='postgres', autocommit=True)


def pytest_sessionstart(session):
    """Drop this suite's cached template databases (DB_CACHE=postgresql://)
    built from other module sources: trytond keys them by module names
    only. Only templates recorded as this suite's are dropped (see
    b2b_suite.testdb); other databases of the server are never touched."""
    import os
    import sys

    from b2b_suite import testdb
    if not os.environ.get('DB_CACHE', '').startswith('postgresql://'):
        return
    connection = _connect()
    if connection is None:
        return
    current = _sources_hash()
    with connection:
        left = testdb.drop_stale(connection, current,
            log=lambda text: print(text, file=sys.stderr))
    for name, comment in left.items():
        if not testdb.ours(comment):
            print(f"database {name} is not this suite's: left alone (trytond "
                "reuses it as a template if its name is one of ours)",
                file=sys.stderr)
    session.config._b2b_sources_hash = current
    session.config._b2b_databases_before = set(left)
    # tests may change the environment (the command's tests do)
    session.config._b2b_database_uri = _uri()


def _record_templates(config):
    "Record the template databases made since the start as this suite's"
    from b2b_suite import testdb
    current = getattr(config, '_b2b_sources_hash', None)
    if not current:
        return
    connection = _connect(config._b2b_database_uri)
    with connection:
        testdb.record_new(
            connection, config._b2b_databases_before, current)


def pytest_runtest_teardown(item):
    # recorded at once, so that a run stopped half-way leaves no template
    # that a later run could not tell from a database of someone else
    _record_templates(item.config)


def pytest_sessionfinish(session):
    _record_templates(session.config)
