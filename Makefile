.PHONY: run serve test bench lint lock

# Runs the product: admin, Celery worker and beat, Redis and the Trackunit sandbox, with demo data.
run:
	@bash scripts/run.sh

# Runs it as in production: gunicorn (+ WhiteNoise), Celery workers and one beat, from the Procfile.
serve:
	@bash scripts/serve.sh $(ARGS)

# Runs every test against PostgreSQL, Redis and headless Chromium.
test:
	@bash scripts/test.sh $(ARGS)

# Runs the benchmarks and prints their table.
bench:
	@bash scripts/bench.sh $(ARGS)

# Runs ruff (lint and format check), the import rules, the lock check and mypy (installs the venv first).
lint:
	@bash scripts/lint.sh

# Resolves requirements.lock and requirements-dev.lock again from pyproject.toml, keeping the pins that still
# fit; UPGRADE="celery kombu" (or UPGRADE=all) moves those to their newest allowed versions.
lock:
	@UPGRADE="$(UPGRADE)" bash scripts/lock.sh
