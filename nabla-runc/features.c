// SPDX-License-Identifier: GPL-2.0
/* features: what this runtime supports, in the runtime-spec's features format. */
#include <stdio.h>

#include "cmd.h"

static const char features[] =
	"{\n"
	"  \"ociVersionMin\": \"1.0.0\",\n"
	"  \"ociVersionMax\": \"" NR_OCI_VERSION "\",\n"
	"  \"hooks\": [\"prestart\", \"createRuntime\", \"createContainer\",\n"
	"            \"startContainer\", \"poststart\", \"poststop\"],\n"
	"  \"mountOptions\": [\"ro\", \"rw\", \"nosuid\", \"suid\", \"nodev\", \"dev\", \"noexec\",\n"
	"                   \"exec\", \"sync\", \"async\", \"noatime\", \"atime\", \"nodiratime\",\n"
	"                   \"diratime\", \"relatime\", \"norelatime\", \"strictatime\",\n"
	"                   \"nostrictatime\", \"dirsync\", \"mand\", \"nomand\", \"defaults\",\n"
	"                   \"bind\", \"rbind\", \"private\", \"rprivate\", \"slave\", \"rslave\",\n"
	"                   \"shared\", \"rshared\", \"unbindable\", \"runbindable\"],\n"
	"  \"linux\": {\n"
	"    \"namespaces\": [\"pid\", \"network\", \"mount\", \"ipc\", \"uts\", \"cgroup\"],\n"
	"    \"cgroup\": { \"v1\": false, \"v2\": true, \"systemd\": false },\n"
	"    \"seccomp\": {\n"
	"      \"enabled\": true,\n"
	"      \"actions\": [\"SCMP_ACT_KILL\", \"SCMP_ACT_KILL_PROCESS\", \"SCMP_ACT_KILL_THREAD\",\n"
	"                  \"SCMP_ACT_TRAP\", \"SCMP_ACT_ERRNO\", \"SCMP_ACT_TRACE\",\n"
	"                  \"SCMP_ACT_ALLOW\", \"SCMP_ACT_LOG\"],\n"
	"      \"operators\": [\"SCMP_CMP_NE\", \"SCMP_CMP_LT\", \"SCMP_CMP_LE\", \"SCMP_CMP_EQ\",\n"
	"                    \"SCMP_CMP_GE\", \"SCMP_CMP_GT\", \"SCMP_CMP_MASKED_EQ\"]\n"
	"    }\n"
	"  },\n"
	"  \"annotations\": {\n"
	"    \"org.nabla.backend\": \"dev|syscall\",\n"
	"    \"org.nabla.net\": \"IFNAME|none\",\n"
	"    \"org.nabla.net.device\": \"NAME\",\n"
	"    \"org.nabla.block.NAME\": \"PATH[,size=N[KMG]]\",\n"
	"    \"org.nabla.mem\": \"MiB\",\n"
	"    \"org.nabla.tender\": \"PATH\"\n"
	"  }\n"
	"}\n";

int cmd_features(const struct global *g, int argc, char **argv)
{
	(void)g;
	(void)argv;
	if (argc != 1) {
		nr_error("features: takes no operand");
		return 1;
	}
	fputs(features, stdout);
	return 0;
}
