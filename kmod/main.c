// SPDX-License-Identifier: GPL-2.0
/*
 * nabla: the Solo5 hypercall set as ioctls of /dev/nabla.
 *
 * This file only chains the parts' init and exit: debugfs, the netdevice
 * notifier, then the misc device last, since opening it needs the rest.
 *
 * Locking: none here; module load and unload are serialized by the module
 * loader, and the misc device's .owner keeps the module while a context
 * is open.
 */
#include <linux/module.h>

#include "dev.h"
#include "net.h"
#include "stats.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

static int __init nabla_mod_init(void)
{
	int err;

	err = nabla_debugfs_init();
	if (err)
		return err;
	err = nabla_net_init();
	if (err)
		goto err_debugfs;
	err = nabla_dev_init();
	if (err)
		goto err_net;
	pr_info("API version %d, /dev/nabla ready\n", NABLA_API_VERSION);
	return 0;

err_net:
	nabla_net_exit();
err_debugfs:
	nabla_debugfs_exit();
	return err;
}

static void __exit nabla_mod_exit(void)
{
	nabla_dev_exit();
	nabla_net_exit();
	nabla_debugfs_exit();
}

module_init(nabla_mod_init);
module_exit(nabla_mod_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Solo5 hypercalls as the ioctls of /dev/nabla");
MODULE_AUTHOR("The nabla authors");
