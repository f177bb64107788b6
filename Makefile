# Mission Playbook. On a fresh clone `make site` and `make test` bootstrap what they need.
VENV := .venv
BIN  := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
export NO_MKDOCS_2_WARNING := 1

.PHONY: venv mermaid axe chromium check site serve test test-fast lint bench clean dist

venv: $(VENV)/.stamp

$(VENV)/.stamp: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@

mermaid: $(VENV)/.stamp  ## pinned Mermaid from the npm registry, verified against the lock
	$(BIN)/python scripts/fetch_mermaid.py

axe: $(VENV)/.stamp  ## pinned axe-core for the browser tests' accessibility audit, verified too
	$(BIN)/python scripts/fetch_mermaid.py --lock tests/browser/axe-core.lock.json \
	  --dest tests/browser/vendor/axe.min.js

chromium:  ## Debian's Chromium for the browser tests (never a browser download by Playwright)
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

check: $(VENV)/.stamp
	$(BIN)/playbook check

site: $(VENV)/.stamp mermaid  ## builds into site.new, then swaps: a failed build keeps site/
	rm -rf site.new
	$(BIN)/mkdocs build --strict -d site.new || { rm -rf site.new; exit 1; }
	rm -rf site.old
	if [ -e site ]; then mv site site.old; fi
	mv site.new site
	rm -rf site.old

test: $(VENV)/.stamp mermaid axe chromium  ## the whole suite, as CI runs it
	$(BIN)/python -m pytest

# The edit loop: every test but the browser ones and those marked slow (large playbooks, long
# property runs, repeated site builds), on every core; under a minute on an idle 2-core machine.
test-fast: $(VENV)/.stamp mermaid  ## the edit loop: no browser, no site builds, every core
	$(BIN)/python -m pytest -m "not browser and not slow" -q -n auto

serve: $(VENV)/.stamp mermaid  ## live preview; a rebuild writes only the pages an edit changes
	$(BIN)/mkdocs serve --dirty

bench: $(VENV)/.stamp mermaid  ## benchmarks/README.md; not part of `make test`
	$(BIN)/python benchmarks/run.py

dist: $(VENV)/.stamp mermaid  ## sdist and wheel in dist/, both carrying the verified Mermaid
	$(BIN)/python scripts/build_dist.py --out dist

lint: $(VENV)/.stamp
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy scripts/fetch_mermaid.py scripts/build_dist.py tests/browser
	$(BIN)/playbook fmt --check

clean:
	rm -rf site build dist test-artifacts .pytest_cache .mypy_cache .ruff_cache *.egg-info
	rm -f generator/mission_playbook/assets/js/mermaid.min.js tests/browser/vendor/axe.min.js
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +

# Publish the site as version VERSION (a planning cycle, e.g. 2027.1) on the local gh-pages
# branch with mike, move the `latest` alias to it and make `latest` the site's default.
# PUSH=1 also pushes gh-pages to origin.
.PHONY: publish
ifneq ($(filter publish,$(MAKECMDGOALS)),)
ifeq ($(strip $(VERSION)),)
$(error usage: make publish VERSION=2027.1 [PUSH=1])
endif
endif
publish: $(VENV)/.stamp mermaid chromium  ## with the operation order as a PDF (PLAYBOOK_PDF)
	PATH=$(abspath $(BIN)):$$PATH PLAYBOOK_VERSIONS=mike PLAYBOOK_PDF=true $(BIN)/mike deploy \
	  --update-aliases $(if $(filter 1,$(PUSH)),--push) $(VERSION) latest
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/mike set-default $(if $(filter 1,$(PUSH)),--push) latest
