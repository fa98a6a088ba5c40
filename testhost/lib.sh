# SPDX-License-Identifier: GPL-2.0
# Shared by the testhost/ scripts (sourced, POSIX sh + bash-isms avoided).
#
# The kernel matrix lives here and only here: KERNELS lists the kernels
# `make check` runs on, and kernel_resolve() is the one place that knows
# where each kernel's image, modules and build tree (KDIR) come from.

TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${NABLA_CACHE:-$TOP/.cache}
KCACHE=$CACHE/kernels

# The matrix: Debian's two LTS cloud kernels, bookworm's PREEMPT_RT kernel
# and the newest kernel Debian ships (unstable's cloud kernel). A kernel
# named here needs a case in kernel_resolve() below. `make check` adds
# "debug-6.12" when that kernel is present (check_kernels); NABLA_KERNELS,
# when set, is used as it is.
KERNELS=${NABLA_KERNELS:-"6.1 6.12 6.1-rt newest"}
KNOWN_KERNELS="6.1 6.12 6.1-rt newest debug-6.12"

# The shared debug kernel (KASAN, lockdep...): make check adds it when present.
# shared/ lies beside the repository (the development tree and CI's clone).
DEBUG_KERNEL_DIR=${NABLA_DEBUG_KERNEL_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/shared/kernels/debug-6.12}
# Else one that `make debug-kernel` built here.
[ -n "${NABLA_DEBUG_KERNEL_DIR:-}" ] || [ -f "$DEBUG_KERNEL_DIR/bzImage" ] ||
	[ ! -f "$CACHE/debug-kernel/bzImage" ] || DEBUG_KERNEL_DIR=$CACHE/debug-kernel

# The kernels `make check` runs: KERNELS, and the debug kernel when its
# image is present (unless NABLA_KERNELS chose the list).
check_kernels() {
	if [ -n "${NABLA_KERNELS:-}" ] || [ ! -f "$DEBUG_KERNEL_DIR/bzImage" ]; then
		echo "$KERNELS"
	else
		echo "$KERNELS debug-6.12"
	fi
}

say() { printf '%s\n' "$*" >&2; }
die() { say "$(basename "$0"): $*"; exit 1; }

# apt's options for the kernel being resolved: empty for the machine's own
# sources; for a kernel of another suite, the project-local sources list,
# lists and cache directory that apt_suite_lists() keeps (the machine's apt
# configuration is never touched).
KAPT=

# What apt would install for a package: its first Depends: target matching
# $2 (a sed regular expression); every match with $3 = all.
apt_dep() {
	# shellcheck disable=SC2086 # KAPT is a word list
	apt-cache $KAPT depends "$1" 2>/dev/null |
		sed -n "s/^ *|\{0,1\}Depends: \($2\)\$/\1/p" |
		if [ "${3:-}" = all ]; then cat; else head -n 1; fi
}

# The Debian mirror of the machine's own sources (the first URI of the
# stanza that carries bookworm in debian.sources, else the first "deb" line
# of sources.list), so that no mirror is written in the scripts.
apt_mirror() {
	local f=/etc/apt/sources.list.d/debian.sources uri=
	[ -r "$f" ] && uri=$(awk '
		/^[ \t]*$/ { if (u != "" && s) exit; u = ""; s = 0; next }
		/^URIs:/ { u = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") s = 1 }
		END { if (u != "" && s) print u }' "$f")
	[ -n "$uri" ] || [ ! -r /etc/apt/sources.list ] ||
		uri=$(awk '$1 == "deb" && $2 !~ /^\[/ { print $2; exit }' /etc/apt/sources.list)
	[ -n "$uri" ] || die "no Debian mirror in $f or /etc/apt/sources.list"
	echo "$uri"
}

# apt_suite_lists SUITE: point KAPT at the project-local apt state for
# SUITE (.cache/apt/SUITE: one "deb MIRROR SUITE main" line, its lists, its
# cache), fetching the lists when there are none or they are a day old.
# Sets KAPT_LISTS, the lists directory.
apt_suite_lists() {
	local dir=$CACHE/apt/$1
	KAPT_LISTS=$dir/lists
	KAPT="-o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists=$KAPT_LISTS -o Dir::Cache=$dir/cache
		-o Debug::NoLocking=true"
	if [ -n "$(find "$dir/updated" -mmin -1440 2>/dev/null)" ]; then
		return 0
	fi
	lock 8 "apt-$1"
	if [ -z "$(find "$dir/updated" -mmin -1440 2>/dev/null)" ]; then
		mkdir -p "$KAPT_LISTS/partial" "$dir/cache/archives/partial"
		echo "deb $(apt_mirror) $1 main" > "$dir/sources.list"
		say "$(basename "$0"): updating the package lists of $1 (.cache/apt/$1)"
		# shellcheck disable=SC2086 # KAPT is a word list
		apt-get -qq $KAPT update >&2 || die "apt-get update of $1 failed"
		touch "$dir/updated"
	fi
	unlock 8
}

# kernel_resolve NAME: set, for kernel NAME,
#   KNAME   NAME, as given
#   KKIND   "deb" (Debian registry packages) or "prebuilt" (a local build)
#   KREL    the kernel release (uname -r in the guest)
#   KROOT   where the kernel's packages are extracted (KKIND=deb)
#   KIMAGE  the bootable image (bzImage)
#   KDIR    the tree that external modules build against
#   KMODS   the kernel's own modules (lib/modules/KREL), empty if none
#   KBOOT_TIMEOUT  seconds a boot may take before the guest counts as hung
#   KAPPEND more kernel command line for this kernel (with a leading space)
#   KPKGS   (deb) the packages to fetch: image (and the packages it is made
#           of, on unstable), headers, common headers, kbuild
#   KSUITE  (deb) the Debian suite of a kernel not from the machine's own
#           sources (empty for those)
#   KBROOT  the build root the module is built in (testhost/kmake), for a
#           kernel whose compiler does not run on this machine; else empty
#   KBRPKGS the packages of that build root: make, sparse, the compiler the
#           headers depend on and what the kbuild programs need
# No ABI number is written down anywhere: it comes from the meta-packages.
kernel_resolve() {
	KNAME=$1 KSUITE= KBROOT= KBRPKGS= KAPT= KAPPEND=
	# All the selftests of one boot; a hang, not a slow test, should hit it
	# (each program has its own limit, selftests/settings).
	KBOOT_TIMEOUT=900
	case "$1" in
	6.1)	kernel_resolve_deb linux-image-cloud-amd64 ;;
	6.12)	kernel_resolve_deb linux-image-6.12-cloud-amd64 ;;
	# PREEMPT_RT: spinlocks sleep, so a deadlock on one is a task in D
	# state, not a soft lockup: the hung-task check reports it after 30 s
	# rather than Debian's 120 (no test program sleeps uninterruptibly
	# that long). Debian's RT kernel has no lockdep and no
	# DEBUG_ATOMIC_SLEEP: README "Kernels" says what it does check.
	6.1-rt)	kernel_resolve_deb linux-image-rt-amd64
		KAPPEND=" sysctl.kernel.hung_task_timeout_secs=30" ;;
	# Unstable's headers depend on unstable's compiler, which needs a newer
	# C library than Debian 12's: the module builds in a build root of
	# unstable (testhost/kmake, README "Kernels").
	# Under TCG, 7.2 cannot calibrate the TSC (the PIT and the HPET
	# disagree) and marks it unstable after about 35 s, in the middle of
	# the tests; with the bench's tsc=reliable it kept the wrong frequency
	# and the guest's clock ran 21 times too fast. The HPET from the
	# start is where it ends up anyway.
	newest)	KSUITE=sid
		apt_suite_lists "$KSUITE"
		kernel_resolve_deb linux-image-cloud-amd64
		KAPPEND=" clocksource=hpet" ;;
	debug-6.12)
		KKIND=prebuilt
		KROOT=$KCACHE/$1
		KIMAGE=$DEBUG_KERNEL_DIR/bzImage
		KDIR=$KROOT/build
		KMODS=
		KREL=$(sed -n 's/^- Kernel release: `\([^`]*\)`.*/\1/p' \
			"$DEBUG_KERNEL_DIR/README.md" 2>/dev/null)
		KBOOT_TIMEOUT=2400
		# 4-level paging: with QEMU's -cpu max the kernel uses 5-level,
		# and 2 of 7 boots (2026-12-04) reported a KASAN wild-memory-
		# access on a direct-map address (0xff11...) in an interrupt
		# taken during identify_cpu, before any module; 0 of 6 with this.
		KAPPEND=" no5lvl"
		;;
	*)	die "unknown kernel '$1' (known: $KNOWN_KERNELS)" ;;
	esac
}

# The resolution is cached in .cache/kernels/NAME/resolved until apt's
# package lists change (apt-cache takes seconds on a busy machine).
kernel_resolve_deb() {
	local image hdr kbuild resolved=$KCACHE/$KNAME/resolved
	local lists=${KAPT_LISTS:-/var/lib/apt/lists}
	[ -n "$KSUITE" ] || lists=/var/lib/apt/lists
	KKIND=deb
	if [ -s "$resolved" ] && [ -d "$lists" ] &&
	   [ -z "$(find "$lists" -maxdepth 1 -newer "$resolved" -print -quit)" ]; then
		. "$resolved"
	else
		image=$(apt_dep "$1" 'linux-image-[^ ]*')
		[ -n "$image" ] || die "cannot resolve $1 (apt-get update?)"
		KREL=${image#linux-image-}
		KREL=${KREL%-unsigned}
		hdr=linux-headers-$KREL
		kbuild=$(apt_dep "$hdr" 'linux-kbuild-[^ ]*')
		# Unstable's image package only depends on the packages that
		# hold the image, the modules and the base files.
		KPKGS="$image $(apt_dep "$image" "linux-[a-z]*-$KREL" all | tr '\n' ' ')"
		KPKGS="$KPKGS $hdr $(apt_dep "$hdr" 'linux-headers-[^ ]*-common[^ ]*') $kbuild"
		[ -z "$KSUITE" ] || KBRPKGS="make sparse $(apt_dep "$hdr" 'gcc-[0-9]*-for-host')
			$(apt_dep "$kbuild" '[a-z][^ ]*' all)"
		KBRPKGS=$(echo $KBRPKGS)
		mkdir -p "$KCACHE/$KNAME"
		printf 'KREL="%s"\nKPKGS="%s"\nKBRPKGS="%s"\n' \
			"$KREL" "$(echo $KPKGS)" "$KBRPKGS" > "$resolved"
	fi
	# One build root per suite and set of packages (a new compiler in
	# unstable makes a new one).
	[ -z "$KBRPKGS" ] ||
		KBROOT=$CACHE/buildroot/$KSUITE-$(echo "$KBRPKGS" | md5sum | cut -c1-8)
	KROOT=$KCACHE/$KNAME/$KREL
	KIMAGE=$KROOT/boot/vmlinuz-$KREL
	KDIR=$KROOT/usr/src/linux-headers-$KREL
	KMODS=$KROOT/lib/modules/$KREL
}

# Several people (or make check and someone's single test) may use the test
# host of one tree at once. The lock "build" lets one of them at a time
# build what .build/ shares (stage, modules) and copy it into its own
# initramfs; the boots themselves run side by side.
# lock FD NAME / unlock FD. Locks live in .cache/locks, which make clean keeps.
lock() {
	mkdir -p "$CACHE/locks"
	eval "exec $1>\"\$CACHE/locks/$2\""
	if ! flock -n "$1"; then
		say "$(basename "$0"): waiting for another run holding $2"
		flock "$1"
	fi
}
unlock() {
	eval "exec $1>&-"
}

# The kernel command line that gives CPU 1 to a measured application
# alone (bench/run --cpus isolated, make demo's side-by-side): no load
# balancing into or out of it, RCU callbacks and device interrupts
# elsewhere. Not nohz_full: stopping and restarting the tick and its
# CPU-time accounting run in the workload's own context (about 30
# functions more, measured), which is noise of another kind. The last
# three remove three sources of timer work on that CPU, as
# Documentation/admin-guide/kernel-per-CPU-kthreads.rst advises for
# isolated CPUs: the clocksource watchdog's timer, which visits every CPU
# in turn (tsc=reliable), the soft-lockup detector's per-CPU timer and
# stopper work (nowatchdog), and RCU's core processing in the softirq of
# whatever task was interrupted (rcutree.use_softirq=0: a per-CPU kthread
# does it). Measured on 6.12, 2 runs each: both backends reach 10-20%
# fewer functions and the ping spread narrows; the ratios stay within
# their spread.
ISOLATE_CPU1="isolcpus=domain,managed_irq,1 rcu_nocbs=1 irqaffinity=0 tsc=reliable nowatchdog rcutree.use_softirq=0"

# disk_modules DIR: what a guest of the resolved kernel (kernel_resolve)
# needs for a virtio results disk (virtio_pci, virtio_blk: modules on
# Debian's cloud kernels), with their dependencies, decompressed into DIR,
# their load order in DIR/list (empty when the kernel has them built in).
# bench/guest.sh loads them.
disk_modules() {
	local dir=$1 dep ko
	mkdir -p "$dir"
	: > "$dir/list"
	[ -n "$KMODS" ] || return 0
	for dep in $(for m in virtio_pci virtio_blk; do
			modprobe -d "$KROOT" -S "$KREL" --show-depends "$m" 2>/dev/null
		done | sed -n 's/^insmod \([^ ]*\).*/\1/p'); do
		ko=$(basename "$dep")
		ko=${ko%.xz}; ko=${ko%.zst}
		grep -qx "$ko" "$dir/list" && continue
		case "$dep" in
		*.xz) xz -dc "$dep" > "$dir/$ko" ;;
		*.zst) zstd -qdc "$dep" > "$dir/$ko" ;;
		*) cp "$dep" "$dir/$ko" ;;
		esac
		echo "$ko" >> "$dir/list"
	done
}
