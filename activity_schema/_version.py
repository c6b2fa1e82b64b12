"""The package version, kept apart so ``--version`` imports nothing heavy.

This is the one place the version is written: ``pyproject.toml`` declares it dynamic
and setuptools reads this assignment (statically, without importing the package) into
the wheel's and sdist's metadata, which ``importlib.metadata`` reports. Bump it here,
and move CHANGELOG.md's ``Unreleased`` entries under the new version.
"""

__version__ = "0.1.0"
