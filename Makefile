# lade build and test entry points. `make test` is what CI runs.

SHELL     := /bin/bash
GO        ?= go
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
DESTDIR   ?=
MODULE    := github.com/lade-oci/lade
VERSION   ?= $(shell v=$$(git describe --tags --dirty 2>/dev/null) && echo "$${v\#v}" || \
	echo "0.1.0+dev.$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)")
LDFLAGS   := -X main.version=$(VERSION)
BIN       := bin/lade
DOCS      := bin/docs
MANGEN    := bin/lade-mangen
BATS      ?= bats

# Fuzz smoke targets, each run for FUZZ_TIME: "package-dir:FuzzName" pairs.
# Every Fuzz function in the tree is found automatically; set FUZZ_TARGETS
# to run a subset.
FUZZ_TIME    ?= 10s
FUZZ_TARGETS ?= $(shell grep -rE --include='*_test.go' --exclude-dir=.git --exclude-dir=.cache -o '^func Fuzz[A-Za-z0-9_]+' . | sed -E 's|^(.*)/[^/]*_test\.go:func |\1:|' | sort)

.PHONY: all build mangen docs test test-deps test-unit test-fuzz test-bats install install-umoci-link \
	fmt vet clean check-imports

all: build

# A static binary (no cgo): no dynamic loader runs at start-up, about a
# millisecond of every command. Only go-mtree's uname/gname keywords and
# archive/tar need os/user, which then reads /etc/passwd and /etc/group.
# urfave_cli_no_docs leaves out urfave/cli's Markdown and roff writers and
# lade's man page generator (cmd/lade/man.go), and with them go-md2man and
# blackfriday, whose package initialisation would run at every start.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -tags urfave_cli_no_docs -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/lade

# The same program with the man page generator (the hidden "__man"
# command), for "make docs" and the man page tests; it is not installed.
mangen:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(MANGEN) ./cmd/lade

# Debian packages the tests drive (installed when missing, as root on Debian).
TEST_PACKAGES := bats runc umoci skopeo jq busybox-static attr docker-registry openssl apache2-utils zsh fish groff python3

test: test-deps vet check-imports test-unit test-fuzz test-bats

test-deps:
	@scripts/ensure-debian-packages $(TEST_PACKAGES)

test-unit:
	$(GO) test -count=1 ./...

# A run that fails only with "context deadline exceeded" (Go's fuzzing
# coordinator timing out at -fuzztime on a loaded machine, no failing
# input) is run once more; any real failure stops the loop.
test-fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name ($(FUZZ_TIME))"; \
		out=$$(mktemp); \
		if ! $(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZ_TIME) "$$pkg" >"$$out" 2>&1; then \
			cat "$$out"; \
			if grep -q 'context deadline exceeded' "$$out" && ! grep -q 'Failing input' "$$out"; then \
				echo "fuzz $$pkg $$name: coordinator timeout, running again"; \
				$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZ_TIME) "$$pkg" || { rm -f "$$out"; exit 1; }; \
			else rm -f "$$out"; exit 1; fi; \
		else tail -n 2 "$$out"; fi; \
		rm -f "$$out"; \
	done

# Prints bats' TAP stream, then a "bats: N passed, N failed, N skipped" line.
test-bats: build mangen
	@set -o pipefail; tap=$$(mktemp); \
	LADE=$(CURDIR)/$(BIN) LADE_MANGEN=$(CURDIR)/$(MANGEN) $(BATS) --tap test/ | tee "$$tap"; rc=$$?; \
	skipped=$$(grep -c '^ok .* # skip' "$$tap"); \
	passed=$$(( $$(grep -c '^ok ' "$$tap") - skipped )); \
	failed=$$(grep -c '^not ok ' "$$tap"); rm -f "$$tap"; \
	echo "bats: $$passed passed, $$failed failed, $$skipped skipped"; \
	exit $$rc

# Man pages (one per command, a ".so" page per alias) and completion
# scripts, generated from the command definitions that --help prints. The
# pages come from bin/lade-mangen (the generator is not in the binary
# "make build" makes), the scripts from the binary, run as umoci for the
# umoci ones.
docs: build mangen
	rm -rf $(DOCS)
	mkdir -p $(DOCS)/completion
	$(MANGEN) __man $(DOCS)/man1
	ln -s $(abspath $(BIN)) $(DOCS)/umoci
	@set -e; for exe in $(BIN) $(DOCS)/umoci; do n=$$(basename $$exe); \
		echo "$$exe completion bash|zsh|fish"; \
		$$exe completion bash >$(DOCS)/completion/$$n; \
		$$exe completion zsh >$(DOCS)/completion/_$$n; \
		$$exe completion fish >$(DOCS)/completion/$$n.fish; \
	done

install: build docs
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/lade
	install -m 0644 $(DOCS)/man1/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(DOCS)/completion/lade $(DESTDIR)$(BASHCOMPDIR)/lade
	install -m 0644 $(DOCS)/completion/_lade $(DESTDIR)$(ZSHCOMPDIR)/_lade
	install -m 0644 $(DOCS)/completion/lade.fish $(DESTDIR)$(FISHCOMPDIR)/lade.fish

# Also answer to "umoci" (lade names itself after argv[0]): the link, an
# umoci*(1) page for every lade*(1) page (".so" to lade's) and the umoci
# completion scripts.
install-umoci-link: install
	ln -sf lade $(DESTDIR)$(BINDIR)/umoci
	@set -e; for p in $(DOCS)/man1/lade*.1; do n=$$(basename $$p); \
		dst=$(DESTDIR)$(MANDIR)/man1/umoci$${n#lade}; \
		case "$$(head -n 1 $$p)" in \
		.so\ *) install -m 0644 $$p $$dst ;; \
		*) echo ".so man1/$$n" >$$dst; chmod 0644 $$dst ;; \
		esac; \
	done
	install -m 0644 $(DOCS)/completion/umoci $(DESTDIR)$(BASHCOMPDIR)/umoci
	install -m 0644 $(DOCS)/completion/_umoci $(DESTDIR)$(ZSHCOMPDIR)/_umoci
	install -m 0644 $(DOCS)/completion/umoci.fish $(DESTDIR)$(FISHCOMPDIR)/umoci.fish

fmt:
	gofmt -w $$(find . -name '*.go' -not -path './.git/*' -not -path './.cache/*')

vet:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.git/*' -not -path './.cache/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Import rules of docs/ARCHITECTURE.md, checked on the transitive
# dependencies of every package: only cmd imports urfave/cli; internal
# imports no non-internal lade package; layer imports no oci, mutate or
# bundle; oci imports no layer, mutate or bundle; mutate imports no layer or
# bundle.
check-imports:
	@$(GO) list -f '{{.ImportPath}} {{join .Deps " "}}' ./... | awk -v m='$(MODULE)' ' \
	function under(p, dir) { return p == m "/" dir || index(p, m "/" dir "/") == 1 } \
	function bad(pkg, dep, why) { printf "forbidden import: %s -> %s (%s)\n", pkg, dep, why; fail = 1 } \
	{ pkg = $$1; \
	  for (i = 2; i <= NF; i++) { dep = $$i; \
	    if (dep ~ /^github.com\/urfave\/cli/ && !under(pkg, "cmd")) bad(pkg, dep, "only cmd may use urfave/cli"); \
	    if (index(dep, m "/") != 1) continue; \
	    if (under(pkg, "internal") && !under(dep, "internal")) bad(pkg, dep, "internal imports only internal"); \
	    if (under(pkg, "layer") && (under(dep, "oci") || under(dep, "mutate") || under(dep, "bundle"))) bad(pkg, dep, "layer must not import oci, mutate or bundle"); \
	    if (under(pkg, "oci") && (under(dep, "layer") || under(dep, "mutate") || under(dep, "bundle"))) bad(pkg, dep, "oci must not import layer, mutate or bundle"); \
	    if (under(pkg, "mutate") && (under(dep, "layer") || under(dep, "bundle"))) bad(pkg, dep, "mutate must not import layer or bundle"); \
	    if (under(dep, "cmd")) bad(pkg, dep, "nothing imports cmd"); \
	  } } \
	END { if (fail) exit 1; print "check-imports: ok" }'

clean:
	rm -rf bin/ test/.images/

# bench and demo live in mk/*.mk.
-include mk/*.mk
