.PHONY: run test bench lint

# Runs the product: admin, Celery worker and beat, Redis and the Trackunit sandbox, with demo data.
run:
	@bash scripts/run.sh

# Runs every test against PostgreSQL, Redis and headless Chromium.
test:
	@bash scripts/test.sh $(ARGS)

# Runs the benchmarks and prints their table.
bench:
	@bash scripts/bench.sh $(ARGS)

# Runs ruff's linter and format check (installs the venv first on a fresh clone).
lint:
	@bash scripts/lint.sh
