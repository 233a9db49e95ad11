# Intervjustudie: `make run` serves the app with demo data, `make test` runs every check.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
CATALOGS := $(wildcard study/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

# The age project's public test vectors (C2SP CCTV), from the npm registry at install time.
TESTKIT := $(VENV)/cctv-age/index.js
TESTKIT_VERSION := 0.2.0

.PHONY: run test lint translations extract bench clean

# The environment is rebuilt when the project's dependencies change.
$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	touch $@

%.mo: %.po $(BIN)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

translations: $(COMPILED)

# Development only: debug mode, demo data, and mail on the console. A deployment runs
# without --debug and sets EXTERNAL_URL and MAIL_SERVER (see the README).
run: $(BIN)/.installed translations
	$(FLASK) --debug db upgrade
	$(FLASK) --debug demo --if-empty
	@echo "Intervjustudie runs on http://127.0.0.1:5000 (stop with Ctrl-C)"
	@echo "This is a development server. To deploy, see the README: set EXTERNAL_URL and MAIL_SERVER."
	$(FLASK) run --debug --host 127.0.0.1 --port 5000

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(BIN)/.installed translations lint $(TESTKIT)
	$(BIN)/pytest $(PYTEST_ARGS)

# Without npm the vector tests skip with one line (and fail in CI, which installs npm).
$(TESTKIT):
	@if command -v npm >/dev/null; then \
	  mkdir -p $(@D) && cd $(@D) && npm pack --silent cctv-age@$(TESTKIT_VERSION) >/dev/null && \
	  tar -xzf cctv-age-$(TESTKIT_VERSION).tgz --strip-components=1 package/index.js package/README.md; \
	else echo "npm not found: the age test vectors will be skipped (apt-get install npm)"; fi

# After changing interface strings: refresh the template and merge it into the catalogs.
extract: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_pgettext:1c,2 --no-location --sort-output --ignore-dirs='.venv .* _* tests bench' -o study/translations/messages.pot .
	$(BIN)/pybabel update -i study/translations/messages.pot -d study/translations --ignore-obsolete

bench: $(BIN)/.installed
	$(BIN)/python bench/vault.py
	$(BIN)/python bench/pseudonymize.py
	$(BIN)/python bench/pdf.py
	$(BIN)/python bench/login.py
	$(BIN)/python bench/respondent.py

clean:
	rm -rf $(VENV) $(COMPILED) .pytest_cache .ruff_cache
