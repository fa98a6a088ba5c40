// SPDX-License-Identifier: ISC
/*
 * main.c: the program's main(), alone in its object.
 *
 * A Solo5 application has no main() of its own: the C start files call
 * this one, which sets up and confines the process and then calls
 * solo5_app_main(). Kept apart from the rest so that linking libnabla.a
 * pulls it in exactly when the program needs a main.
 */
#include "internal.h"

int main(int argc, char **argv)
{
	return nabla_start(argc, argv);
}
