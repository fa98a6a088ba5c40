#!/bin/sh
# logrt.sh: a runtime that records how it is called (argv, the working
# directory and, for create, the bundle's config.json) in $LOGRT_DIR and
# then runs crun with the same arguments. Used to find out what conmon and
# containerd's shim call (nabla-runc/README.md, "What the engines call").
d=${LOGRT_DIR:-/tmp/logrt}
mkdir -p "$d"
n=$(ls "$d" | wc -l)
{
	echo "cwd: $(pwd)"
	for a in "$@"; do printf 'arg: %s\n' "$a"; done
} > "$d/$n.call"
bundle=
prev=
for a in "$@"; do
	case "$prev" in --bundle|-b) bundle=$a ;; esac
	case "$a" in --bundle=*) bundle=${a#--bundle=} ;; esac
	prev=$a
done
[ "$1" = create ] || case " $* " in *" create "*) [ -n "$bundle" ] || bundle=$(pwd) ;; esac
[ -n "$bundle" ] && [ -e "$bundle/config.json" ] && cp "$bundle/config.json" "$d/$n.config.json"
# The test host's root is the initramfs, which pivot_root cannot leave:
# crun gets --no-pivot right after the verb.
for a in "$@"; do
	shift
	if [ "$a" = create ] && [ "$pivot_done" != 1 ]; then
		set -- "$@" create --no-pivot
		pivot_done=1
	elif [ "$a" != --no-pivot ]; then
		set -- "$@" "$a"
	fi
done
exec /usr/bin/crun "$@"
