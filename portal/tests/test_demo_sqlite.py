# This file is part of the B2B wholesale suite.
"""The demo as `./dev demo` makes it: SQLite, set up and loaded by the b2b
command, the portal on it. The other portal tests run on PostgreSQL only,
so SQL that SQLite refuses would break the demo unseen."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# logs in as the demo buyer and prints what each page answered
PORTAL_WALK = textwrap.dedent('''
    from portal import create_app
    from portal.tests.tools import DEMO_LOGIN, DEMO_PASSWORD, login, text
    app = create_app({'TRYTON_DATABASE': 'demo', 'TRYTON_CONFIG': '',
            'TESTING': True})
    client = app.test_client()
    print('login', login(client, DEMO_LOGIN, DEMO_PASSWORD).status_code)
    for path in ['/', '/?q=a&page=2', '/product/1', '/cart', '/checkout',
            '/account/orders', '/account/invoices', '/account/credit']:
        response = client.get(path, follow_redirects=True,
            headers={'Accept-Language': 'pl'})
        print(path, response.status_code, 'zł' in text(response))
    ''')


def _b2b(*args, env):
    return subprocess.run([sys.executable, '-m', 'b2b_suite.cli', *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_demo_on_sqlite(tmp_path):
    "The demo database on SQLite: every portal page a buyer opens answers"
    env = {k: v for k, v in os.environ.items()
        if not k.startswith(('TRYTOND_', 'DB_'))}
    env.update({
            'TRYTOND_DATABASE__URI': 'sqlite://',
            'TRYTOND_DATABASE__PATH': str(tmp_path),
            'TRYTOND_EMAIL__URI': 'smtp://127.0.0.1:1',
            })
    for command in [['setup', '-d', 'demo'], ['demo-data', '-d', 'demo']]:
        result = _b2b(*command, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run([sys.executable, '-c', PORTAL_WALK], env=env,
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == 'login 302', result.stdout
    pages = {path: (status, prices)
        for path, status, prices in map(str.split, lines[1:])}
    assert len(pages) == 8, result.stdout
    assert all(s == '200' for s, _ in pages.values()), result.stdout
    # the buyer's prices in złoty on the catalog, a product and the credit
    for path in ['/', '/product/1', '/account/credit']:
        assert pages[path][1] == 'True', result.stdout
