# Two commands set up everything on a fresh machine:
#   make demo   - build a virtual environment, then run the whole story (see README)
#   make test   - build the same environment, then run the whole test suite
VENV ?= .venv
PYTHON ?= python3
# The CPU wheel of torch is installed first, so the package's `torch>=2.4` range downloads nothing more.
TORCH_SPEC ?= torch==2.13.0
PY := $(VENV)/bin/python

.PHONY: venv demo test bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

demo: venv
	$(PY) -m stick_gen.demo

test: venv
	$(PY) -m pytest

bench: venv
	for script in bench/bench_*.py; do $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) build dist *.egg-info
