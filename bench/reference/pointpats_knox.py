"""Reference timing: pointpats.Knox on the points in a JSON file (x, y, t), run inside .venv-ref.

Usage: pointpats_knox.py points.json delta tau permutations repeats -> one JSON line: the best time of
`repeats` runs, in seconds, and the observed count.
"""

import json
import sys
import time

import numpy as np
import pointpats
from pointpats.spacetime import Knox

with open(sys.argv[1]) as handle:
    points = json.load(handle)
delta, tau, permutations, repeats = float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
s = np.column_stack([points["x"], points["y"]])
t = np.asarray(points["t"], dtype=float).reshape(-1, 1)
seconds = float("inf")
for _run in range(repeats):
    start = time.perf_counter()
    result = Knox(s, t, delta=delta, tau=tau, permutations=permutations)
    seconds = min(seconds, time.perf_counter() - start)
print(json.dumps({"seconds": seconds, "observed": int(result.observed[0, 0]), "version": pointpats.__version__}))
