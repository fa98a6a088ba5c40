// SPDX-License-Identifier: ISC
/*
 * sys_arch.c: the OS services lwIP needs with NO_SYS=1 (time, randomness,
 * assertion failure), from the Solo5 API only.
 */
#include "lwip/opt.h"
#include "lwip/sys.h"

#include "np.h"

uint32_t np_now_ms(void)
{
	return (uint32_t)(solo5_clock_monotonic() / 1000000ULL);
}

u32_t sys_now(void)
{
	return np_now_ms();
}

/*
 * xorshift64* seeded from both clocks: the PRNG only picks lwIP's initial
 * ephemeral ports and similar, where unpredictability across runs is
 * wanted, not cryptographic strength.
 */
static uint64_t rng_state;

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

unsigned int np_rand(void)
{
	if (!rng_state) {
		rng_state = splitmix64(solo5_clock_wall() ^
				       (solo5_clock_monotonic() << 17));
		if (!rng_state)
			rng_state = 0x2545f4914f6cdd1dULL;
	}
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned int)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

void np_assert_fail(const char *msg, int line, const char *file)
{
	np_printf("lwip: assertion \"%s\" failed at %s:%d\n", msg, file, line);
	solo5_abort();
}
