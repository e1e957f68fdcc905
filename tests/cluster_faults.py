"""Faults for the test cluster's workers, loaded by `dask worker --preload` (tests/test_cluster.py).

A file named with `raise-always` makes the check raise, `die-always` ends the worker process
(its nanny starts a new one, as after an out-of-memory kill), and `slow` leaves a mark named by
the worker's pid in $ORVALIDATE_FAULT_MARKS, then takes two seconds: the test kills that worker,
or interrupts the client, while it is inside a batch. Other files are checked as usual.
"""

from __future__ import annotations

import os
import time

import orvalidate.cluster as cluster

_check = getattr(cluster, "_check_without_faults", cluster._check)  # Dask may load a preload twice
cluster._check_without_faults = _check  # type: ignore[attr-defined]


def _faulty(path: str, options: dict):
    name = os.path.basename(path)
    if "raise-always" in name:
        raise RuntimeError("injected fault")
    if "die-always" in name:
        os._exit(3)
    if "slow" in name:
        marks = os.environ.get("ORVALIDATE_FAULT_MARKS")
        if marks:
            with open(os.path.join(marks, str(os.getpid())), "w"):
                pass
        time.sleep(2)
    return _check(path, options)


cluster._check = _faulty
