"""Adapters that run the columnar engine on Dask and Spark (the ``dask`` and ``spark``
extras), one bucket of leads per call; the public modules are :mod:`leadscoring.dask` and
:mod:`leadscoring.spark`."""
