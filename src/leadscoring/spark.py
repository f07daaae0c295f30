"""The columnar engine on PySpark DataFrames (the optional ``spark`` extra:
``pip install 'leadscoring[spark]'``, and a Java runtime).

A module of its own, so ``import leadscoring`` never imports pyspark::

    from leadscoring.spark import assess_spark, score_spark
"""

from .integrations.spark import activity_spark, assess_accounts_spark, assess_spark, score_spark

__all__ = ["activity_spark", "assess_accounts_spark", "assess_spark", "score_spark"]
