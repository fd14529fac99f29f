# mlphys: Machine Learning for Physicists, in C.  `make help` lists the commands.
#
# One non-recursive Makefile.  Everything generated goes under $(BUILD) (out of tree, mirroring
# source paths); the only exception is `make figures`, which refreshes the reference figures
# that the chapter READMEs embed (chapters/NN-slug/figures/).

.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDEXPANSION:
.SECONDARY:

BUILD ?= build
IMPL  ?= chapters
CH    ?=
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
SEED  ?= 42

# ---- Chapters -------------------------------------------------------------------------------
# A chapter is a folder chapters/NN-slug; its student file is slug.c with '-' as '_'.
CHAPTERS := $(patsubst chapters/%/,%,$(sort $(wildcard chapters/[0-9][0-9]-*/)))
name      = $(subst -,_,$(subst $(firstword $(subst -, ,$1))-,,$1))
SELECTED := $(if $(CH),$(CH),$(CHAPTERS))
$(foreach c,$(CH),$(if $(filter $c,$(CHAPTERS)),,$(error CH=$c: no such chapter; try one of: $(CHAPTERS))))

# The implementation to build: chapters (your stubs), solutions, or a submission folder laid
# out like chapters/.  IMPLKEY names its build folder.
IMPLKEY := $(if $(filter chapters solutions,$(IMPL)),$(IMPL),impl-$(subst /,_,$(abspath $(IMPL))))

# ---- Toolchain ------------------------------------------------------------------------------
CC      := cc
CSTD    := -std=c11 -Wall -Wextra -Wpedantic
WERROR  ?=
OPT     ?= -O2 -g
# pkg-config is asked once, and only after `deps` has run (a fresh machine has none of these).
PKGS    := gsl criterion jansson zlib
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell pkg-config --libs $(PKGS)))$(PKG_LIBS)
CFLAGS   = $(CSTD) $(OPT) $(WERROR) -MMD -MP $(PKG_CFLAGS)
LDLIBS   = $(PKG_LIBS) -lcsv -lm
# Benchmarks link GSL against OpenBLAS instead of the reference CBLAS.
BENCH_LIBS = $(filter-out -lgslcblas,$(PKG_LIBS)) -lopenblas -lcsv -lm

DEPS_OK := $(BUILD)/.deps-ok

# ---- Libraries --------------------------------------------------------------------------------
COMMON_SRC := $(wildcard chapters/common/*.c)
COMMON_LIB := $(BUILD)/lib/libmlphys_common.a
TEST_SRC   := $(wildcard grader/lib/*.c)
TEST_LIB   := $(BUILD)/lib/libmlphys_test.a
ENGINE     := $(BUILD)/bin/mlphys-grade

$(BUILD)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ichapters/common -Igrader/lib -c $< -o $@

$(COMMON_LIB): $(COMMON_SRC:%.c=$(BUILD)/%.o)
	@mkdir -p $(@D)
	ar rcs $@ $^
$(TEST_LIB): $(TEST_SRC:%.c=$(BUILD)/%.o)
	@mkdir -p $(@D)
	ar rcs $@ $^

# ---- The grader's suites --------------------------------------------------------------------
# Each chapter's tests (every .c in grader/NN-slug/) are merged into one relocatable object,
# so that no test is dropped by the linker.  The engine links it with the student's file.
suite_objs = $(patsubst %.c,$(BUILD)/%.o,$(wildcard grader/$1/*.c))

$(BUILD)/grader/%/suite.o: $$(call suite_objs,$$*)
	ld -r -o $@ $^

# Suite objects see their chapter's header and nothing else of chapters/.
$(BUILD)/grader/%.o: grader/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Igrader/lib -Ichapters/common -Ichapters/$(firstword $(subst /, ,$*)) -c $< -o $@

ENGINE_SRC := $(wildcard grader/engine/*.c)
$(ENGINE): $(ENGINE_SRC:%.c=$(BUILD)/%.o)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ $(PKG_LIBS) -lm
$(BUILD)/grader/engine/%.o: grader/engine/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

# ---- run.c: each chapter's experiment, with the chosen implementation -------------------------
RUNBIN = $(BUILD)/run/$(IMPLKEY)/$1/run
$(BUILD)/run/$(IMPLKEY)/%/student.o: $$(IMPL)/$$*/$$(call name,$$*).c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ichapters/$* -Ichapters/common -c $< -o $@
$(BUILD)/run/$(IMPLKEY)/%/run.o: chapters/%/run.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ichapters/$* -Ichapters/common -c $< -o $@
$(BUILD)/run/$(IMPLKEY)/%/run: $(BUILD)/run/$(IMPLKEY)/%/run.o $(BUILD)/run/$(IMPLKEY)/%/student.o $(COMMON_LIB)
	$(CC) -o $@ $^ $(LDLIBS)

OUTDIR = $(BUILD)/out/$(IMPLKEY)/$1
FIGDIR = $(BUILD)/figures/$(IMPLKEY)/$1

# ---- Commands -------------------------------------------------------------------------------
.PHONY: help deps grade test run plot figures memcheck check bench clean build release gradescope batch \
        hint hint-reset progress watch similarity book

# A student release has no solutions: what needs them says so instead of failing obscurely.
NO_SOLUTIONS = $(if $(wildcard solutions/*),,$(error this is the student release: there are no reference solutions here))
$(if $(and $(wildcard RELEASE),$(filter solutions,$(IMPL))),$(error IMPL=solutions: this is the student release, there are no reference solutions here))

IS_RELEASE := $(wildcard RELEASE)
INSTRUCTOR_ONLY = $(if $(IS_RELEASE),$(error make $@ is for instructors; this is the student release (see README.md)))

help:
ifneq ($(IS_RELEASE),)
	@echo "mlphys: Machine Learning for Physicists, in C (student release)"
	@echo
	@echo "  make watch CH=NN-slug        re-grade on every save: progress, first failure, next TODO"
	@echo "  make hint CH=NN-slug [N=k]   the next hint for TODO(k)"
	@echo "  make test CH=NN-slug         every test of a chapter with its feedback"
	@echo "  make grade [CH=NN-slug]      the points table (all chapters by default)"
	@echo "  make progress                one line per chapter: points and the next TODO"
	@echo "  make run CH=NN-slug          run the chapter's experiment with your code"
	@echo "  make plot CH=NN-slug         its figures, from your code (PNG and PDF)"
	@echo "  make memcheck CH=NN-slug     every test under valgrind: invalid accesses, leaks"
	@echo "  make deps | make clean"
	@echo
	@echo "  Chapters: $(CHAPTERS)"
else
	@echo "mlphys: Machine Learning for Physicists, in C"
	@echo
	@echo "  make grade [CH=NN-slug] [IMPL=chapters|solutions|DIR]   grade (all chapters by default)"
	@echo "  make test CH=NN-slug [T=substring]   one chapter, every test with its feedback (T: some tests)"
	@echo "  make run CH=NN-slug [IMPL=...]       run the chapter's experiment, print a summary"
	@echo "  make plot CH=NN-slug [IMPL=...]      render its figures from your code (PNG and PDF)"
	@echo "  make figures                         all figures from the reference solutions"
	@echo "  make book                            the course as an HTML site and one PDF (build/book/)"
	@echo "  make memcheck [CH=...] [IMPL=...]    every test under valgrind: invalid accesses, leaks"
	@echo "  make watch CH=NN-slug                re-grade on every save: progress, first failure, next TODO"
	@echo "  make hint CH=NN-slug [N=k]           the next hint for TODO(k) (a nudge, the equation, the pitfall)"
	@echo "  make progress                        the course at a glance: one line per chapter"
	@echo "  make bench                           benchmarks against GSL / OpenBLAS"
	@echo "  make check                           the suite's own tests (what CI runs)"
	@echo "  make release                         the student release (no solutions, no hidden tests)"
	@echo "  make gradescope [CH=...]             the Gradescope autograder zip"
	@echo "  make batch SUBMISSIONS=dir [JOBS=n]  grade a folder of submissions into a CSV gradebook"
	@echo "  make similarity SUBMISSIONS=dir      rank pairs of similar submissions (sim_c), stub excluded"
	@echo "  make deps                            install the Debian packages it needs"
	@echo "  make clean                           remove build/"
	@echo
	@echo "  Chapters: $(CHAPTERS)"
	@echo "  Options: SEED=n (default 42)  JOBS=n (default nproc)  BUILD=dir (default build)"
endif

deps: $(DEPS_OK)
$(DEPS_OK):
	@grader/deps.sh
	@mkdir -p $(@D) && touch $@

build: $(ENGINE) $(TEST_LIB) $(COMMON_LIB) $(foreach c,$(SELECTED),$(BUILD)/grader/$c/suite.o) compile_commands.json

# The engine compiles the student's file itself (so that a compile error is a grade, not a
# failed make) with exactly these flags.
GRADE_ENV = MLPHYS_CC='$(CC)' MLPHYS_CFLAGS='$(CSTD) $(OPT) $(WERROR) $(PKG_CFLAGS)' \
            MLPHYS_LDLIBS='$(LDLIBS)' MLPHYS_BUILD='$(BUILD)' MLPHYS_SEED='$(SEED)'

grade: build
	@$(GRADE_ENV) $(ENGINE) --impl '$(IMPL)' --jobs $(JOBS) --out $(BUILD)/grade $(GRADE_FLAGS) $(SELECTED)

test: build
	@$(if $(CH),,echo "make test needs a chapter: make test CH=NN-slug (one of: $(CHAPTERS))"; exit 2)
	@$(GRADE_ENV) $(ENGINE) --impl '$(IMPL)' --jobs $(JOBS) --out $(BUILD)/test --verbose $(if $(T),--tests '$(T)') $(GRADE_FLAGS) $(SELECTED)

# The student's loop: watch mode, hints, the course at a glance (grader/student/).
watch: build
	@$(if $(CH),,echo "make watch needs a chapter: make watch CH=NN-slug"; exit 2)
	@CH='$(CH)' IMPL='$(IMPL)' BUILD='$(BUILD)' $(GRADE_ENV) grader/student/watch.sh

hint: $(DEPS_OK)
	@$(if $(CH),,echo "make hint needs a chapter: make hint CH=NN-slug [N=k]"; exit 2)
	@CH='$(CH)' N='$(N)' BUILD='$(BUILD)' grader/student/hint.sh

hint-reset:
	@rm -rf $(BUILD)/hints/$(CH) && echo "hints for $(if $(CH),$(CH),every chapter) start again at level 1"

progress: build
	@$(GRADE_ENV) $(ENGINE) --impl '$(IMPL)' --jobs $(JOBS) --out $(BUILD)/progress --quiet --no-diagnose $(SELECTED) >/dev/null
	@BUILD='$(BUILD)' grader/student/progress.sh

# Editors: clangd reads compile_commands.json (GSL completions, no false errors in stubs).
compile_commands.json: $(wildcard chapters/*/*.c solutions/*/*.c grader/*/*.c) Makefile | $(DEPS_OK)
	@{ echo '['; sep=''; for f in $(filter %.c,$^); do \
	    ch=$$(echo $$f | cut -d/ -f2); \
	    printf '%s{"directory": "%s", "file": "%s", "arguments": ["cc", "-std=c11", "-Wall", "-Wextra", "-Wpedantic"%s, "-Ichapters/%s", "-Ichapters/common", "-Igrader/lib", "-c", "%s"]}\n' \
	      "$$sep" "$(CURDIR)" "$$f" "$$(for w in $(PKG_CFLAGS); do printf ', "%s"' "$$w"; done)" "$$ch" "$$f"; sep=','; done; echo ']'; } >$@
	@echo "wrote $@ (clangd picks it up)"

memcheck: build
	@$(GRADE_ENV) $(ENGINE) --impl '$(IMPL)' --jobs $(JOBS) --out $(BUILD)/memcheck --memcheck $(GRADE_FLAGS) $(SELECTED)

run: $(foreach c,$(SELECTED),$(call RUNBIN,$c))
	@$(foreach c,$(SELECTED),mkdir -p $(call OUTDIR,$c) && echo "== $c ($(IMPL))" && \
	  $(call RUNBIN,$c) $(call OUTDIR,$c) &&) true

plot: run
	@$(foreach c,$(SELECTED),mkdir -p $(call FIGDIR,$c) && \
	  for gp in plots/$c/*.gp; do f=$$(basename $$gp .gp); for ext in png pdf; do \
	    gnuplot -e "datadir='$(call OUTDIR,$c)'; out='$(call FIGDIR,$c)/'.'$$f'; ext='$$ext'" $$gp || exit 1; \
	  done; echo "  wrote $(call FIGDIR,$c)/$$f.png and .pdf"; done &&) true

# The reference figures the READMEs embed, rendered from the solutions.
figures:
	@: $(NO_SOLUTIONS)
	@$(MAKE) --no-print-directory plot IMPL=solutions CH='$(CH)'
	@$(foreach c,$(SELECTED),mkdir -p chapters/$c/figures && cp $(BUILD)/figures/solutions/$c/*.png chapters/$c/figures/ &&) true
	@echo "figures: copied the PNGs into chapters/*/figures/ (PDFs stay in $(BUILD)/figures/solutions/)"

check: $(DEPS_OK)
	@: $(INSTRUCTOR_ONLY)
	@: $(NO_SOLUTIONS)
	@BUILD='$(BUILD)' JOBS='$(JOBS)' CHAPTERS='$(SELECTED)' grader/check.sh

# Benchmarks: bench/NN-slug.c, linked with the reference solution and GSL on OpenBLAS (the
# tool a physicist would otherwise use), run one after the other so they do not share cores.
BENCHES := $(patsubst bench/%.c,%,$(wildcard bench/[0-9][0-9]-*.c))
$(BUILD)/bench/%: bench/%.c solutions/$$*/$$(call name,$$*).c $(COMMON_LIB) | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CSTD) -O2 -march=native $(PKG_CFLAGS) -Ichapters/$* -Ichapters/common -o $@ $(filter %.c,$^) $(COMMON_LIB) $(BENCH_LIBS)

# A chapter whose benchmark compares with Python tools (PyTorch, scikit-learn) has a driver
# bench/NN-slug.sh, called with the built C benchmark; it runs both in one go and prints ratios.
# Those tools are optional: grader/bench-deps.sh installs them as root, or says how.
bench: $(foreach b,$(if $(CH),$(filter $(CH),$(BENCHES)),$(BENCHES)),$(BUILD)/bench/$b)
	@$(if $^,,echo "no benchmarks for $(SELECTED)")
	@grader/bench-deps.sh
	@echo "CPU: $$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $$(nproc) cores"
	@$(foreach b,$^,echo "== $(notdir $b)" && \
	  if [ -x bench/$(notdir $b).sh ]; then OPENBLAS_NUM_THREADS=1 bench/$(notdir $b).sh $b; \
	  else OPENBLAS_NUM_THREADS=1 $b; fi &&) true

release: $(DEPS_OK)
	@: $(INSTRUCTOR_ONLY)
	@: $(NO_SOLUTIONS)
	@OUT=$(BUILD)/release grader/release.sh

# The Gradescope autograder for the chapters of one assignment (CH, default all).
gradescope: $(DEPS_OK)
	@: $(INSTRUCTOR_ONLY)
	@OUT=$(BUILD)/gradescope CHAPTERS='$(SELECTED)' grader/gradescope/make-bundle.sh

# A folder of submissions (one sub-folder per student) into a CSV gradebook.
batch: $(DEPS_OK)
	@: $(INSTRUCTOR_ONLY)
	@$(if $(SUBMISSIONS),,echo "make batch needs SUBMISSIONS=folder (one sub-folder per student)"; exit 2)
	@SUBMISSIONS='$(SUBMISSIONS)' OUT=$(BUILD)/batch JOBS=$(JOBS) BUILD=$(BUILD) CHAPTERS='$(SELECTED)' grader/batch.sh

# The course as a book: one static HTML site and one PDF (pandoc, KaTeX and Chromium from Debian).
book:
	@grader/book/deps.sh
	@OUT=$(BUILD)/book grader/book/build.sh

# Pairwise similarity of a folder of submissions, per chapter (sim_c), the stub excluded.
similarity: $(DEPS_OK)
	@: $(INSTRUCTOR_ONLY)
	@$(if $(SUBMISSIONS),,echo "make similarity needs SUBMISSIONS=folder (one sub-folder per student)"; exit 2)
	@SUBMISSIONS='$(SUBMISSIONS)' OUT=$(BUILD)/similarity CHAPTERS='$(SELECTED)' grader/similarity.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
