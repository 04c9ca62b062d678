# The README's two commands: `make run` (portal with demo data) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Tool commands (translations, migration check) need settings but serve nothing.
TOOL_ENV := DEBUG=true

.PHONY: install system-packages run test lint check-migrations messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

system-packages:
	./scripts/system-packages.sh $(if $(filter test,$(MAKECMDGOALS)),--test,)

install: system-packages $(STAMP) .env messages

# A development .env for the README's commands (python manage.py ...); an existing one is left as it is.
.env:
	@printf '%s\n' '# Development settings written by make install; variables set in the environment win.' \
		'DEBUG=true' "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "Wrote a development .env (DEBUG=true, a generated SECRET_KEY)"

messages: | $(STAMP)
	if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then $(TOOL_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv -v0; fi

run: export DEBUG ?= true
run: export HOST := $(HOST)
run: export PORT := $(PORT)
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo "Serving the portal on http://$(HOST):$(PORT)/ with a Celery worker beside it for background jobs"
	@echo "Mails are written to files under $${EMAIL_FILE_PATH:-var/mail}/; read them at http://$(HOST):$(PORT)/dev/mail/ (secretariat)"
	BIN=$(BIN) ./scripts/run.sh

# The pure domain modules, type-checked with django-stubs.
TYPED := funding/calculation.py funding/ehf.py funding/bank_file.py funding/invoicing.py members/domain.py \
	members/population_file.py core/formatting.py core/policy.py core/env.py core/counters.py core/documents.py \
	core/runs.py portfolio/lifecycle.py

lint: | $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(TOOL_ENV) $(BIN)/mypy $(TYPED)

check-migrations: | $(STAMP)
	$(TOOL_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

test: install lint check-migrations
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
