# The two commands of the README: `make lab` and `make test`. Everything else is for authors.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
# Running as root (containers, CI) needs --allow-root; a normal user does not.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
FIRST_LESSON := notebooks/00_unrolled_forward_pass.ipynb
# The course's matrices are small: BLAS threads only add overhead (10-20x slower on a busy 2-core
# machine). One thread each, unless the caller sets otherwise; kernels started by `make lab` inherit it.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

# Every lesson and solution.
STAGES := $(wildcard notebooks/[0-9][0-9]_*.ipynb solutions/[0-9][0-9]_*.ipynb)
# numpy's own SIMD loops (np.tanh, np.exp, ...) give other last digits on other CPUs: the names of
# those this CPU runs beyond numpy's baseline, for NPY_DISABLE_CPU_FEATURES (evaluated when used)
NUMPY_SIMD = $(shell $(PY) -c 'import numpy; u = (getattr(numpy, "_core", None) or numpy.core) \
	._multiarray_umath; print(" ".join(x for x in u.__cpu_dispatch__ if u.__cpu_features__.get(x)))')

.PHONY: help lab test test-fast test-oldest test-python notebooks exercises class class-report bench lint format doctor clean

help:
	@echo "make lab        set up .venv, then open JupyterLab at the first lesson"
	@echo "make test       set up .venv, then run every test (unit, notebooks, exercises, browser)"
	@echo "make test-fast  unit tests only, no notebooks or browser"
	@echo "make test-oldest  the unit tests and notebooks with the oldest supported dependencies"
	@echo "make test-python  the unit tests and notebooks under another Python (PYVER=3.10;"
	@echo "                default: Binder's, binder/runtime.txt), if this machine has it"
	@echo "make notebooks  re-execute lessons and solutions in place, storing their outputs"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make class      an nbgrader course in build/class/ from solutions/ (INSTRUCTORS.md);"
	@echo "                once graded: KEEP_GRADES=1 keeps the grades, FORCE=1 starts anew;"
	@echo "                OPTIONAL_POINTS=N makes the optional parts count"
	@echo "make class-report  which mistakes the autograded class made, how often (INSTRUCTORS.md"
	@echo "                section 4); COURSES=dirs, ASSIGNMENT=NN_name, CSV=file"
	@echo "make bench      run the benchmarks, write benchmarks/RESULTS.md"
	@echo "make lint       ruff check and format check over .py and .ipynb"
	@echo "make format     ruff format and ruff's fixes over .py and .ipynb"
	@echo "make doctor     check that this Python has what the course needs"
	@echo "make clean      remove .venv, the oldest-dependencies venv and tool caches"

# The oldest Python the course supports (pyproject.toml's requires-python), and a test of a
# Python against it: $(call py_ok,python) succeeds for a Python that is new enough.
MIN_PY := $(shell sed -n 's/^requires-python = ">=\([0-9.]*\)"$$/\1/p' pyproject.toml)
py_ok = $(1) -c 'import sys; sys.exit(sys.version_info < tuple(map(int, "$(MIN_PY)".split("."))))' \
	>/dev/null 2>&1
# A .venv that cannot work is removed, so that the next make builds a new one (each later
# `make lab` failed in it again): one left by a Python the course does not support (a first try
# with an old python3, which pip refused), or one without pip (venv stopped half-way: Debian's
# and Ubuntu's Python without their python3-venv package).
ifneq ($(wildcard $(PY)),)
ifneq ($(shell $(call py_ok,$(PY)) && echo ok),ok)
$(info make: removing $(VENV): its Python is older than $(MIN_PY), which the course needs)
$(shell rm -rf $(VENV))
else ifneq ($(shell $(PY) -c 'import pip' >/dev/null 2>&1 && echo ok),ok)
$(info make: removing $(VENV): it has no pip, which make installs with (a venv stopped half-way?))
$(shell rm -rf $(VENV))
endif
endif

$(PY):
	@$(call py_ok,$(PYTHON)) || { \
		echo "make: '$(PYTHON)' is Python $$($(PYTHON) -c 'import platform; \
			print(platform.python_version())' 2>/dev/null || echo '(not found)'); the course needs \
			Python $(MIN_PY) or newer. Install one, then give its name or path, e.g. \
			make lab PYTHON=python3.12" | tr -s ' \t' ' ' >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(PIP) install --upgrade pip

# One stamp per set of extras; re-installs when pyproject.toml changes.
$(VENV)/.lab: pyproject.toml | $(PY)
	$(PIP) install -e '.[lab]'
	@touch $@

$(VENV)/.test: pyproject.toml | $(PY)
	$(PIP) install -e '.[test]'
	@touch $@ $(VENV)/.lab

# jupyter-config/: saving a lesson keeps its kernel metadata (git stays clean), no news pop-up,
# no workspace that reopens last time's notebooks (each with a kernel).
lab: $(VENV)/.lab
	JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter-config \
		$(VENV)/bin/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=$(CURDIR) \
		--LabApp.default_url=/lab/tree/$(FIRST_LESSON)

test: $(VENV)/.test
	$(PY) -m pytest -p no:cacheprovider tests
	$(PY) -m pytest -p no:cacheprovider --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg notebooks solutions
# Stored outputs must not depend on round-off: every stage again, as on another CPU: another
# BLAS kernel (AVX without FMA, on every x86-64 CPU with AVX), 2 threads, and numpy's elementwise
# functions without the SIMD loops this CPU has beyond numpy's baseline (other last digits of tanh).
	OPENBLAS_CORETYPE=Sandybridge OPENBLAS_NUM_THREADS=2 NPY_DISABLE_CPU_FEATURES="$(NUMPY_SIMD)" \
		$(PY) -m pytest -p no:cacheprovider --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg $(STAGES)

# The oldest supported dependencies: a second environment with every lower bound of pyproject.toml
# pinned (tools/oldest_constraints.py; transitive dependencies float, but for those held back in
# pyproject.toml [tool.rnnlib.oldest]), rebuilt from scratch when
# pyproject.toml changes. Unit tests (no browser; the nbgrader class simulation runs in `make test`
# only) and the notebooks with the flags of `make test`.
OLDEST := .venv-oldest
OLD_PY := $(OLDEST)/bin/python
$(OLDEST)/.test: pyproject.toml tools/oldest_constraints.py
	rm -rf $(OLDEST)
	$(PYTHON) -m venv $(OLDEST)
	$(OLD_PY) -m pip --disable-pip-version-check install --upgrade pip 'tomli; python_version < "3.11"'
	$(OLD_PY) -m tools.oldest_constraints pyproject.toml > $(OLDEST)/constraints.txt
	$(OLD_PY) -m pip --disable-pip-version-check install -c $(OLDEST)/constraints.txt -e '.[test]'
	@touch $@

test-oldest: $(OLDEST)/.test
	$(OLD_PY) -m pytest -p no:cacheprovider -m "not browser and not grading" tests
	$(OLD_PY) -m pytest -p no:cacheprovider --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg notebooks solutions

# Another Python: PYVER=3.10, the oldest the course supports (pyproject.toml's requires-python),
# or PYVER=3.12 (the default), what Binder and the hub image run (binder/runtime.txt). The unit
# tests (no browser, no class) and the notebooks, in a venv of its own with the newest
# dependencies that Python gets: numpy 2.5 needs 3.12, while 3.10 stays at numpy 2.2 (and has no
# nbgrader). The Python must be on this machine (python3.12 on PATH, or pyenv's: tools/find_python).
PYVER ?= $(shell sed -n 's/^python-//p' binder/runtime.txt)
OTHER := .venv-py$(PYVER)
$(OTHER)/.test: pyproject.toml
	rm -rf $(OTHER)
	py=$$(tools/find_python $(PYVER)) && $$py -m venv $(OTHER)
	$(OTHER)/bin/python -m pip --disable-pip-version-check install --upgrade pip
	$(OTHER)/bin/python -m pip --disable-pip-version-check install -e '.[test]'
	@touch $@

test-python: $(OTHER)/.test
	$(OTHER)/bin/python -m pytest -p no:cacheprovider -m "not browser and not grading" tests
	$(OTHER)/bin/python -m pytest -p no:cacheprovider --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg notebooks solutions

# Quick loop for authors: unit tests only, no notebooks, no browser.
test-fast: $(VENV)/.test
	$(PY) -m pytest -p no:cacheprovider -m "not browser and not slow" tests

notebooks: $(VENV)/.test
	$(PY) -m tools.run_notebooks notebooks solutions

# Needs only nbformat (JupyterLab's): an instructor's .venv of `make class` gets no test stack.
exercises: $(VENV)/.lab
	$(PY) -m tools.make_exercises solutions exercises

# An nbgrader course folder (source/ from solutions/, release/ by nbgrader generate_assignment),
# checked against exercises/. Run nbgrader's other commands in build/class/ (INSTRUCTORS.md).
$(VENV)/.class: pyproject.toml | $(PY)
	$(PIP) install -e '.[class]'
	@touch $@ $(VENV)/.lab

# Once learners' work has been graded in build/class/, `make class` stops and says so: rebuild
# with KEEP_GRADES=1 (keep the gradebook, update points) or FORCE=1 (a new gradebook; the old one
# is moved to build/class/old-<time>/). OPTIONAL_POINTS=N: what each optional item is worth
# (default 0).
class: $(VENV)/.class
	$(PY) -m tools.make_class --solutions solutions --exercises exercises --out build/class \
		$(if $(filter-out 0,$(KEEP_GRADES)),--keep-grades) $(if $(filter-out 0,$(FORCE)),--force) \
		$(if $(OPTIONAL_POINTS),--optional-points $(OPTIONAL_POINTS))

# Which mistakes the autograded class made, check by check (tools/class_report.py). COURSES: the
# course folders (default build/class; several for a class graded in shards); ASSIGNMENT: one or
# more exercises (NN_name); CSV: also write the counts to that file.
class-report: $(VENV)/.class
	$(PY) -m tools.class_report $(or $(COURSES),build/class) \
		$(foreach a,$(ASSIGNMENT),--assignment $(a)) $(if $(CSV),--csv $(CSV))

# torch is optional: taken only from a wheel already on this machine (pip's find-links), never
# downloaded (a CUDA build is several GB). Without it the torch columns say "not installed".
$(VENV)/.bench: pyproject.toml | $(PY)
	$(PIP) install -e '.[test,bench]'
	-$(PIP) install --no-index --no-deps --only-binary=:all: torch==2.13.0 \
		&& $(PIP) install torch==2.13.0 \
		|| echo "bench: no local torch wheel; the torch columns will say 'not installed'"
	@touch $@ $(VENV)/.test $(VENV)/.lab

# Benchmarks pick their own thread counts (1 and 2), so the single-thread default is lifted.
bench: $(VENV)/.bench
	env -u OPENBLAS_NUM_THREADS -u OMP_NUM_THREADS -u MKL_NUM_THREADS $(PY) -m benchmarks.run

doctor: $(VENV)/.lab
	$(PY) -m rnnlib.doctor

lint: $(VENV)/.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) $(OLDEST) .venv-py* .pytest_cache .ruff_cache .hypothesis
