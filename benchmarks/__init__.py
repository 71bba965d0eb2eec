"""Benchmarks for the BPTT course (``make bench`` runs :mod:`benchmarks.run`).

- :mod:`benchmarks.bptt`    rnnlib's BPTT against PyTorch autograd and the leanest numpy floor
- :mod:`benchmarks.course`  execution time of every lesson and solution notebook
- :mod:`benchmarks.sliders` latency of every registered slider explorer
- :mod:`benchmarks.machine` the machine, library versions and thread settings of a run

Nothing here is a test: timings are measured and reported, never asserted (``tests/`` only checks
that the floor computes the same gradients as rnnlib, so that the comparison is honest).
"""
