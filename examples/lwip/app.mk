# SPDX-License-Identifier: ISC
#
# Included by the applications' Makefiles: how a Solo5 program on libnabla
# with lwIP is compiled and linked. Expects TOP and LWIP to be set.
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

$(LIBLWIP): FORCE
	$(MAKE) -C $(LWIP)

$(TOP)/libnabla/libnabla.a: FORCE
	$(MAKE) -C $(TOP)/libnabla libnabla.a

FORCE:
.PHONY: FORCE
