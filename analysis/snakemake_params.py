"""Snakemake's serializer of rule params, without importing pandas (installed by the Snakefile).

Snakemake records each job's params (``.snakemake/metadata``) and compares them at every run to
decide whether a job must rerun (rerun trigger ``params``). Snakemake 9.27 serializes a param with
``repr`` unless pandas is installed, in which case it first imports pandas to hash DataFrame,
Series and Index params (``PersistenceBase._serialize_param``). That import costs about 0.4 s of
every Snakemake run, a fifth of a rerun with nothing to do, although this workflow's params are
strings, numbers and lists. :func:`serialize_param` gives the same value as Snakemake's for every
param (a pandas object takes Snakemake's pandas path, which imports pandas then), so the records
and the rerun decisions are the same; ``tests/test_snakemake_params.py`` checks both.

Installed only for the pinned Snakemake whose private method names it relies on; with another
version nothing is changed.
"""

from __future__ import annotations

#: The Snakemake version this replacement was written against and checked with.
SNAKEMAKE_VERSION = "9.27.1"


def serialize_param(persistence, value):
    """What ``persistence._serialize_param(value)`` returns in Snakemake 9.27.1, importing pandas
    only for a pandas object."""
    if type(value).__module__.partition(".")[0] == "pandas":
        return persistence._serialize_param_pandas(value)
    return persistence._serialize_param_builtin(value)


def install() -> bool:
    """Make Snakemake use :func:`serialize_param`; return whether it is installed."""
    import snakemake
    from snakemake.persistence import PersistenceBase

    if snakemake.__version__ != SNAKEMAKE_VERSION or not all(
            hasattr(PersistenceBase, name) for name in ("_serialize_param", "_serialize_param_builtin",
                                                        "_serialize_param_pandas")):
        return False
    PersistenceBase._serialize_param = property(lambda self: serialize_param.__get__(self))
    return True
