# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON3 ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= outputs

.PHONY: setup demo app test test-fast lint format benchmark clean report report-quick

$(BIN)/.installed: pyproject.toml
	$(PYTHON3) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,notebooks,app]"
	touch $@

setup: $(BIN)/.installed  ## create .venv with stlib and the test tools

demo: setup  ## stylise Tuebingen with The Starry Night (512 px) and say where the image is
	$(BIN)/stlib transfer tuebingen starry_night -o $(OUT)/tuebingen_starry_night.png --size 512 --scales 0.5,1 --steps 200,100

$(BIN)/.installed-app: $(BIN)/.installed
	$(BIN)/pip install --quiet -e ".[app]"
	touch $@

app: $(BIN)/.installed-app  ## the Streamlit app (stlib/app/streamlit_app.py): prints its local URL, Ctrl-C stops it
	$(BIN)/stlib app

test: lint  ## ruff, the whole test suite, the docstring examples and every notebook in quick mode (what CI runs)
	STLIB_QUICK=1 $(BIN)/python -m pytest -q -n 2 --dist loadscope --durations=15 --doctest-modules stlib tests

lint: setup  ## ruff: lint and format check of the library (and its app), tests, benchmarks, notebooks
	$(BIN)/ruff check stlib tests benchmarks notebooks tools
	$(BIN)/ruff format --check stlib tests benchmarks notebooks tools

format: setup  ## let ruff fix what it can and format everything
	$(BIN)/ruff check --fix stlib tests benchmarks notebooks tools
	$(BIN)/ruff format stlib tests benchmarks notebooks tools

test-fast: setup  ## unit tests only: no real optimisations, no notebooks
	$(BIN)/python -m pytest -q -m "not slow" tests

benchmark: setup  ## time to quality against TensorFlow's tutorial recipe (about 25 minutes on 2 cores)
	$(BIN)/python benchmarks/gatys_time_to_quality.py --size 256 --max-steps 1200 --routes lbfgs,adam-bf16,lbfgs-bf16 --out benchmarks/results/gatys-256.json

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache

LATEXMK := latexmk -pdf -interaction=nonstopmode -halt-on-error -file-line-error

report: setup  ## every figure and number in full mode (hours on a 2-core CPU), then report/build/report.pdf and slides.pdf
	$(BIN)/python -m stlib.figures --out report/figures
	cd report && $(LATEXMK) -outdir=build report.tex slides.tex

report-quick: setup  ## the same in quick mode (small images, few steps; minutes): report/build/quick/*.pdf
	$(BIN)/python -m stlib.figures --quick --out report/figures-quick
	cd report && $(LATEXMK) -outdir=build/quick -usepretex='\def\stlibmode{-quick}' report.tex slides.tex
