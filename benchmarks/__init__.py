"""Benchmarks for the BPTT course (``make bench`` runs :mod:`benchmarks.run`).

- :mod:`benchmarks.bptt`    rnnlib's BPTT against PyTorch autograd and the leanest numpy floor
- :mod:`benchmarks.course`  execution time of every lesson and solution notebook
- :mod:`benchmarks.sliders` latency of every registered slider explorer
- :mod:`benchmarks.grading` nbgrader autograde, per exercise and for a class
- :mod:`benchmarks.browser_latency` slider latency end to end, in JupyterLab in Chromium
- :mod:`benchmarks.memory`  memory of the JupyterLab server and of a kernel per notebook
- :mod:`benchmarks.machine` the machine, library versions and thread settings of a run

Nothing here is a test: timings are measured and reported, never asserted (``tests/`` only checks
that the floor computes the same gradients as rnnlib, so that the comparison is honest).
"""
