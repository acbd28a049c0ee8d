"""The dashboard's shared layer: database access, filters, measures, charts and downloads."""
import warnings

import pandas as pd

# pandas 3 keeps strings in Arrow arrays by default.  A page rerun pushes a few dozen small
# tables through pandas, and on small tables every Arrow-string operation costs several times
# its NumPy-object equivalent: page reruns take about 0.45 s instead of 0.3 s on the
# 1M-respondent benchmark (bench/app_bench.py).  The option is deprecated and leaves with
# pandas 4 (requirements.txt pins 3.x); revisit this when upgrading.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    pd.set_option("future.infer_string", False)
