# The README's two commands: `make run` (portal with demo data) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Tool commands (translations, migration check) need settings but serve nothing.
TOOL_ENV := DEBUG=true

.PHONY: install system-packages run test lint check-migrations messages bench clean print-typed

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

# mypy checks the kernel, every service, selector and task, and the pure modules (no database) of each app.
TYPED := $(wildcard core/*.py) \
	members/services.py members/agreements.py members/selectors.py members/tasks.py members/choices.py \
	members/domain.py members/population_file.py members/ssb_population.py members/sealing.py members/validators.py members/signals.py \
	members/dashboard.py funding/dashboard.py members/enhetsregisteret.py members/register.py \
	governance/services.py governance/selectors.py governance/tasks.py governance/choices.py governance/links.py \
	governance/documents.py governance/consultations.py governance/consultation_subjects.py \
	portfolio/services.py portfolio/selectors.py portfolio/tasks.py portfolio/choices.py portfolio/lifecycle.py \
	portfolio/documents.py portfolio/grants.py portfolio/dashboard.py \
	$(wildcard funding/services/*.py) funding/selectors.py funding/invoice_selectors.py funding/tasks.py \
	funding/choices.py funding/calculation.py funding/explanations.py funding/fairness.py funding/model_io.py \
	funding/ehf.py funding/bank_file.py funding/bank_formats.py funding/journal.py funding/invoice_numbers.py funding/scenarios.py funding/documents.py \
	funding/access_point.py funding/invoice_response.py funding/invoice_response_rules.py funding/sharing.py funding/models/sharing.py funding/consultation_sources.py \
	annual/services.py annual/selectors.py annual/tasks.py annual/choices.py annual/checks.py annual/cycle.py \
	annual/actuals_file.py annual/feeds.py annual/documents.py annual/dashboard.py

# The files mypy checks, one per line (for running mypy by hand).
print-typed:
	@printf '%s\n' $(TYPED)

lint: | $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(TOOL_ENV) $(BIN)/mypy $(TYPED)

check-migrations: | $(STAMP)
	$(TOOL_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

# The OpenID Connect provider the sign-in tests start (tests/oidc/, oidc-provider from npm, exact versions locked).
OIDC_PROVIDER := tests/oidc/node_modules/.package-lock.json
$(OIDC_PROVIDER): tests/oidc/package.json tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error
	touch $(OIDC_PROVIDER)

test: install lint check-migrations $(OIDC_PROVIDER)
	BIN=$(BIN) ./scripts/test.sh $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache tests/oidc/node_modules
