# This file is part of the B2B wholesale suite.
"""`b2b bench NAME`: run a benchmark on PostgreSQL with its data set.

The server is the configured one (TRYTOND_DATABASE__URI=postgresql://...)
or a private cluster kept under var/pgbench, started the way ./dev test
starts its throw-away one but kept between runs, so that the large data
set is built on first use and reused afterwards."""
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from b2b_suite import config, pgcluster


def _b2b(*args, env):
    "Run a b2b subcommand (set-up, demo data) and fail loudly"
    subprocess.run([sys.executable, '-m', 'b2b_suite.cli', *args],
        env=env, check=True)


@contextlib.contextmanager
def bench_server(directory):
    "Yield the URI of the configured PostgreSQL or of the kept cluster"
    uri = pgcluster.configured_uri()
    if uri:
        yield uri
    else:
        with pgcluster.kept_cluster(directory) as uri:
            yield uri


def prepare(database, env, size='large'):
    "Set the database up and load the data set unless done before"
    _b2b('setup', '--database', database, env=env)
    _b2b('demo-data', '--size', size, '--if-needed',
        '--database', database, env=env)


def run(name, database, iterations=30, root=None, duration=20,
        scenarios=None):
    if name == 'matching':
        # generated plain data: no database to prepare
        return _run(name, database, iterations, None, duration)
    root = Path(root or config.ROOT)
    with bench_server(root / 'var' / 'pgbench') as uri:
        env = dict(os.environ)
        for variable in pgcluster.URI_VARIABLES:
            env[variable] = uri
        os.environ.update({v: uri for v in pgcluster.URI_VARIABLES})
        # credit makes its own companies: the small set's shop suffices
        prepare(database, env, 'small' if name == 'credit' else 'large')
        with config.written(config.load()) as path:
            from trytond import config as trytond_config
            trytond_config.update_etc(str(path))
            return _run(name, database, iterations, path, duration,
                scenarios)


def _run(name, database, iterations, config_path=None, duration=20,
        scenarios=None):
    if name == 'portal':
        from b2b_suite.bench import portal
        figures = portal.measure(database, config_path, duration=duration,
            scenarios=scenarios)
        print(json.dumps(figures))
    elif name == 'pricing':
        from b2b_suite.bench import pricing
        print(f"Pricing a catalog page of {pricing.PAGE} products for "
            f"one company, median of {iterations} runs each "
            "(new transaction per run)", flush=True)
        ours_ms, baseline_ms, check = pricing.measure(
            database, iterations=iterations)
        print(f"ours (b2b.pricing, one batched call): {ours_ms:8.2f} ms")
        print(f"baseline (Tryton per-product sale price + taxes): "
            f"{baseline_ms:8.2f} ms")
        print(f"ratio baseline/ours: {baseline_ms / ours_ms:.1f}x; "
            f"{check}")
        print(json.dumps({
                    'ours_ms': round(ours_ms, 2),
                    'baseline_ms': round(baseline_ms, 2),
                    'ratio': round(baseline_ms / ours_ms, 2),
                    }))
    elif name == 'credit':
        from b2b_suite.bench import credit
        print(f"{credit.BUYERS} buyers of {credit.BUYERS} companies check "
            f"out {credit.ORDERS} carts each on trade credit at once",
            flush=True)
        figures = credit.measure(database, config_path)
        print(f"ratio ours/baseline: {figures['ratio']:.2f}x")
        print(json.dumps(figures))
    elif name == 'matching':
        from b2b_suite.bench import matching
        print("Matching a generated month of bank statement lines to open "
            "invoices (b2b_bank_import.matcher)", flush=True)
        matching.report(matching.measure())
    else:
        raise ValueError(f"unknown benchmark {name}")
    return 0
