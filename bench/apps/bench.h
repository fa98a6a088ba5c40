/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench.h: what the benchmark's Solo5 applications share: common.h (no
 * libc: they run confined by libnabla), the Solo5 API and the test
 * applications' console and command-line helpers.
 */
#ifndef NABLA_BENCH_H
#define NABLA_BENCH_H

#include "common.h"
#include "solo5.h"
/* Console output and cmdline words: the test applications' helpers. */
#include "app.h"

#endif /* NABLA_BENCH_H */
