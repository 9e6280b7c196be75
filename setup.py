"""The one compiled part: the indexer's log decoder (impactchain/_decoder.c); the rest is in pyproject.toml."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("impactchain._decoder", ["impactchain/_decoder.c"])])
