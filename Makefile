# SPDX-License-Identifier: GPL-2.0
#
# nabla: top-level build. See README.md.
#
#   make                build kmod/nabla.ko (against KDIR), libnabla, the
#                       selftests and the examples
#   make KDIR=DIR       ... against another kernel build tree
#   make check          install what is missing, build for every kernel of the
#                       matrix, run the static checks and the selftests in the
#                       test host; ends with "N passed, N failed"
#   make demo           boot the test host and run the example applications,
#                       then their options side by side (KERNEL=K, default 6.12)
#   make install        libnabla, its headers, libnabla.pc, the udev rule;
#                       the Solo5 target: nabla-run, nabla-elftool, the
#                       bindings with their linker script, headers and
#                       solo5-bindings-nabla{,-syscall}.pc (PREFIX=/usr/local,
#                       DESTDIR=); make uninstall
#   make module-for KERNEL=K   nabla.ko for kernel K of the matrix, built in .build/K
#   make stage          what the test host carries (.build/stage/opt/nabla)
#   make debug-kernel   build the KASAN/lockdep/kmemleak kernel (DEST=DIR)
#   make images         OCI images of the examples for nabla-runc (.build/images)
#   make check-containers  the container tests (podman, containerd) in the test
#                       host, on KERNEL=K (default 6.1)
#   make fuzz           fuzz the ioctls on the debug kernel (DURATION=10m,
#                       TRINITY=5m), then print kmod's line coverage

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(TOP)/.build
KSFT := $(TOP)/.cache/linux-source-6.1/tools/testing/selftests

KDIR ?= $(wildcard /lib/modules/$(shell uname -r)/build)

# libnabla's version (its soname is libnabla.so.0); dkms.conf has the same.
VERSION := 0.1.0

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BINDIR ?= $(PREFIX)/bin
BINDINGSDIR := $(LIBDIR)/solo5-bindings-nabla
BINDINGSINC := $(INCLUDEDIR)/solo5-bindings-nabla
UDEVRULESDIR ?= /etc/udev/rules.d

# The kernel module's sources, as copied into a per-kernel build directory.
MODULE_SRC := Kbuild kmod uapi

# The examples' applications (nolibc is their small libc, built with solo5).
EXAMPLES := $(filter-out %/nolibc,$(patsubst %/Makefile,%,$(wildcard $(TOP)/examples/*/Makefile)))

.PHONY: all module module-clean libnabla solo5 selftests examples nabla-fuzz module-for stage check demo \
	debug-kernel install install-solo5 uninstall clean ksft-source nabla-runc images \
	check-containers

all: module libnabla solo5 selftests examples nabla-runc nabla-fuzz

# --- the kernel module -------------------------------------------------------

module:
ifeq ($(KDIR),)
	$(error no /lib/modules/$(shell uname -r)/build: use make KDIR=<kernel build tree>, e.g. KDIR=$$(testhost/fetch kdir 6.1))
else
	$(MAKE) -C $(KDIR) M=$(TOP) modules
endif

# Not kbuild's "clean": with M= at the top of the tree it would delete every
# .ko, .o and .a below it, the kernels unpacked in .cache/ included.
module-clean:
	rm -f $(addprefix kmod/,*.o *.ko *.mod *.mod.c .*.cmd modules.order) \
		Module.symvers modules.order .*.cmd .module-common.o

# Out-of-tree builds write their objects beside the sources, so each kernel
# of the matrix builds in its own copy under .build/KERNEL (sources synced,
# objects kept for incremental rebuilds). testhost/kmake runs kbuild, in the
# kernel's build root when its compiler does not run here (newest).
# MODULE_DIR=DIR builds elsewhere (make fuzz: with KCFLAGS=-g).
MODULE_DIR ?= $(BUILD)/$(KERNEL)
module-for:
	@test -n "$(KERNEL)" || { echo "usage: make module-for KERNEL=K" >&2; exit 2; }
	@mkdir -p $(MODULE_DIR)
	@rsync -a --delete $(foreach p,o ko mod mod.c mod.o cmd order symvers a,--exclude='*.$(p)') \
		--exclude='.tmp*' $(addprefix $(TOP)/,$(MODULE_SRC)) $(MODULE_DIR)/
	+$(TOP)/testhost/kmake $(KERNEL) M=$(MODULE_DIR) modules

# --- user space ----------------------------------------------------------------

HAVE_LIBNABLA := $(wildcard $(TOP)/libnabla/Makefile)

libnabla:
ifeq ($(HAVE_LIBNABLA),)
	@echo "nabla: libnabla/Makefile is not there yet: no libnabla to build" >&2
else
	$(MAKE) -C libnabla
endif

# The freestanding Solo5 target: the bindings linked into a unikernel, the
# manifest tool, the tender, the examples' small libc (README "Unikernels").
SOLO5_DIRS := bindings/nabla elftool tenders/nabla examples/nolibc

solo5: libnabla
	@set -e; for d in $(SOLO5_DIRS); do $(MAKE) -C $$d; done

ksft-source:
	@$(TOP)/testhost/fetch source

selftests: libnabla solo5 ksft-source
	$(MAKE) -C selftests

examples: libnabla solo5
	@set -e; for d in $(EXAMPLES); do $(MAKE) -C $$d; done

# The OCI runtime (nabla-runc/README.md) and the images of the examples.
nabla-runc:
	$(MAKE) -C nabla-runc

images: examples
	$(MAKE) -C nabla-runc images

# The fuzzer's target and its seeds (fuzz/; make fuzz runs it).
nabla-fuzz:
	$(MAKE) -C fuzz

# The test host's /opt/nabla: libnabla, the kselftest install, the examples.
# An example that fails to build is left out (make check counts the failure
# in its build check) rather than keeping the selftests from running.
stage: libnabla selftests
	@$(MAKE) examples || echo "nabla: examples failed to build: staged without them" >&2
	@rm -rf $(BUILD)/stage
	@mkdir -p $(BUILD)/stage/opt/nabla/lib $(BUILD)/stage/opt/nabla/examples
	$(MAKE) -s -C selftests install INSTALL_PATH=$(BUILD)/stage/opt/nabla/selftests
	$(MAKE) -s -C fuzz install DESTDIR=$(BUILD)/stage/opt/nabla/fuzz
	@$(if $(wildcard libnabla/libnabla.so*),cp -a $(wildcard libnabla/libnabla.so*) $(BUILD)/stage/opt/nabla/lib/)
	@for d in $(EXAMPLES); do \
		n=$$(basename $$d); \
		for f in $$(find $$d -maxdepth 1 -type f -perm -u+x); do \
			[ "$$(head -c 4 $$f | tail -c 3)" = ELF ] || continue; \
			mkdir -p $(BUILD)/stage/opt/nabla/examples/$$n; \
			cp $$f $(BUILD)/stage/opt/nabla/examples/$$n/; \
		done; \
	done
	@install -d $(BUILD)/stage/opt/nabla/bin $(BUILD)/stage/opt/nabla/examples/tests
	@install -m 755 tenders/nabla/nabla-run elftool/nabla-elftool $(BUILD)/stage/opt/nabla/bin/
	@install -m 755 examples/demo.sh $(BUILD)/stage/opt/nabla/examples/
	@install -m 755 examples/tests/*.sh $(BUILD)/stage/opt/nabla/examples/tests/

# --- test host ------------------------------------------------------------------

check:
	@$(TOP)/testhost/check

# The debug kernel (KASAN, lockdep, kmemleak, fault injection) from Debian's
# linux-source-6.12 into .cache/debug-kernel (DEST=DIR for elsewhere); about
# half an hour on two cores. testhost/debug.config is its fragment.
debug-kernel:
	@$(TOP)/testhost/debug-kernel $(DEST)

check-containers:
	@$(TOP)/testhost/deps
	@$(TOP)/nabla-runc/tests/boot $(or $(KERNEL),6.1)

demo:
	@$(TOP)/testhost/deps
	@$(TOP)/testhost/demo-host $(if $(KERNEL),--kernel $(KERNEL))

# --- fuzzing (fuzz/README.md): afl-fuzz and trinity on the debug kernel; not part of check ---

.PHONY: fuzz
fuzz:
	@$(TOP)/fuzz/run

# --- benchmark (bench/README.md): boots the test host on each kernel; not part of check ---

.PHONY: bench
bench:
	$(MAKE) -C bench run containers

# --- install ----------------------------------------------------------------------

# libnabla.so is installed with its soname links as built (cp -P). solo5.h
# goes into include/libnabla/ (pkg-config's Cflags point there), so that it
# cannot clash with a Solo5 installation's own solo5.h.
install: libnabla install-solo5
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/linux $(DESTDIR)$(INCLUDEDIR)/libnabla \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(UDEVRULESDIR)
	install -m 644 libnabla/libnabla.a $(DESTDIR)$(LIBDIR)/libnabla.a
	cp -P $(wildcard libnabla/libnabla.so*) $(DESTDIR)$(LIBDIR)/
	install -m 644 $(wildcard libnabla/include/*.h) $(DESTDIR)$(INCLUDEDIR)/libnabla/
	install -m 644 uapi/linux/nabla.h $(DESTDIR)$(INCLUDEDIR)/linux/nabla.h
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' \
		libnabla.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/libnabla.pc
	install -m 644 70-nabla.rules $(DESTDIR)$(UDEVRULESDIR)/70-nabla.rules

# The freestanding target: its .pc files record the compiler's own header
# directory (-nostdinc keeps libc's headers out of a unikernel).
SOLO5_PC := sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	-e 's|@VERSION@|$(VERSION)|; s|@CCINCLUDE@|$(shell $(CC) -print-file-name=include)|'

install-solo5: solo5
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(BINDINGSDIR) $(DESTDIR)$(BINDINGSINC) \
		$(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 tenders/nabla/nabla-run elftool/nabla-elftool $(DESTDIR)$(BINDIR)/
	install -m 644 bindings/nabla/solo5_nabla.o bindings/nabla/solo5_nabla_syscall.o \
		bindings/nabla/solo5_nabla.lds $(DESTDIR)$(BINDINGSDIR)/
	install -m 644 libnabla/include/solo5.h include/mft_abi.h $(DESTDIR)$(BINDINGSINC)/
	$(SOLO5_PC) -e 's|@NAME@|solo5-bindings-nabla|; s|@OBJECT@|solo5_nabla.o|' \
		-e 's|@BACKEND@|dev backend (/dev/nabla)|' solo5-bindings-nabla.pc.in \
		> $(DESTDIR)$(PKGCONFIGDIR)/solo5-bindings-nabla.pc
	$(SOLO5_PC) -e 's|@NAME@|solo5-bindings-nabla-syscall|; s|@OBJECT@|solo5_nabla_syscall.o|' \
		-e 's|@BACKEND@|syscall backend (as Solo5 spt)|' solo5-bindings-nabla.pc.in \
		> $(DESTDIR)$(PKGCONFIGDIR)/solo5-bindings-nabla-syscall.pc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nabla-run $(DESTDIR)$(BINDIR)/nabla-elftool \
		$(addprefix $(DESTDIR)$(BINDINGSDIR)/,solo5_nabla.o solo5_nabla_syscall.o solo5_nabla.lds) \
		$(DESTDIR)$(BINDINGSINC)/solo5.h $(DESTDIR)$(BINDINGSINC)/mft_abi.h \
		$(DESTDIR)$(PKGCONFIGDIR)/solo5-bindings-nabla.pc \
		$(DESTDIR)$(PKGCONFIGDIR)/solo5-bindings-nabla-syscall.pc
	-rmdir $(DESTDIR)$(BINDINGSDIR) $(DESTDIR)$(BINDINGSINC) 2>/dev/null
	rm -f $(DESTDIR)$(LIBDIR)/libnabla.a $(DESTDIR)$(LIBDIR)/libnabla.so*
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/libnabla/,$(notdir $(wildcard libnabla/include/*.h))) \
		$(DESTDIR)$(INCLUDEDIR)/linux/nabla.h $(DESTDIR)$(PKGCONFIGDIR)/libnabla.pc \
		$(DESTDIR)$(UDEVRULESDIR)/70-nabla.rules
	-rmdir $(DESTDIR)$(INCLUDEDIR)/libnabla 2>/dev/null

clean: module-clean
	-$(if $(HAVE_LIBNABLA),$(MAKE) -C libnabla clean)
	-$(if $(wildcard $(KSFT)/lib.mk),$(MAKE) -C selftests clean)
	-@for d in $(EXAMPLES) $(SOLO5_DIRS); do $(MAKE) -C $$d clean; done
	-$(MAKE) -C nabla-runc clean
	-$(MAKE) -s -C fuzz clean
	@# Only what the build put in .build/: others (bench/) keep their files there.
	rm -rf $(BUILD)/stage $(BUILD)/check $(wildcard $(BUILD)/*/kmod)
