# SPDX-License-Identifier: ISC
# mailscope: GNU make.  `make run` and `make check` are the two commands a
# newcomer needs; both install missing packages first when run as root.

.DEFAULT_GOAL := all

# The version has one home, src/base/base.h (debian/changelog repeats it:
# tests/integration/package.sh checks they agree).
VERSION := $(shell sed -n 's/^[#]define MAILSCOPE_VERSION[^"]*"\(.*\)"/\1/p' \
	    src/base/base.h)

PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man/man1
THEMEDIR = $(PREFIX)/share/mailscope/themes
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  = $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d
SCHEMADIR = $(PREFIX)/share/mailscope/schemas
# The JSON Schemas of what mailscope writes, each beside its writer.
SCHEMAS	 = src/log/recording.schema.json src/cmd/probe.schema.json \
	   src/cmd/judge.schema.json

CC	?= cc
PKG_CONFIG ?= pkg-config
PKGS	 = ncursesw gnutls gnutls-dane readline jansson libgsasl libunbound libcurl

WARN	 = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes \
	   -Wstrict-prototypes -Wpointer-arith -Wvla -Wimplicit-fallthrough \
	   -Wundef -Wnull-dereference
CFLAGS	?= -O2 -g
# The language, the warnings and our defines come first and are not the
# user's to drop: `make CFLAGS=-O0` or a packager's flags add to them.
# No build path in the binary (reproducible builds): the debug info and
# __FILE__ name the tree as ".", and ./mailscope finds the tree's themes
# beside itself at run time (tui/theme.c).
MS_CPPFLAGS = -D_GNU_SOURCE -DTHEMEDIR='"$(THEMEDIR)"' \
	      -DCURL_SONAME='"$(CURL_SONAME)"' $(CPPFLAGS)
MS_CFLAGS = -std=c17 $(WARN) -ffile-prefix-map=$(CURDIR)=. $(CFLAGS)
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# libcurl is not linked but opened when an MTA-STS policy is fetched
# (src/core/stsfetch.c): its own dependencies would slow every start.
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(filter-out libcurl,$(PKGS)) 2>/dev/null)
# Its run-time name, read from the library the build would link
# (Debian's libcurl.so is libcurl-gnutls.so.4).
CURL_SONAME = $(shell readelf -d "$$($(PKG_CONFIG) --variable=libdir \
	      libcurl 2>/dev/null)/libcurl.so" 2>/dev/null | \
	      sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=undefined

# One folder, one layer, one archive (ARCHITECTURE.md): cmd and tui on
# top, base at the bottom.  The link order is the layering, so a call up
# the stack fails to link; `make layers` checks every arrow exactly.
LAYERS	 = cmd render explain lab core log base
cmd_SRC	 = $(filter-out src/cmd/main.c,$(wildcard src/cmd/*.c))
render_SRC = $(wildcard src/render/*.c)
explain_SRC = $(wildcard src/explain/*.c)
lab_SRC	 = $(wildcard src/lab/*.c)
core_SRC = $(wildcard src/core/*.c src/core/proto/*.c)
log_SRC	 = $(wildcard src/log/*.c)
base_SRC = $(wildcard src/base/*.c)
tui_SRC	 = $(wildcard tui/*.c tui/panes/*.c)
HDRS	 = $(wildcard src/*/*.h src/core/proto/*.h tui/*.h)
# Unit tests mirror the tree: tests/unit/<layer>/test_*.c.
TEST_SRC = $(wildcard tests/unit/*/test_*.c tests/unit/core/proto/test_*.c)
# Tests reach below the front doors, never the TUI.
TEST_LIBS = cmd render explain lab core log base
BIN_LIBS  = cmd tui render explain lab core log base

define archive
$(1)/lib$(2).a: $$($(2)_SRC:%.c=$(1)/%.o)
	@rm -f $$@
	@ar rcs $$@ $$^
endef

# Two build trees: build/ (normal) and build-asan/ (ASan + UBSan).
define tree
$(1)/%.o: %.c $(HDRS) | $(1)/dirs
	@echo "  CC      $$@"
	@$$(CC) $$(MS_CPPFLAGS) $$(MS_CFLAGS) $(2) $$(PKG_CFLAGS) -Isrc -Itui -c -o $$@ $$<
# A new test folder counts too: the tree follows the sources.
$(1)/dirs: Makefile $(TEST_SRC) | deps-quiet
	@mkdir -p $$(addprefix $(1)/,src/cmd src/render src/explain src/lab \
	    src/core/proto src/log src/base tui tui/panes \
	    $$(sort $$(dir $$(TEST_SRC))))
	@ln -sfn ../themes $(1)/themes
	@touch $$@
$(foreach l,$(LAYERS) tui,$(eval $(call archive,$(1),$(l))))
$(1)/mailscope: $(1)/src/cmd/main.o $(BIN_LIBS:%=$(1)/lib%.a)
	@echo "  LD      $$@"
	@$$(CC) $$(MS_CFLAGS) $(2) -o $$@ $$^ $$(PKG_LIBS) $$(LDFLAGS)
# The theme test includes the curses-free theme and config parsers.
$(1)/tests/unit/tui/test_theme.o: tui/theme.c tui/config.c $(1)/themedir
# The key test reads the table itself (curses-free).
$(1)/tests/unit/tui/test_keys.o: tui/keys.c
# THEMEDIR is compiled in: a new PREFIX rebuilds what uses it.
$(1)/tui/theme.o: $(1)/themedir
$(1)/themedir: FORCE | $(1)/dirs
	@echo '$$(THEMEDIR)' | cmp -s - $$@ || echo '$$(THEMEDIR)' > $$@
$(1)/tests/unit/%: $(1)/tests/unit/%.o $(TEST_LIBS:%=$(1)/lib%.a)
	@echo "  LD      $$@"
	@$$(CC) $$(MS_CFLAGS) $(2) -o $$@ $$^ $$(CMOCKA_LIBS) $$(PKG_LIBS) $$(LDFLAGS)
endef

$(eval $(call tree,build,))
$(eval $(call tree,build-asan,$(SAN_FLAGS)))

UNIT	  = $(TEST_SRC:tests/unit/%.c=build/tests/unit/%)
UNIT_ASAN = $(TEST_SRC:tests/unit/%.c=build-asan/tests/unit/%)

.PHONY: all deps deps-quiet deps-test run check check-valgrind unit install \
	uninstall clean bench fuzz layers test dist completions FORCE
.SECONDARY:

all: mailscope

# A new file renamed over the old: a ./mailscope running in another
# window (a lab) keeps its own, and writing into it would fail (ETXTBSY).
mailscope: deps-quiet build/mailscope
	@cp build/mailscope $@.new
	@mv -f $@.new $@

# The shell completions, written by the program from its option tables.
completions: build/mailscope
	@mkdir -p build/completions
	@build/mailscope --completion bash > build/completions/mailscope.bash
	@build/mailscope --completion zsh > build/completions/_mailscope
	@build/mailscope --completion fish > build/completions/mailscope.fish

# Missing build packages are reported with the exact apt-get line, a
# library pkg-config cannot find by its .pc file (PKGS is the one list).
DEPS	 = PKGS='$(PKGS)' PKG_CONFIG='$(PKG_CONFIG)' sh tools/deps.sh build
deps-quiet:
	@$(DEPS) --check
deps:
	@$(DEPS)
deps-test:
	@sh tools/deps.sh test

RUNARGS ?= --lab

run: deps mailscope
	./mailscope $(RUNARGS)

unit: $(UNIT) $(UNIT_ASAN)

check: deps deps-test mailscope build-asan/mailscope unit
	@sh tests/run.sh

# The quick loop: unit tests and the suites that need no server.
test: deps-quiet mailscope $(UNIT_ASAN)
	@sh tests/run.sh --quick

# The arrows between the layers (ARCHITECTURE.md).
# The archives are what it reads: no need to link the program.
layers: $(BIN_LIBS:%=build/lib%.a) build/src/cmd/main.o
	@sh tools/layers.sh build

check-valgrind: deps deps-test mailscope
	@sh tests/valgrind/run.sh

bench: deps deps-test mailscope
	@sh tests/bench/run.sh

fuzz:
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

install: mailscope completions
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(THEMEDIR)
	install -m 0755 mailscope $(DESTDIR)$(BINDIR)/mailscope
	install -m 0644 mailscope.1 $(DESTDIR)$(MANDIR)/mailscope.1
	for t in themes/*.theme; do install -m 0644 $$t $(DESTDIR)$(THEMEDIR)/; done
	install -d $(DESTDIR)$(SCHEMADIR)
	install -m 0644 $(SCHEMAS) $(DESTDIR)$(SCHEMADIR)/
	# shell completions
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(FISHCOMPDIR)
	install -m 0644 build/completions/mailscope.bash \
	    $(DESTDIR)$(BASHCOMPDIR)/mailscope
	install -m 0644 build/completions/_mailscope \
	    $(DESTDIR)$(ZSHCOMPDIR)/_mailscope
	install -m 0644 build/completions/mailscope.fish \
	    $(DESTDIR)$(FISHCOMPDIR)/mailscope.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mailscope $(DESTDIR)$(MANDIR)/mailscope.1
	rm -rf $(DESTDIR)$(THEMEDIR) $(DESTDIR)$(SCHEMADIR)
	# shell completions
	rm -f $(DESTDIR)$(BASHCOMPDIR)/mailscope \
	    $(DESTDIR)$(ZSHCOMPDIR)/_mailscope \
	    $(DESTDIR)$(FISHCOMPDIR)/mailscope.fish
	rmdir $(DESTDIR)$(PREFIX)/share/mailscope 2>/dev/null || true

# The source tarball: what git tracks of these, or (outside git, say in
# an unpacked tarball) these as they are; names sorted, owner and times
# fixed, so one tree gives one tarball.
DIST	 = mailscope-$(VERSION)
DIST_FILES = ARCHITECTURE.md LICENSE Makefile README.md mailscope.1 debian \
	     src tests themes tools tui
dist:
	@rm -f $(DIST).tar.gz
	@if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ]; then \
		git archive --format=tar.gz --prefix=$(DIST)/ \
		    -o $(DIST).tar.gz HEAD -- $(DIST_FILES); \
	else \
		tar -cf $(DIST).tar --sort=name --owner=0 --group=0 \
		    --numeric-owner --mtime=@0 --exclude=tests/out \
		    --transform='s,^,$(DIST)/,' $(DIST_FILES) && \
		gzip -9nf $(DIST).tar; \
	fi
	@echo "$(DIST).tar.gz"

clean:
	rm -rf build build-asan mailscope mailscope.new tests/out $(DIST).tar.gz
