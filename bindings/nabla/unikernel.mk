# SPDX-License-Identifier: ISC
#
# unikernel.mk: how a Solo5 unikernel for nabla-run is built in this tree
# (included by the examples' and the selftests' Makefiles; an installed
# toolchain gets the same from pkg-config, solo5-bindings-nabla.pc):
#
#   $(CC) $(UK_CFLAGS) -c app.c                      compile, freestanding
#   $(UK_ELFTOOL) gen-manifest manifest.json mft.c   the manifest, as C
#   $(CC) $(UK_CFLAGS) -c mft.c
#   $(UK_LD) $(UK_LDFLAGS) $(UK_BINDINGS_dev) app.o mft.o -o app.nabla
#
# UK_CFLAGS are Solo5's x86_64 flags (freestanding, the stack protector
# with a global guard), no libc headers: the compiler's own, solo5.h and
# mft_abi.h. Expects TOP.

CC		?= cc
LD		?= ld
AR		?= ar
# Not CFLAGS: an including Makefile's are for host programs.
UK_OPT		?= -O2 -g
UK_BINDINGS	:= $(TOP)/bindings/nabla
UK_CFLAGS	:= $(UK_OPT) -std=gnu11 -Wall -Wextra -ffreestanding \
		   -fstack-protector-strong -mstack-protector-guard=global \
		   -fno-pie -fno-pic -nostdinc \
		   -isystem $(shell $(CC) -print-file-name=include) \
		   -I$(TOP)/libnabla/include -I$(TOP)/include
UK_LDFLAGS	:= -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
		   -T $(UK_BINDINGS)/solo5_nabla.lds
UK_BINDINGS_dev	:= $(UK_BINDINGS)/solo5_nabla.o
UK_BINDINGS_syscall := $(UK_BINDINGS)/solo5_nabla_syscall.o
UK_ELFTOOL	:= $(TOP)/elftool/nabla-elftool
UK_NOLIBC	:= $(TOP)/examples/nolibc
UK_DEPS		:= $(UK_BINDINGS_dev) $(UK_BINDINGS_syscall) $(UK_ELFTOOL) \
		   $(UK_BINDINGS)/solo5_nabla.lds
