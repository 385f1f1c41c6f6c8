# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Functions shared by qemu/run and qemu/check.  Everything downloaded or
# built lives under $LM_CACHE, never in the tracked tree:
#
#   $LM_CACHE/apt/<suite>/       private apt configuration, lists, debs
#   $LM_CACHE/chroot/<suite>/    debootstrap chroot with that suite's gcc
#   $LM_CACHE/kernel/<K>/        vmlinuz, versions, libmaps-<source hash>.ko
#   $LM_CACHE/kernel/debug/      the debug kernel: its source, and one build
#                                tree per source version, config and gcc
#   $LM_CACHE/logs/              console logs of the last runs

LM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LM_SRC=${LIBMAPS_SRC:-$LM_ROOT}
LM_CACHE=${LIBMAPS_CACHE:-$HOME/.cache/libmaps}
LM_KERNELS=(5.10 6.1 6.12 7)

lm_log() { printf 'libmaps-qemu: %s\n' "$*" >&2; }

# Serialise everything that writes to the shared cache for kernel $1
# (fetching, the chroot, module builds): several runs may share one cache.
lm_lock() {
	mkdir -p "$LM_CACHE"
	exec {LM_LOCK_FD}>"$LM_CACHE/.lock-$1"
	flock "$LM_LOCK_FD"
}

lm_unlock() { exec {LM_LOCK_FD}>&-; }
lm_die() { lm_log "error: $*"; exit 1; }

# Debian suite that carries kernel generation $1.
lm_suite() {
	case "$1" in
	5.10) echo bullseye ;;
	6.1) echo bookworm ;;
	6.12) echo trixie ;;
	7 | 7.*) echo sid ;;
	debug) echo trixie ;;
	*) lm_die "unknown kernel '$1' (one of: ${LM_KERNELS[*]})" ;;
	esac
}

# The archive URI of the host's own Debian entry, read at run time so that
# no host name is ever written down.
lm_mirror() {
	awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }
	     /^deb / && $2 ~ /\/debian\/?$/ { print $2; exit }' \
		/etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | head -n1
}

# A private apt configuration for one suite: its own state, cache and
# sources, so that the host's apt setup is never touched.
lm_apt_setup() {
	local suite=$1 dir=$LM_CACHE/apt/$1 mirror
	mirror=$(lm_mirror)
	[ -n "$mirror" ] || lm_die "cannot find a Debian archive in the host's apt sources"
	mkdir -p "$dir/etc/apt.conf.d" "$dir/etc/preferences.d" "$dir/etc/sources.list.d" \
		"$dir/state/lists/partial" "$dir/cache/archives/partial" "$dir/debs"
	cat >"$dir/etc/sources.list.d/$suite.sources" <<-EOF
		Types: deb
		URIs: $mirror
		Suites: $suite
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	if [ "$suite" = bookworm ] || [ "$suite" = bullseye ]; then
		# Kernel updates reach older releases through their security suite.
		cat >>"$dir/etc/sources.list.d/$suite.sources" <<-EOF

			Types: deb
			URIs: ${mirror%/debian*}/debian-security
			Suites: $suite-security
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
	fi
	cat >"$dir/apt.conf" <<-EOF
		Dir::Etc "$dir/etc";
		Dir::Etc::main "/dev/null";
		Dir::Etc::Parts "$dir/etc/apt.conf.d";
		Dir::Etc::PreferencesParts "$dir/etc/preferences.d";
		Dir::State "$dir/state";
		Dir::State::status "/dev/null";
		Dir::Cache "$dir/cache";
		APT::Architecture "amd64";
		Acquire::Languages "none";
		Acquire::Check-Valid-Until "false";
	EOF
	if [ -z "$(find "$dir/state/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null)" ]; then
		APT_CONFIG=$dir/apt.conf apt-get -q update >"$dir/update.log" 2>&1 ||
			{ cat "$dir/update.log" >&2; lm_die "apt-get update failed for $suite"; }
	fi
}

lm_apt() { APT_CONFIG=$LM_CACHE/apt/$1/apt.conf "${@:2}"; }

# First dependency of package $2 (in suite $1) whose name matches regex $3.
lm_dep() {
	lm_apt "$1" apt-cache depends "$2" 2>/dev/null |
		awk -v re="$3" '$1 ~ /Depends:$/ && $2 ~ re { print $2; exit }'
}

lm_version() { lm_apt "$1" apt-cache show "$2" 2>/dev/null | awk '/^Version:/ { print $2; exit }'; }

# Download packages $2... of suite $1 into its debs/ and print their paths.
lm_download() {
	local suite=$1 dir=$LM_CACHE/apt/$1/debs pkg
	shift
	(cd "$dir" && lm_apt "$suite" apt-get -q download "$@" >/dev/null 2>"$dir/download.log") ||
		{ cat "$dir/download.log" >&2; lm_die "cannot download $*"; }
	for pkg in "$@"; do
		ls "$dir/${pkg}_"*.deb
	done
}

# The modules a guest loads at boot: for a DAX filesystem on legacy
# persistent memory (memmap=nn!ss) the crc32c that ext4 asks the crypto
# API for before 6.15, the e820 pmem region, the pmem block device and
# ext4; for a PCI BAR mapped to userspace through VFIO (behind the
# guest's emulated IOMMU) vfio's type1 IOMMU backend, which vfio does not
# depend on, and vfio-pci; for swap, a RAM disk (brd).  lm_guest_modules UNPACKED OUT copies each one
# the kernel has as a module, after what it depends on (modinfo),
# decompressed, into OUT, their load order into OUT/order and this list
# into OUT/list.
LM_GUEST_MODULES=(crc32c_generic nd_e820 nd_pmem ext4 vfio_iommu_type1 vfio_pci brd)

lm_guest_module() {
	local unpack=$1 out=$2 name=$3 f dep
	[ -e "$out/$name.ko" ] && return 0
	f=$(find "$unpack" \( -name "$name.ko*" -o -name "${name//_/-}.ko*" \) -print -quit)
	# Built in, or not in this kernel: a guest without the DAX filesystem
	# or VFIO only skips the tests that need them.
	if [ -z "$f" ]; then
		lm_log "note: no module $name in the kernel's packages"
		return 0
	fi
	case "$f" in
	*.xz) xz -dc "$f" ;;
	*.zst) zstd -dc "$f" ;;
	*) cat "$f" ;;
	esac >"$out/$name.ko"
	for dep in $(modinfo -F depends "$out/$name.ko" | tr ',' ' '); do
		lm_guest_module "$unpack" "$out" "$dep"
	done
	echo "$name" >>"$out/order.tmp"
}

lm_guest_modules() {
	local unpack=$1 out=$2 m
	rm -rf "$out"
	mkdir -p "$out"
	: >"$out/order.tmp"
	for m in "${LM_GUEST_MODULES[@]}"; do
		lm_guest_module "$unpack" "$out" "$m"
	done
	echo "${LM_GUEST_MODULES[*]}" >"$out/list"
	mv "$out/order.tmp" "$out/order"
}

# Resolve, download and unpack kernel generation $1: image and headers.
# Leaves $LM_CACHE/kernel/$1/{vmlinuz,modules/,abi,versions,gcc}.
lm_kernel_fetch() {
	local k=$1 suite kdir abi img hdr common kbuild binary modules gcc
	suite=$(lm_suite "$k")
	kdir=$LM_CACHE/kernel/$k
	# A cache made for another list of guest modules is fetched again.
	[ -s "$kdir/versions" ] && [ -s "$kdir/vmlinuz" ] && [ -e "$kdir/modules/order" ] &&
		[ "$(cat "$kdir/modules/list" 2>/dev/null)" = "${LM_GUEST_MODULES[*]}" ] &&
		return 0

	lm_log "fetching Debian $suite kernel for $k"
	lm_apt_setup "$suite"
	img=$(lm_dep "$suite" linux-image-amd64 '^linux-image-')
	hdr=$(lm_dep "$suite" linux-headers-amd64 '^linux-headers-')
	if [ -z "$img" ] || [ -z "$hdr" ]; then
		lm_die "cannot resolve the kernel packages of $suite"
	fi
	abi=${img#linux-image-}
	abi=${abi%-amd64}
	case "$k" in 7 | 5.10 | 6.1 | 6.12) ;; *) [[ $abi == "$k".* ]] || lm_die "$suite has $abi, not $k" ;; esac
	common=$(lm_dep "$suite" "$hdr" '^linux-headers-.*-common$')
	kbuild=$(lm_dep "$suite" "$hdr" '^linux-kbuild-')
	binary=$(lm_dep "$suite" "$img" '^linux-binary-')
	modules=$(lm_dep "$suite" "$img" '^linux-modules-')
	gcc=$(lm_apt "$suite" apt-cache depends "$hdr" | grep -o 'gcc-[0-9]\+' | head -n1)
	[ -n "$gcc" ] || lm_die "cannot tell which gcc built $hdr"

	rm -rf "$kdir"
	mkdir -p "$kdir/unpack"
	local deb
	for deb in $(lm_download "$suite" "$img" ${binary:+"$binary"} ${modules:+"$modules"}); do
		dpkg-deb -x "$deb" "$kdir/unpack"
	done
	find "$kdir/unpack" -name 'vmlinuz*' -type f -exec cp {} "$kdir/vmlinuz" \; -quit
	lm_guest_modules "$kdir/unpack" "$kdir/modules"
	rm -rf "$kdir/unpack"
	[ -s "$kdir/vmlinuz" ] || lm_die "no vmlinuz in $img${binary:+ / $binary}"

	lm_download "$suite" "$hdr" "$common" "$kbuild" >"$kdir/header-debs"
	echo "$abi" >"$kdir/abi"
	echo "$gcc" >"$kdir/gcc"
	{
		printf '%s %s' "$img" "$(lm_version "$suite" "$img")"
		printf ', %s %s\n' "$hdr" "$(lm_version "$suite" "$hdr")"
	} >"$kdir/versions.tmp"
	mv "$kdir/versions.tmp" "$kdir/versions"
}

# A minimal chroot of the kernel's suite with the gcc its headers were
# configured for: their host tools need that suite's glibc.
lm_chroot() {
	local k=$1 suite gcc root
	suite=$(lm_suite "$k")
	gcc=$(cat "$LM_CACHE/kernel/$k/gcc")
	root=$LM_CACHE/chroot/$suite
	# The marker names the package set: a new set makes a new chroot.
	if [ ! -e "$root/.ready-$gcc-sparse" ]; then
		lm_log "creating a $suite chroot with $gcc (once)"
		rm -rf "$root"
		mkdir -p "$root"
		debootstrap --variant=minbase \
			--include="$gcc,make,libc6-dev,dwarves,bc,kmod,libelf-dev,sparse" \
			"$suite" "$root" "$(lm_mirror)" >"$LM_CACHE/chroot/$suite.log" 2>&1 ||
			{ tail -n 20 "$LM_CACHE/chroot/$suite.log" >&2; lm_die "debootstrap $suite failed"; }
		touch "$root/.ready-$gcc-sparse"
	fi
	local abi deb
	abi=$(cat "$LM_CACHE/kernel/$k/abi")
	if [ ! -d "$root/usr/src/linux-headers-$abi-amd64" ]; then
		# Keep the chroot's merged-/usr symlinks (/lib -> usr/lib):
		# older headers packages still ship files under /lib.
		while read -r deb; do
			dpkg-deb --fsys-tarfile "$deb" |
				tar -x -C "$root" --keep-directory-symlink
		done <"$LM_CACHE/kernel/$k/header-debs"
	fi
	echo "$root"
}

# The debug kernel: Debian's linux-source-6.12 (the newest source with a
# Debian 6.x kernel in the rig) configured as tinyconfig plus
# qemu/debug.config and built by the host's gcc.  Its build tree is keyed
# by the source version, the fragment and the compiler, so only the first
# run pays for the build; an interrupted build resumes.  Prints the tree.
LM_DEBUG_SOURCE=linux-source-6.12
# "modules" (there are none) writes the Module.symvers that out-of-tree
# builds need.
LM_DEBUG_TARGETS=(bzImage modules)
lm_debug_kernel() {
	local dir=$LM_CACHE/kernel/debug ver key tree src deb opt log start
	lm_apt_setup trixie
	ver=$(lm_version trixie "$LM_DEBUG_SOURCE")
	[ -n "$ver" ] || lm_die "trixie has no $LM_DEBUG_SOURCE"
	key=$({
		echo "$LM_DEBUG_SOURCE $ver ${LM_DEBUG_TARGETS[*]}"
		cat "$LM_ROOT/qemu/debug.config"
		gcc --version | head -n1
	} | sha256sum | cut -c1-16)
	tree=$dir/build-$key
	if [ -e "$tree/.libmaps-built" ]; then
		echo "$tree"
		return 0
	fi
	src=$dir/src-$ver
	if [ ! -f "$src/.libmaps-unpacked" ]; then
		lm_log "fetching $LM_DEBUG_SOURCE $ver for the debug kernel (once)"
		deb=$(lm_download trixie "$LM_DEBUG_SOURCE")
		rm -rf "$src"
		mkdir -p "$src"
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
			tar -xJ -C "$src" --strip-components=1
		rm -f "$deb"
		touch "$src/.libmaps-unpacked"
	fi
	log=$LM_CACHE/logs/debug-kernel.log
	mkdir -p "$tree" "$LM_CACHE/logs"
	lm_log "building the debug kernel (once; about 6 minutes on 2 cores; log: $log)"
	start=$(date +%s)
	{
		make -C "$src" O="$tree" tinyconfig &&
		"$src/scripts/kconfig/merge_config.sh" -m -O "$tree" \
			"$tree/.config" "$LM_ROOT/qemu/debug.config" &&
		make -C "$src" O="$tree" olddefconfig
	} >"$log" 2>&1 || { tail -n 20 "$log" >&2; lm_die "configuring the debug kernel failed"; }
	# Kconfig drops what a dependency refuses, silently: check.
	while read -r opt; do
		grep -qx "$opt" "$tree/.config" ||
			lm_die "debug kernel: $opt did not stick (a dependency is missing; see $tree/.config)"
	done < <(grep '^CONFIG_' "$LM_ROOT/qemu/debug.config")
	make -C "$src" O="$tree" -j"$(nproc)" "${LM_DEBUG_TARGETS[@]}" >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; lm_die "building the debug kernel failed"; }
	cp "$tree/arch/x86/boot/bzImage" "$tree/vmlinuz"
	echo "$ver" >"$tree/abi"
	printf '%s %s, tinyconfig + qemu/debug.config, gcc %s, built in %ss\n' \
		"$LM_DEBUG_SOURCE" "$ver" "$(gcc -dumpversion)" "$(($(date +%s) - start))" \
		>"$tree/versions"
	lm_log "debug kernel: $(cat "$tree/versions")"
	touch "$tree/.libmaps-built"
	echo "$tree"
}

lm_src_hash() {
	(cd "$LM_SRC" && cat Kbuild module/Kbuild module/*.[ch] module/uapi/*.h) | sha256sum | cut -d' ' -f1
}

# Build libmaps.ko for kernel generation $1 inside its chroot, in a copy of
# the sources, with sparse checking every file (C=2); compiler and sparse
# warnings are errors.  Prints the path of the module.
lm_module_build() {
	local k=$1 kdir root abi hash log rc=0
	kdir=$LM_CACHE/kernel/$k
	hash=$(lm_src_hash)
	# One module per source hash, so that trees built in turn (or
	# worktrees side by side) do not evict each other.
	if [ "$k" = debug ]; then
		lm_debug_module_build "$hash"
		return
	fi
	if [ -s "$kdir/libmaps-$hash.ko" ]; then
		echo "$kdir/libmaps-$hash.ko"
		return 0
	fi
	root=$(lm_chroot "$k")
	abi=$(cat "$kdir/abi")
	rm -rf "$root/build/libmaps"
	mkdir -p "$root/build/libmaps"
	cp -r "$LM_SRC/Kbuild" "$LM_SRC/module" "$root/build/libmaps/"
	log=$kdir/build.log
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
	chroot "$root" make -C "/usr/src/linux-headers-$abi-amd64" M=/build/libmaps \
		C=2 CHECK=sparse modules \
		>"$log" 2>&1 || rc=$?
	umount "$root/proc"
	if [ "$rc" -ne 0 ] || grep -q 'warning:\|error:' "$log"; then
		cat "$log" >&2
		lm_die "building libmaps.ko for $k failed"
	fi
	cp "$root/build/libmaps/module/libmaps.ko" "$kdir/libmaps-$hash.ko.tmp"
	mv "$kdir/libmaps-$hash.ko.tmp" "$kdir/libmaps-$hash.ko"
	echo "$kdir/libmaps-$hash.ko"
}

# The module for the debug kernel, built on the host with the compiler
# that built the kernel, sparse included.
lm_debug_module_build() {
	local hash=$1 tree dir log rc=0
	tree=$(lm_debug_kernel)
	if [ -s "$tree/libmaps-$hash.ko" ]; then
		echo "$tree/libmaps-$hash.ko"
		return 0
	fi
	dir=$tree/libmaps-module
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r "$LM_SRC/Kbuild" "$LM_SRC/module" "$dir/"
	log=$tree/libmaps-build.log
	make -C "$tree" M="$dir" C=2 CHECK=sparse modules >"$log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ] || grep -q 'warning:\|error:' "$log"; then
		cat "$log" >&2
		lm_die "building libmaps.ko for the debug kernel failed"
	fi
	cp "$dir/module/libmaps.ko" "$tree/libmaps-$hash.ko"
	echo "$tree/libmaps-$hash.ko"
}

# Does KVM really work here?  /dev/kvm can exist without VT-x/AMD-V.
lm_accel() {
	if [ -w /dev/kvm ] && grep -qE '\b(vmx|svm)\b' /proc/cpuinfo &&
		timeout 10 qemu-system-x86_64 -accel kvm -M q35 -nodefaults -nographic \
			-display none -S -qmp stdio </dev/null >/dev/null 2>&1 <<<'{"execute":"quit"}'; then
		echo "-accel kvm -cpu host -smp 2"
	else
		# Multi-threaded TCG on bookworm's QEMU 7.2 sometimes oopses
		# 6.12 and 7.x guests at boot; one vCPU does not.
		echo "-accel tcg -smp 1"
	fi
}
