# SensorStation: build, install and package for Debian 12 / Raspberry Pi OS (bookworm).
#
#   make                 release binary (.build/release/sensorstation, Swift stdlib linked in)
#   sudo make install    binary, unit, sysusers/tmpfiles/udev/modules-load files, configuration
#   sudo make uninstall  removes what install put there; keeps /etc/sensorstation and the log
#   make deb             a .deb in .build-deb/ (dpkg-deb, no debhelper needed)
#   make deb ARCH=arm64  the Raspberry Pi's .deb, cross-compiled on x86_64 (scripts/cross-arm64)
#   make check-system    Tests/System/systemd-tests.sh (unit, hardening, package)
#
# Variables (make VAR=value):
#   DESTDIR    staging root for install (packaging); empty = the live system
#   PREFIX     /usr; the binary goes to $(PREFIX)/bin and the unit's ExecStart follows it
#   UNITDIR    /lib/systemd/system (Debian 12; trixie moves to /usr/lib/systemd/system)
#   BIN        a prebuilt binary to install/package instead of building the release one
#              (the tests pass the debug build so they need no release build)
#   SWIFT      swift
#   VERSION    the package version, default: the CLI's version + git date and commit
#   ARCH       the package's architecture, default the build machine's; arm64 on an amd64 machine
#              cross-compiles (scripts/cross-arm64: Debian's swiftlang, a bookworm arm64 sysroot)
#
# A note on the static stdlib: --static-swift-stdlib links the Swift runtime, Foundation and
# Dispatch into the binary (libstdc++ too: RELEASE_FLAGS), so the Pi needs no Swift toolchain;
# what stays dynamic is the C libraries (libc, libgcc, libsqlite3, libz, libi2c), which the .deb's
# Depends lists (computed by dpkg-shlibdeps from the binary itself), and libgpiod, which the
# binary loads at run time (2.x on trixie, 1.6 on bookworm: Sources/CGPIOD) and the Depends names
# as either.

SHELL       := /bin/bash
.SHELLFLAGS := -euo pipefail -c

SWIFT       ?= swift
# The release build: the Swift runtime linked in (above), and every function, Swift or C, ours or
# a package's, in a section of its own, so that the symbol order file (Package.swift, the release
# link) can place the functions the service runs together. Without it each object's code is one
# section and ordering one function drags its whole file along (Benchmarks/README.md, service).
# libstdc++, which the runtime needs, is linked in too (packaging/link/libstdc++.so, a linker
# script naming the archive): only the functions used are then in the binary, in the order, where
# the shared library kept 1.46 MB of its pages resident (RSS 1.15 MB lower: Benchmarks/README.md).
# The path is relative: SwiftPM links in the package's directory, as scripts/cross-arm64 does.
# scripts/cross-arm64 builds the Pi's binary with these same flags (`make release-flags`).
RELEASE_FLAGS := --product sensorstation --static-swift-stdlib \
  -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections \
  -Xswiftc -L -Xswiftc packaging/link
DESTDIR     ?=
PREFIX      ?= /usr
BINDIR      ?= $(PREFIX)/bin
UNITDIR     ?= /lib/systemd/system
LIBDIR      ?= /usr/lib
SYSUSERSDIR ?= $(LIBDIR)/sysusers.d
TMPFILESDIR ?= $(LIBDIR)/tmpfiles.d
UDEVDIR     ?= $(LIBDIR)/udev/rules.d
MODLOADDIR  ?= $(LIBDIR)/modules-load.d
DOCDIR      ?= $(PREFIX)/share/doc/sensorstation
MANDIR      ?= $(PREFIX)/share/man
CONFDIR     ?= /etc/sensorstation

HOST_ARCH   := $(shell dpkg --print-architecture 2>/dev/null || uname -m)
ARCH        ?= $(HOST_ARCH)
# Building for another architecture: only arm64 on amd64 is known (the Raspberry Pi's).
CROSS       := $(if $(filter-out $(HOST_ARCH),$(ARCH)),$(ARCH))
CROSS_CACHE ?= /var/tmp/sensorstation-cross
CROSS_SYSROOT := $(if $(CROSS),$(shell CROSS_CACHE="$(CROSS_CACHE)" scripts/cross-arm64 sysroot))
RELEASE_BIN := $(if $(CROSS),.build-arm64/aarch64-unknown-linux-gnu/release/sensorstation,.build/release/sensorstation)
STRIP       ?= $(if $(CROSS),aarch64-linux-gnu-strip,strip)
BIN         ?=
# The binary that install and deb use: BIN if given, else the release build.
INSTALL_BIN  = $(if $(BIN),$(BIN),$(RELEASE_BIN))

CLI_VERSION := $(shell sed -n 's/.*current = "\([0-9][^"]*\)".*/\1/p' Sources/Station/Service/SensorStationVersion.swift | head -n1)
# The last commit's time in UTC to the second, then its hash: two builds of one day still order
# as their commits do, so apt upgrades (never downgrades) from one to the next.
GIT_STAMP   := $(shell TZ=UTC0 git log -1 --format=%cd.%h --date=format-local:%Y%m%d%H%M%S 2>/dev/null)
VERSION     ?= $(or $(CLI_VERSION),0.0.0)$(if $(GIT_STAMP),+git$(GIT_STAMP))
# Debian wants a real maintainer address: whoever builds (git config), else the last commit's author.
MAINTAINER  ?= $(shell n=$$(git config user.name 2>/dev/null); e=$$(git config user.email 2>/dev/null); \
                 if [ -n "$$n" ] && [ -n "$$e" ]; then echo "$$n <$$e>"; else git log -1 --format='%an <%ae>' 2>/dev/null; fi)
DEBDIR      ?= .build-deb
DEB_STAGE    = $(DEBDIR)/stage
DEB_FILE     = $(DEBDIR)/sensorstation_$(VERSION)_$(ARCH).deb

# The package's Depends come from the binary's NEEDED libraries. Cross-built, they are looked up
# in the arm64 sysroot (its libraries and the dpkg database scripts/cross-arm64 writes there).
SHLIBDEPS = $(if $(CROSS),DEB_HOST_ARCH=$(ARCH) DEB_HOST_MULTIARCH=aarch64-linux-gnu dpkg-shlibdeps \
              --admindir="$(CROSS_SYSROOT)/var/lib/dpkg" -l"$(CROSS_SYSROOT)/lib/aarch64-linux-gnu" \
              -l"$(CROSS_SYSROOT)/usr/lib/aarch64-linux-gnu",dpkg-shlibdeps)

.PHONY: all build install uninstall deb check-system clean-deb FORCE

all: build

# The release binary, Swift runtime linked in. Always asks SwiftPM (it knows what changed).
build: $(RELEASE_BIN)
$(RELEASE_BIN): FORCE
ifeq ($(CROSS),)
	@# SwiftPM recompiles C files when the flags change but keeps Swift objects compiled without
	@# them, so a release folder built with other flags starts over.
	@d=$$($(SWIFT) build -c release --show-bin-path); \
	 if [ -d "$$d" ] && [ "$$(cat "$$d.flags" 2>/dev/null)" != '$(RELEASE_FLAGS)' ]; then \
	   echo "make: the release flags changed: $$d starts over" >&2; rm -rf "$$d"; fi; \
	 echo "$(SWIFT) build -c release $(RELEASE_FLAGS)"; \
	 $(SWIFT) build -c release $(RELEASE_FLAGS); \
	 echo '$(RELEASE_FLAGS)' > "$$d.flags"
else ifeq ($(HOST_ARCH)-$(CROSS),amd64-arm64)
	CROSS_CACHE="$(CROSS_CACHE)" scripts/cross-arm64 build >/dev/null
else
	@echo "make: cannot build for ARCH=$(ARCH) on $(HOST_ARCH) (known: arm64 on amd64), or give BIN=" >&2; exit 64
endif

# The release build's flags (but -c), for the scripts that build it themselves (scripts/cross-arm64).
.PHONY: release-flags
release-flags:
	@echo '$(RELEASE_FLAGS)'

# Building the release binary only when BIN is not given.
.PHONY: binary
binary:
	@if [ -z "$(BIN)" ]; then $(MAKE) --no-print-directory build; \
	 elif [ ! -x "$(BIN)" ]; then echo "make: BIN=$(BIN) is not an executable file" >&2; exit 66; fi

install: binary
	install -d -m 0755 "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(UNITDIR)" "$(DESTDIR)$(SYSUSERSDIR)" \
	    "$(DESTDIR)$(TMPFILESDIR)" "$(DESTDIR)$(UDEVDIR)" "$(DESTDIR)$(MODLOADDIR)" \
	    "$(DESTDIR)$(DOCDIR)" "$(DESTDIR)$(DOCDIR)/examples" "$(DESTDIR)$(CONFDIR)" "$(DESTDIR)$(MANDIR)/man1"
	install -m 0755 "$(INSTALL_BIN)" "$(DESTDIR)$(BINDIR)/sensorstation"
	sed 's#^ExecStart=/usr/bin/sensorstation #ExecStart=$(BINDIR)/sensorstation #' \
	    systemd/sensorstation.service > "$(DESTDIR)$(UNITDIR)/sensorstation.service"
	chmod 0644 "$(DESTDIR)$(UNITDIR)/sensorstation.service"
	install -m 0644 systemd/sensorstation.sysusers "$(DESTDIR)$(SYSUSERSDIR)/sensorstation.conf"
	install -m 0644 systemd/sensorstation.tmpfiles "$(DESTDIR)$(TMPFILESDIR)/sensorstation.conf"
	install -m 0644 systemd/60-sensorstation.rules "$(DESTDIR)$(UDEVDIR)/60-sensorstation.rules"
	install -m 0644 systemd/sensorstation.modules-load "$(DESTDIR)$(MODLOADDIR)/sensorstation.conf"
	gzip -9n < packaging/sensorstation.1 > "$(DESTDIR)$(MANDIR)/man1/sensorstation.1.gz"
	chmod 0644 "$(DESTDIR)$(MANDIR)/man1/sensorstation.1.gz"
	install -m 0644 README.md "$(DESTDIR)$(DOCDIR)/README.md"
	install -m 0644 docs/*.md "$(DESTDIR)$(DOCDIR)/"
	install -m 0644 Hardware/README.md "$(DESTDIR)$(DOCDIR)/hardware.md"
	install -m 0644 Hardware/wiring.svg "$(DESTDIR)$(DOCDIR)/wiring.svg"
	install -m 0644 examples/raspberry-pi.yaml examples/simulation.yaml "$(DESTDIR)$(DOCDIR)/examples/"
	# The configuration: the commented Raspberry Pi example, only if there is none yet (an
	# operator's file is never overwritten; the .deb marks it a conffile instead).
	if [ ! -e "$(DESTDIR)$(CONFDIR)/config.yaml" ]; then \
	    install -m 0644 examples/raspberry-pi.yaml "$(DESTDIR)$(CONFDIR)/config.yaml"; \
	else \
	    echo "make install: keeping the existing $(DESTDIR)$(CONFDIR)/config.yaml"; \
	fi
	# On the live system: the user, the directories, the rules; then tell how to start.
	if [ -z "$(DESTDIR)" ]; then \
	    systemd-sysusers "$(SYSUSERSDIR)/sensorstation.conf"; \
	    systemd-tmpfiles --create "$(TMPFILESDIR)/sensorstation.conf" || true; \
	    if [ -d /run/udev ]; then udevadm control --reload-rules || true; \
	        udevadm trigger --action=change --subsystem-match=i2c-dev --subsystem-match=gpio || true; fi; \
	    if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
	    echo "installed; start with: sudo systemctl enable --now sensorstation"; \
	fi

uninstall:
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
	    systemctl disable --now sensorstation.service 2>/dev/null || true; fi
	rm -f "$(DESTDIR)$(BINDIR)/sensorstation" "$(DESTDIR)$(UNITDIR)/sensorstation.service" \
	    "$(DESTDIR)$(SYSUSERSDIR)/sensorstation.conf" "$(DESTDIR)$(TMPFILESDIR)/sensorstation.conf" \
	    "$(DESTDIR)$(UDEVDIR)/60-sensorstation.rules" "$(DESTDIR)$(MODLOADDIR)/sensorstation.conf" \
	    "$(DESTDIR)$(MANDIR)/man1/sensorstation.1.gz"
	rm -rf "$(DESTDIR)$(DOCDIR)"
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@echo "kept: $(CONFDIR) (configuration, certificate, key), /var/lib/sensorstation (the log), the user sensorstation"

# The .deb: stage with install, strip, add DEBIAN/ (control with Depends from dpkg-shlibdeps,
# conffiles, maintainer scripts), build with dpkg-deb as root:root without fakeroot.
deb: binary
	command -v dpkg-shlibdeps >/dev/null || { echo "make deb: needs dpkg-dev (apt-get install dpkg-dev)" >&2; exit 69; }
	[ -n "$(MAINTAINER)" ] || { echo "make deb: no maintainer known (no git identity): make deb MAINTAINER='Name <email>'" >&2; exit 64; }
	rm -rf "$(DEB_STAGE)" && mkdir -p "$(DEB_STAGE)/DEBIAN"
	$(MAKE) --no-print-directory install DESTDIR="$(abspath $(DEB_STAGE))" BIN="$(abspath $(INSTALL_BIN))" \
	    PREFIX=/usr UNITDIR=/lib/systemd/system
	$(STRIP) --strip-unneeded --remove-section=.comment --remove-section=.note "$(DEB_STAGE)/usr/bin/sensorstation"
	# Debian wants a changelog and a copyright file in the doc directory.
	sed -e 's/@VERSION@/$(VERSION)/' -e 's|@MAINTAINER@|$(MAINTAINER)|' -e "s/@COMMIT@/$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)/" \
	    -e "s/@DATE@/$$(date -R -d @$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null || date +%s)})/" \
	    packaging/changelog.in | gzip -9n > "$(DEB_STAGE)/usr/share/doc/sensorstation/changelog.gz"
	chmod 0644 "$(DEB_STAGE)/usr/share/doc/sensorstation/changelog.gz"
	install -m 0644 packaging/copyright "$(DEB_STAGE)/usr/share/doc/sensorstation/copyright"
	install -d -m 0755 "$(DEB_STAGE)/usr/share/lintian/overrides"
	install -m 0644 packaging/lintian-overrides "$(DEB_STAGE)/usr/share/lintian/overrides/sensorstation"
	# Shared-library dependencies of the binary itself. A binary that still links the Swift
	# runtime dynamically (a debug build passed as BIN) gets a warning: it runs only where that
	# runtime is installed.
	if objdump -p "$(DEB_STAGE)/usr/bin/sensorstation" | grep -q 'NEEDED *libswiftCore'; then \
	    echo "make deb: WARNING: $(INSTALL_BIN) links the Swift runtime dynamically; build with --static-swift-stdlib for a Pi" >&2; fi
	tmp=$$(mktemp -d) && mkdir "$$tmp/debian" && \
	    printf 'Source: sensorstation\n\nPackage: sensorstation\nArchitecture: any\n' > "$$tmp/debian/control" && \
	    bin="$(abspath $(DEB_STAGE))/usr/bin/sensorstation" && \
	    ( cd "$$tmp" && $(SHLIBDEPS) --ignore-missing-info -O "$$bin" 2>"$$tmp/warnings" ) > "$$tmp/substvars" && \
	    { grep -v -E 'libswift|libFoundation|libdispatch|libBlocksRuntime' "$$tmp/warnings" >&2 || true; } && \
	    depends=$$(sed -n 's/^shlibs:Depends=//p' "$$tmp/substvars") && rm -rf "$$tmp" && \
	    size=$$(du -sk --exclude=DEBIAN "$(DEB_STAGE)" | cut -f1) && \
	    sed -e 's/@VERSION@/$(VERSION)/' -e 's/@ARCH@/$(ARCH)/' -e 's|@MAINTAINER@|$(MAINTAINER)|' -e "s/@INSTALLED_SIZE@/$$size/" \
	        -e "s/@DEPENDS@/$${depends:+$$depends, }libgpiod3 | libgpiod2 (>= 1.5.1), systemd (>= 251), init-system-helpers (>= 1.54~)/" \
	        packaging/control.in > "$(DEB_STAGE)/DEBIAN/control"
	echo /etc/sensorstation/config.yaml > "$(DEB_STAGE)/DEBIAN/conffiles"
	install -m 0755 packaging/postinst packaging/prerm packaging/postrm "$(DEB_STAGE)/DEBIAN/"
	# preinst: the sysusers.d lines (comments and blank lines left out) in place of @SYSUSERS@
	awk 'NR == FNR { if ($$0 !~ /^#/ && NF) s = s $$0 "\n"; next } /^@SYSUSERS@$$/ { printf "%s", s; next } { print }' \
	    systemd/sensorstation.sysusers packaging/preinst.in > "$(DEB_STAGE)/DEBIAN/preinst"
	chmod 0755 "$(DEB_STAGE)/DEBIAN/preinst"
	chmod 0644 "$(DEB_STAGE)/DEBIAN/control" "$(DEB_STAGE)/DEBIAN/conffiles"
	find "$(DEB_STAGE)" -path "$(DEB_STAGE)/DEBIAN" -prune -o -type f -printf '%P\0' | \
	    (cd "$(DEB_STAGE)" && xargs -0 md5sum) > "$(DEB_STAGE)/DEBIAN/md5sums"
	chmod 0644 "$(DEB_STAGE)/DEBIAN/md5sums"
	dpkg-deb --root-owner-group $(if $(DEB_COMPRESS),-Z$(DEB_COMPRESS)) --build "$(DEB_STAGE)" "$(DEB_FILE)"
	@echo "built $(DEB_FILE)"

check-system:
	Tests/System/systemd-tests.sh

clean-deb:
	rm -rf "$(DEBDIR)"

FORCE:
