# Two commands a new user needs: `make demo` and `make test`. Both create .venv, install
# ganzoo and every first-party plugin (editable) against constraints.txt (pinned CPU torch).
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PLUGINS = $(sort $(wildcard plugins/ganzoo-*))
STAMP   = $(VENV)/.installed

.PHONY: demo test install clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) pyproject.toml constraints.txt $(wildcard plugins/*/pyproject.toml)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,onnx,tensorboard]' $(foreach p,$(PLUGINS),-e $(p))
	touch $(STAMP)

install: $(STAMP)

demo: install
	bash examples/demo.sh $(VENV)/bin

test: install
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info plugins/*/*.egg-info
