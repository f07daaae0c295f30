"""The columnar engine on Dask DataFrames (the optional ``dask`` extra:
``pip install 'leadscoring[dask]'``).

A module of its own, so ``import leadscoring`` never imports dask::

    from leadscoring.dask import assess_dask, score_dask
"""

from .integrations.dask import activity_dask, assess_accounts_dask, assess_dask, score_dask

__all__ = ["activity_dask", "assess_accounts_dask", "assess_dask", "score_dask"]
