# scrub: PGXS build. `make && make install` builds and installs the
# extension and the scrub-dump / scrub-restore / scrub-verify commands;
# test/run-all runs every suite (see README.md).

EXTENSION = scrub
MODULE_big = scrub
EXTVERSION = 0.2.0
DATA = scrub--0.1.0.sql scrub--0.1.0--0.2.0.sql scrub--$(EXTVERSION).sql
SCRIPTS = bin/scrub-dump bin/scrub-restore bin/scrub-verify

# Modules without PostgreSQL headers (unit-tested on their own) and the
# PostgreSQL-facing layer.
PURE_OBJS = src/allowlist.o src/catalog.o src/sqlgen_catalog.o src/fake.o src/plan.o src/rules.o \
	src/sqlgen.o src/run.o src/sqlgen_run.o src/sqlgen_checks.o src/scratch.o src/manifest.o \
	src/verify.o src/preflight.o src/realistic.o src/pseudonym.o src/json_keep.o src/suggest.o
PG_OBJS = src/pg_boundary.o src/pg_database.o src/scrub.o src/pg_functions.o
OBJS = $(PURE_OBJS) $(PG_OBJS)

REGRESS = setup upgrade core_semantics fakes errors names boundary foreign_keys northwind hostile_names hostile_users privileges domain_trust check_constraints owner_rights replace_dependents restorable caller_rights verify_restore schemas fake_fit generators rules row_filters hash_keys plan_strict export suggest_leaks hash_review fake_review trust_review trusted_expressions pinned_expressions extension_schema schema_owners
REGRESS_OPTS = --inputdir=. --temp-instance=tmp_check_regress --temp-config=test/regress.conf

# `make installcheck` runs the three suites below through PGXS's own
# variables, each in a temporary instance of the installed server.
# Regress: test/schedule runs first and says what must run before the rest
# (setup creates the extension and the helpers later tests use); then
# pg_regress runs the other tests of REGRESS one after the other, in their
# order. A new test only needs its name added to REGRESS.
REGRESS_OPTS += --schedule=test/schedule
REGRESS := $(filter-out $(shell sed -n 's/^test: *//p' test/schedule),$(REGRESS))
# Isolation: every spec of test/isolation/specs.
ISOLATION = $(basename $(notdir $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation --temp-instance=tmp_check_iso \
	--temp-config=test/regress.conf
# TAP: test/t/*.pl with PostgreSQL::Test::Cluster (PROVE_TESTS picks some).
TAP_TESTS = 1
PROVE_TESTS ?= $(sort $(wildcard test/t/*.pl))

# Removed by `make clean`: pgxs.mk reads this when it is included, so it
# must be set before.
EXTRA_CLEAN = test/unit/unit_tests test/fuzz/allowlist_fuzzer tmp_check_regress results regression.diffs regression.out tmp_deb

PG_CONFIG ?= pg_config
PG_CXXFLAGS = -std=c++17 -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	-Wno-register
SHLIB_LINK = -lstdc++

# No LLVM bitcode: JIT inlining only pays for functions called per row, and
# scrub's one call per run is not; building bitcode would also need clang
# to accept our C++17 flags. Switched off deliberately.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Suites, each runnable on its own (test/run-all counts their results).
.PHONY: regresscheck isolationcheck tapcheck unit
regresscheck:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)

isolationcheck:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)

# TAP tests start their own clusters with PostgreSQL::Test::Cluster.
PG_TEST_PERL = $(dir $(PGXS))../../src/test/perl
PROVE_FLAGS += -I test/t
tapcheck:
	rm -rf tmp_check && mkdir -p tmp_check && \
	TESTDIR='$(CURDIR)' PATH="$(bindir):$(CURDIR)/bin:$$PATH" PGPORT='6$(DEF_PGPORT)' \
	PERL5LIB='$(PG_TEST_PERL):$(CURDIR)/test/t' \
	PG_REGRESS='$(dir $(PGXS))../../src/test/regress/pg_regress' \
	perl test/tap-run.pl $(or $(PROVE_TESTS),$(sort $(wildcard test/t/*.pl)))

# The dump benchmark (bench/README.md): as root, after make install;
# SCALE, REPEATS, MODE, PGBIN... pass through as make or environment
# variables.
.PHONY: bench
bench:
	bash bench/dump_bench.sh

# Prints a variable: `make -s print-EXTVERSION` (test/t/000_release.pl).
print-%:
	@echo '$($*)'

UNIT_SRCS = $(wildcard test/unit/*.cpp)
test/unit/unit_tests: $(PURE_OBJS:.o=.cpp) $(UNIT_SRCS) $(wildcard src/*.h test/unit/*.h)
	$(CXX) -std=c++17 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -O1 -g -Isrc -DSCRUB_SOURCE_DIR='"$(CURDIR)"' \
		-o $@ $(PURE_OBJS:.o=.cpp) $(UNIT_SRCS) \
		-lgtest -lgtest_main -pthread

unit: test/unit/unit_tests
	test/unit/unit_tests

# PGXS tracks no header dependencies: rebuild every object when one changes.
$(OBJS): $(wildcard src/*.h)

# PGXS's uninstall misses SCRIPTS kept in a subdirectory (it removes
# $(bindir)/bin/scrub-dump, where install put $(bindir)/scrub-dump).
.PHONY: uninstall-scripts
uninstall: uninstall-scripts
uninstall-scripts:
	rm -f $(addprefix '$(DESTDIR)$(bindir)'/, $(notdir $(SCRIPTS)))

# Release tarball of the commit checked out (uncommitted changes are not
# in it), with git archive as pgvector makes its own; .gitattributes
# leaves the development-only files out. It lands in DIST_DIR.
.PHONY: dist deb deb-tree
DIST_DIR ?= .
dist:
	git archive --format=tar.gz --prefix=$(EXTENSION)-$(EXTVERSION)/ \
		-o '$(DIST_DIR)/$(EXTENSION)-$(EXTVERSION).tar.gz' HEAD
	@echo "wrote $(DIST_DIR)/$(EXTENSION)-$(EXTVERSION).tar.gz"

# Debian package postgresql-15-scrub (debian/), built without network from
# a copy of the source tree in DEB_DIR (deb-tree); the .deb lands in
# DEB_DIR. From a git checkout the copy holds the files git knows of
# (committed or not, untracked ones included, ignored ones not); from a
# tree without .git (an unpacked `make dist` tarball) every file but
# VCS metadata, DEB_DIR and the tarballs of dist, and `make clean` then
# removes the build products from the copy.
DEB_DIR ?= $(CURDIR)/tmp_deb
DEB_TREE = $(DEB_DIR)/$(EXTENSION)-$(EXTVERSION)
deb-tree:
	rm -rf '$(DEB_DIR)' && mkdir -p '$(DEB_TREE)'
	if [ -e .git ]; then \
		git ls-files -z --cached --others --exclude-standard >'$(DEB_DIR)/files' && \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh \
			<'$(DEB_DIR)/files' | tar -c --null -T - | tar -x -C '$(DEB_TREE)' && \
		rm '$(DEB_DIR)/files'; \
	else \
		tar -c --exclude-vcs --exclude='./$(patsubst $(CURDIR)/%,%,$(DEB_DIR))' \
			--exclude='./$(EXTENSION)-*.tar.gz' . | tar -x -C '$(DEB_TREE)' && \
		$(MAKE) -s -C '$(DEB_TREE)' clean; \
	fi

deb: deb-tree
	cd '$(DEB_TREE)' && \
		dpkg-buildpackage -us -uc -b >'$(DEB_DIR)/build.log' 2>&1 || \
		{ tail -40 '$(DEB_DIR)/build.log'; exit 1; }
	@ls '$(DEB_DIR)'/*.deb

# One command on a fresh Debian 12 machine, as root: installs what scrub
# needs, builds, and runs scrub-dump / scrub-restore on a sample database in
# a throwaway cluster (see bin/scrub-demo).
.PHONY: demo
demo:
	bash bin/scrub-demo

# Fuzzing: libFuzzer with AddressSanitizer (leaks included) and UBSan drives
# the allowlist parser, the planner and SQL generation with arbitrary bytes
# (test/fuzz/allowlist_fuzzer.cpp). `make fuzz` runs it for FUZZ_SECONDS on
# a scratch copy of the seed corpus, so the corpus in the repository only
# changes by hand. A crash, leak, UB report, uncaught exception or input
# slower than 5 s fails the target and leaves the input in test/fuzz/.
FUZZ_CXX ?= $(firstword $(shell command -v clang++-14 clang++ 2>/dev/null))
FUZZ_SECONDS ?= 60
# Every pure module: the ones the fuzzer calls reach the others (a list
# by hand fell behind each time a module was split).
FUZZ_SRCS = $(PURE_OBJS:.o=.cpp)
test/fuzz/allowlist_fuzzer: test/fuzz/allowlist_fuzzer.cpp $(FUZZ_SRCS) $(wildcard src/*.h)
	$(FUZZ_CXX) -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -Isrc -o $@ test/fuzz/allowlist_fuzzer.cpp $(FUZZ_SRCS)

.PHONY: fuzz
fuzz: test/fuzz/allowlist_fuzzer
	@corpus=$$(mktemp -d) && log="$$corpus.log" && \
	cp test/fuzz/corpus/allowlist/* "$$corpus/" && \
	if test/fuzz/allowlist_fuzzer -max_total_time=$(FUZZ_SECONDS) -timeout=5 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=test/fuzz/ \
		"$$corpus" >"$$log" 2>&1; then \
		echo "fuzz: ok ($$(sed -nE 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1 runs in \2 s/p' "$$log"))"; \
		rm -rf "$$corpus" "$$log"; \
	else \
		tail -40 "$$log"; echo "fuzz: FAILED (input saved as test/fuzz/crash-*, leak-*, timeout-* or oom-*)"; \
		rm -rf "$$corpus" "$$log"; exit 1; \
	fi
