# This file is part of the B2B wholesale suite.
"""The fingerprint of what `b2b setup` installs into a database: our
modules' files, the installed Tryton distributions, the languages and the
database URI. The same fingerprint as at the last setup means nothing to
update."""
import hashlib
import importlib.metadata
import importlib.util
import json
from pathlib import Path

from b2b_suite import config


def module_directories(modules):
    "Yield (module, its package directory or None) for each of modules"
    packages = {ep.name: ep.value for ep in importlib.metadata.entry_points(
            group='trytond.modules')}
    for module in modules:
        spec = importlib.util.find_spec(packages.get(module, module))
        if spec and spec.origin:
            yield module, Path(spec.origin).parent
        else:
            yield module, None


def fingerprint(uri, modules, languages):
    """Return a hash of the files of modules (their tests aside), the
    installed trytond and proteus distributions, the languages and the
    database URI (without its password)"""
    digest = hashlib.sha256()
    digest.update(json.dumps(
            [modules, languages, config.safe_uri(uri)]).encode())
    for module, directory in module_directories(modules):
        digest.update(f'\0module {module} {directory}\0'.encode())
        if directory is None:
            continue
        for path in sorted(directory.rglob('*')):
            relative = path.relative_to(directory)
            if (not path.is_file() or relative.parts[0] == 'tests'
                    or '__pycache__' in relative.parts):
                continue
            digest.update(f'\0{relative}\0'.encode())
            digest.update(path.read_bytes())
    versions = sorted(
        f"{dist.metadata['Name']}=={dist.version}"
        for dist in importlib.metadata.distributions()
        if (dist.metadata['Name'] or '').lower().replace('-', '_')
        .startswith(('trytond', 'proteus')))
    digest.update('\0'.join(versions).encode())
    return digest.hexdigest()
