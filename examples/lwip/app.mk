# SPDX-License-Identifier: ISC
#
# Included by the applications' Makefiles: how a Solo5 program on libnabla
# with lwIP is compiled and linked, and the same program as a freestanding
# unikernel for nabla-run (NAME.nabla with the dev backend's bindings,
# NAME.nabla_syscall with the syscall twin's): $(call uk_app,NAME,SRCS)
# defines both, with the manifest manifest.json beside the sources.
# Expects TOP and LWIP to be set.
#
# LIBNABLA may name another implementation of the Solo5 API to link with.

.DEFAULT_GOAL := all
CC ?= cc
CFLAGS ?= -O2 -g
LIBNABLA ?= $(TOP)/libnabla/libnabla.a
LIBLWIP := $(LWIP)/build/liblwip-nabla.a

COMMON_CFLAGS := $(CFLAGS) -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
	-I$(LWIP) -I$(TOP)/libnabla/include
APP_CFLAGS := $(COMMON_CFLAGS) -I$(TOP)/.cache/lwip/lwip-src/src/include \
	-ffunction-sections -fdata-sections
# Static: the program runs in the QEMU test host without shared libraries.
APP_LDLIBS := $(LIBLWIP) $(LIBNABLA) -static -l:libseccomp.a -Wl,--gc-sections
APP_DEPS := $(LIBLWIP) $(LIBNABLA)
UNIT_CFLAGS := $(COMMON_CFLAGS) -fsanitize=address,undefined

include $(TOP)/bindings/nabla/unikernel.mk
UK_LIBLWIP := $(LWIP)/build/uk/liblwip-nabla.a
UK_APP_CFLAGS := $(UK_CFLAGS) -I$(UK_NOLIBC)/include -DLWIP_NO_INTTYPES_H=1 \
	-Wno-unused-parameter -I$(LWIP) -I$(TOP)/.cache/lwip/lwip-src/src/include \
	-ffunction-sections -fdata-sections
UK_APP_LIBS := $(UK_LIBLWIP) $(UK_NOLIBC)/build/libnolibc.a

define uk_app
$(B)/uk/$(1)/%.o: $(HERE)/%.c $(wildcard $(HERE)/*.h $(UK_NOLIBC)/include/*.h) $(UK_LIBLWIP)
	@mkdir -p $$(dir $$@)
	$(CC) $(UK_APP_CFLAGS) -c -o $$@ $$<

$(B)/uk/$(1)/manifest.o: $(HERE)/manifest.json $(UK_ELFTOOL)
	@mkdir -p $$(dir $$@)
	$(UK_ELFTOOL) gen-manifest $$< $(B)/uk/$(1)/manifest.c
	$(CC) $(UK_APP_CFLAGS) -c -o $$@ $(B)/uk/$(1)/manifest.c

$(HERE)/$(1).nabla $(HERE)/$(1).nabla_syscall: $(HERE)/$(1).nabla%: \
		$(addprefix $(B)/uk/$(1)/,$(2:.c=.o)) $(B)/uk/$(1)/manifest.o \
		$(UK_DEPS) $(UK_APP_LIBS)
	$(LD) $(UK_LDFLAGS) --gc-sections -o $$@ \
		$$(if $$*,$(UK_BINDINGS_syscall),$(UK_BINDINGS_dev)) \
		$(addprefix $(B)/uk/$(1)/,$(2:.c=.o)) $(B)/uk/$(1)/manifest.o \
		$(UK_APP_LIBS)
endef

$(LIBLWIP) $(UK_LIBLWIP) &: FORCE
	$(MAKE) -C $(LWIP)

$(TOP)/libnabla/libnabla.a: FORCE
	$(MAKE) -C $(TOP)/libnabla libnabla.a

FORCE:
.PHONY: FORCE
