"""What a benchmark run ran on: CPU, cores, library versions, BLAS kernel, thread settings."""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import os
import platform
import re
import sys

import numpy as np

CORETYPE_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def cpu_model():
    """The CPU's model name and its widest vector instructions (from /proc/cpuinfo on Linux)."""
    name, flags = None, set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and name is None:
                    name = value.strip()
                elif key.strip() == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    name = name or platform.processor() or platform.machine()
    simd = next((s for f, s in (("avx512f", "AVX-512"), ("avx2", "AVX2")) if f in flags), None)
    return f"{name} ({platform.machine()}{', ' + simd if simd else ''})"


def cores():
    """(logical CPUs, CPUs this process may run on)."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count()
    return os.cpu_count(), usable


def _threadpoolctl():
    try:
        import threadpoolctl
    except ImportError:
        return None
    return threadpoolctl


def blas_info():
    """numpy's BLAS as the process loaded it: name, version, kernel (architecture), threads."""
    tpc = _threadpoolctl()
    if tpc is not None:
        for lib in tpc.threadpool_info():
            if lib.get("user_api") == "blas" and "numpy" in lib.get("filepath", ""):
                return {
                    "name": lib.get("internal_api"),
                    "version": lib.get("version"),
                    "kernel": lib.get("architecture") or "unknown",
                    "threading": lib.get("threading_layer"),
                    "default_threads": lib.get("num_threads"),
                }
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        name, version = blas.get("name"), blas.get("version")
    except Exception:  # older numpy without mode="dicts"
        name, version = "unknown", None
    return {
        "name": name,
        "version": version,
        "kernel": "unknown (install threadpoolctl to see it)",
        "threading": None,
        "default_threads": None,
    }


def torch_info(torch):
    if torch is None:
        return None
    found = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    blas = found.group(1) if found else "unknown"
    try:
        capability = torch.backends.cpu.get_cpu_capability()
    except AttributeError:
        capability = "unknown"
    return {"version": torch.__version__, "blas": blas, "cpu_capability": capability}


def load_average():
    """The machine's load average, 1 and 5 min, as text (or "unknown")."""
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def describe(torch=None):
    """Everything a reader needs to reproduce the numbers, as a dict of strings."""
    import matplotlib

    logical, usable = cores()
    blas = blas_info()
    env = {k: os.environ.get(k) for k in CORETYPE_VARS}
    t = torch_info(torch)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": f"{logical} logical, {usable} usable by this process",
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "blas": f"{blas['name']} {blas['version'] or ''}".strip()
        + (f", threading: {blas['threading']}" if blas["threading"] else ""),
        "blas_kernel": blas["kernel"],
        "openblas_env": ", ".join(
            f"{k}={v if v is not None else '(unset)'}" for k, v in env.items()
        ),
        "torch": "not installed"
        if t is None
        else f"{t['version']} (BLAS: {t['blas']}, CPU capability: {t['cpu_capability']})",
        "matplotlib": matplotlib.__version__,
        "threadpoolctl": "installed" if _threadpoolctl() else "not installed",
        "load": load_average(),
    }


def coretype_warning():
    """A note when the OpenBLAS core-type override is set (it makes numpy run an older kernel)."""
    set_vars = [k for k in CORETYPE_VARS if os.environ.get(k)]
    if not set_vars:
        return None
    return (
        f"{' and '.join(set_vars)} set: numpy's OpenBLAS runs the kernel they force, which can "
        "be slower than the one it would pick for this CPU. To benchmark that one, run "
        "`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE make bench` (never in tests or CI)."
    )


@contextlib.contextmanager
def threads(n, torch=None):
    """Run the block with ``n`` BLAS threads in numpy and ``n`` intra-op threads in torch.

    ``n = None`` changes nothing (each library keeps its default)."""
    if n is None:
        yield
        return
    tpc = _threadpoolctl()
    old_torch = torch.get_num_threads() if torch is not None else None
    if torch is not None:
        torch.set_num_threads(n)
    limiter = tpc.threadpool_limits(limits=n, user_api="blas") if tpc else contextlib.nullcontext()
    try:
        with limiter:
            yield
    finally:
        if torch is not None:
            torch.set_num_threads(old_torch)


def threads_controllable():
    return _threadpoolctl() is not None


# glibc's mallopt parameters (<malloc.h>)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD_MAX = 32 * 2**20  # the largest glibc accepts on 64-bit


def steady_allocator():
    """Hold glibc's memory allocator in one state for the rest of the process; says which.

    By default glibc serves each block above its mmap threshold (128 KiB at first, raised as
    large blocks are freed) with fresh pages from the kernel, and hands free memory at the top
    of the heap back to the kernel. Whether the arrays of one forward + backward call (0.26 MB
    each at (16, 32, 32, 64)) are then page-faulted in anew on every call depends on the
    process's history: the same floor measured 0.69 ms in one process and 1.02 ms in another
    here, with nothing else changed. Fixing both thresholds keeps freed memory in the heap for
    reuse, the state a long-running kernel settles in, for every implementation alike.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX) == 1
        ok = ok and libc.mallopt(_M_TRIM_THRESHOLD, 2**30) == 1
    except (OSError, AttributeError):
        ok = False
    if not ok:
        return "the C library's default (not glibc, or mallopt refused): times may vary by process"
    return (
        "glibc, held steady (mallopt): blocks up to 32 MiB come from the heap and freed memory "
        "stays there, so no call page-faults its arrays in anew"
    )
