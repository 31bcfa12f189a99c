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
