# SPDX-License-Identifier: GPL-2.0
# Shared by the testhost/ scripts (sourced, POSIX sh + bash-isms avoided).
#
# The kernel matrix lives here and only here: KERNELS lists the kernels
# `make check` runs on, and kernel_resolve() is the one place that knows
# where each kernel's image, modules and build tree (KDIR) come from.

TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${NABLA_CACHE:-$TOP/.cache}
KCACHE=$CACHE/kernels

# The matrix: Debian's two LTS kernels. A kernel named here needs a case
# in kernel_resolve() below. `make check` adds "debug-6.12" when that kernel
# is present (check_kernels); NABLA_KERNELS, when set, is used as it is.
KERNELS=${NABLA_KERNELS:-"6.1 6.12"}

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

# What apt would install for a meta-package: its first Depends: target.
apt_dep() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n "s/^ *|\{0,1\}Depends: \($2\)\$/\1/p" | head -n 1
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
#   KPKGS   (deb) the packages to fetch: image, headers, common headers, kbuild
# No ABI number is written down anywhere: it comes from the meta-packages.
kernel_resolve() {
	KNAME=$1
	# All the selftests of one boot; a hang, not a slow test, should hit it
	# (each program has its own limit, selftests/settings).
	KBOOT_TIMEOUT=900
	case "$1" in
	6.1)	kernel_resolve_deb linux-image-cloud-amd64 ;;
	6.12)	kernel_resolve_deb linux-image-6.12-cloud-amd64 ;;
	debug-6.12)
		KKIND=prebuilt
		KROOT=$KCACHE/$1
		KIMAGE=$DEBUG_KERNEL_DIR/bzImage
		KDIR=$KROOT/build
		KMODS=
		KREL=$(sed -n 's/^- Kernel release: `\([^`]*\)`.*/\1/p' \
			"$DEBUG_KERNEL_DIR/README.md" 2>/dev/null)
		KBOOT_TIMEOUT=2400
		;;
	*)	die "unknown kernel '$1' (known: 6.1 6.12 debug-6.12)" ;;
	esac
}

# The resolution is cached in .cache/kernels/NAME/resolved until apt's
# package lists change (apt-cache takes seconds on a busy machine).
kernel_resolve_deb() {
	local image hdr resolved=$KCACHE/$KNAME/resolved
	KKIND=deb
	if [ -s "$resolved" ] && [ -d /var/lib/apt/lists ] &&
	   [ -z "$(find /var/lib/apt/lists -maxdepth 1 -newer "$resolved" -print -quit)" ]; then
		. "$resolved"
	else
		image=$(apt_dep "$1" 'linux-image-[^ ]*')
		[ -n "$image" ] || die "cannot resolve $1 (apt-get update?)"
		KREL=${image#linux-image-}
		KREL=${KREL%-unsigned}
		hdr=linux-headers-$KREL
		KPKGS="$image $hdr $(apt_dep "$hdr" 'linux-headers-[^ ]*-common')"
		KPKGS="$KPKGS $(apt_dep "$hdr" 'linux-kbuild-[^ ]*')"
		mkdir -p "$KCACHE/$KNAME"
		printf 'KREL="%s"\nKPKGS="%s"\n' "$KREL" "$KPKGS" > "$resolved"
	fi
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
