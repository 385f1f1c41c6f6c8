# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Functions shared by qemu/run and qemu/check.  Everything downloaded or
# built lives under $LM_CACHE, never in the tracked tree:
#
#   $LM_CACHE/apt/<suite>/       private apt configuration, lists, debs
#   $LM_CACHE/chroot/<suite>/    debootstrap chroot with that suite's gcc
#   $LM_CACHE/kernel/<K>/        vmlinuz, versions, libmaps-<source hash>.ko
#   $LM_CACHE/kernel/arm64-<K>/  the same for an arm64 kernel
#   $LM_CACHE/arm64/             busybox for arm64 guests
#   $LM_CACHE/kernel/debug/      the debug kernel: its source, and one build
#                                tree per source version, config and gcc
#   $LM_CACHE/logs/              console logs of the last runs

LM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LM_SRC=${LIBMAPS_SRC:-$LM_ROOT}
LM_CACHE=${LIBMAPS_CACHE:-$HOME/.cache/libmaps}
LM_KERNELS=(5.10 6.1 6.12 7)
# The guest's architecture (qemu/run --arch): amd64, or arm64 booted in
# qemu-system-aarch64 under emulation.  arm64's kernels: Debian's "arm64"
# flavour (4 KiB pages) and, as K-16k, its "arm64-16k" flavour.
LM_ARCH=${LM_ARCH:-amd64}
# shellcheck disable=SC2034 # used by qemu/check
LM_ARM64_KERNELS=(6.1 6.12 6.12-16k 7 7-16k)

lm_log() { printf 'libmaps-qemu: %s\n' "$*" >&2; }

# Serialise everything that writes to the shared cache for kernel $1
# (fetching, the chroot, module builds): several runs may share one cache.
lm_lock() {
	mkdir -p "$LM_CACHE"
	exec {LM_LOCK_FD}>"$LM_CACHE/.lock-$1"
	flock "$LM_LOCK_FD"
}

lm_unlock() { exec {LM_LOCK_FD}>&-; }

# Hold the lock of suite $1's chroot until this (sub)shell exits: every
# kernel of a suite, amd64 and arm64 alike, builds in the same chroot.
# Taken after lm_lock's, never before it.
lm_lock_chroot() {
	local fd
	exec {fd}>"$LM_CACHE/.lock-chroot-$1"
	flock "$fd"
}
lm_die() { lm_log "error: $*"; exit 1; }

# The name of kernel $1 in the cache (and in its lock and logs).
lm_kid() {
	if [ "$LM_ARCH" = amd64 ]; then
		echo "$1"
	else
		echo "$LM_ARCH-$1"
	fi
}

# Debian's flavour of kernel $1 on $LM_ARCH.
lm_flavour() {
	case "$LM_ARCH:$1" in
	amd64:*-16k) lm_die "no 16 KiB page kernel on amd64 ($1 is arm64's: --arch arm64)" ;;
	amd64:*) echo amd64 ;;
	arm64:6.1-16k) lm_die "Debian's 6.1 has no arm64-16k flavour" ;;
	arm64:*-16k) echo arm64-16k ;;
	arm64:*) echo arm64 ;;
	*) lm_die "unknown architecture '$LM_ARCH' (amd64 or arm64)" ;;
	esac
}

# Debian suite that carries kernel generation $1.
lm_suite() {
	case "${1%-16k}" in
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
	local suite=$1 dir=$LM_CACHE/apt/$1 mirror arm64=
	# For arm64 guests, arm64 as a second architecture (kernels, headers,
	# busybox): the host stays amd64, its own apt setup untouched.
	[ "$LM_ARCH" = amd64 ] || arm64=' "arm64";'
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
		APT::Architectures { "amd64";$arm64 };
		Acquire::Languages "none";
		Acquire::Check-Valid-Until "false";
	EOF
	if [ -z "$(find "$dir/state/lists" -maxdepth 1 -name "*binary-${LM_ARCH}_Packages*" -mmin -1440 2>/dev/null)" ]; then
		APT_CONFIG=$dir/apt.conf apt-get -q update >"$dir/update.log" 2>&1 ||
			{ cat "$dir/update.log" >&2; lm_die "apt-get update failed for $suite"; }
	fi
}

lm_apt() { APT_CONFIG=$LM_CACHE/apt/$1/apt.conf "${@:2}"; }

# First dependency of package $2 (in suite $1) whose name matches regex $3,
# without its architecture (a foreign package's dependencies carry one).
lm_dep() {
	lm_apt "$1" apt-cache depends "$2" 2>/dev/null |
		awk -v re="$3" '$1 ~ /Depends:$/ {
			name = $2
			gsub(/[<>]/, "", name)
			sub(/:(amd64|arm64|all)$/, "", name)
			if (name ~ re) { print name; exit }
		}'
}

lm_version() { lm_apt "$1" apt-cache show "$2" 2>/dev/null | awk '/^Version:/ { print $2; exit }'; }

# Download packages $2... of suite $1 into its debs/ and print their
# paths.  NAME:arm64 is the arm64 package; NAME alone the host's or "all".
lm_download() {
	local suite=$1 dir=$LM_CACHE/apt/$1/debs pkg arch
	shift
	(cd "$dir" && lm_apt "$suite" apt-get -q download "$@" >/dev/null 2>"$dir/download.log") ||
		{ cat "$dir/download.log" >&2; lm_die "cannot download $*"; }
	for pkg in "$@"; do
		arch=amd64
		[[ $pkg != *:* ]] || arch=${pkg##*:}
		find "$dir" -maxdepth 1 \( -name "${pkg%%:*}_*_$arch.deb" -o -name "${pkg%%:*}_*_all.deb" \) |
			sort -V | tail -n1
	done
}

# The modules a guest loads at boot: for a DAX filesystem on legacy
# persistent memory (memmap=nn!ss) the crc32c that ext4 asks the crypto
# API for before 6.15, the e820 pmem region, the pmem block device and
# ext4; for a PCI BAR mapped to userspace through VFIO (behind the
# guest's emulated IOMMU) vfio's type1 IOMMU backend, which vfio does not
# depend on, and vfio-pci; for swap, a RAM disk (brd).  arm64 has no
# memmap=nn!ss: its guests' persistent memory is a "pmem-region" node of
# the device tree (of_pmem) instead of nd_e820's region.  lm_guest_modules
# UNPACKED OUT copies each one the kernel has as a module, after what it
# depends on (modinfo), decompressed, into OUT, their load order into
# OUT/order and this list into OUT/list.
lm_guest_module_list() {
	local pmem=nd_e820
	[ "$LM_ARCH" = amd64 ] || pmem=of_pmem
	echo crc32c_generic "$pmem" nd_pmem ext4 vfio_iommu_type1 vfio_pci brd
}

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
	for m in $(lm_guest_module_list); do
		lm_guest_module "$unpack" "$out" "$m"
	done
	lm_guest_module_list >"$out/list"
	mv "$out/order.tmp" "$out/order"
}

# Resolve, download and unpack kernel generation $1 of $LM_ARCH: image and
# headers.  Leaves $LM_CACHE/kernel/$(lm_kid $1)/{vmlinuz,modules/,abi,
# versions,gcc}.  For arm64, the headers are the arm64 package and the
# amd64 linux-kbuild of the same version, whose host programs build the
# module (Debian's headers cross-build out-of-tree modules so).
lm_kernel_fetch() {
	local k=$1 suite kdir abi img hdr common kbuild binary modules gcc flavour a=
	suite=$(lm_suite "$k")
	flavour=$(lm_flavour "$k")
	kdir=$LM_CACHE/kernel/$(lm_kid "$k")
	[ "$LM_ARCH" = amd64 ] || a=:$LM_ARCH
	# A cache made for another list of guest modules is fetched again.
	[ -s "$kdir/versions" ] && [ -s "$kdir/vmlinuz" ] && [ -e "$kdir/modules/order" ] &&
		[ "$(cat "$kdir/modules/list" 2>/dev/null)" = "$(lm_guest_module_list)" ] &&
		return 0

	lm_log "fetching Debian $suite $flavour kernel for $k"
	lm_apt_setup "$suite"
	img=$(lm_dep "$suite" "linux-image-$flavour$a" '^linux-image-')
	hdr=$(lm_dep "$suite" "linux-headers-$flavour$a" '^linux-headers-')
	if [ -z "$img" ] || [ -z "$hdr" ]; then
		lm_die "cannot resolve the $flavour kernel packages of $suite"
	fi
	abi=${img#linux-image-}
	abi=${abi%-"$flavour"}
	case "${k%-16k}" in 7 | 5.10 | 6.1 | 6.12) ;; *) [[ $abi == "$k".* ]] || lm_die "$suite has $abi, not $k" ;; esac
	common=$(lm_dep "$suite" "$hdr$a" '^linux-headers-.*-common$')
	kbuild=$(lm_dep "$suite" "$hdr$a" '^linux-kbuild-')
	binary=$(lm_dep "$suite" "$img$a" '^linux-binary-')
	modules=$(lm_dep "$suite" "$img$a" '^linux-modules-')
	gcc=$(lm_apt "$suite" apt-cache depends "$hdr$a" | grep -o 'gcc-[0-9]\+' | head -n1)
	[ -n "$gcc" ] || lm_die "cannot tell which gcc built $hdr"

	rm -rf "$kdir"
	mkdir -p "$kdir/unpack"
	local deb
	for deb in $(lm_download "$suite" "$img$a" ${binary:+"$binary$a"} ${modules:+"$modules$a"}); do
		dpkg-deb -x "$deb" "$kdir/unpack"
	done
	find "$kdir/unpack" -name 'vmlinuz*' -type f -exec cp {} "$kdir/vmlinuz" \; -quit
	lm_guest_modules "$kdir/unpack" "$kdir/modules"
	rm -rf "$kdir/unpack"
	[ -s "$kdir/vmlinuz" ] || lm_die "no vmlinuz in $img${binary:+ / $binary}"

	lm_download "$suite" "$hdr$a" "$common" "$kbuild" >"$kdir/header-debs"
	echo "$abi" >"$kdir/abi"
	echo "$gcc" >"$kdir/gcc"
	{
		printf '%s %s' "$img" "$(lm_version "$suite" "$img")"
		printf ', %s %s\n' "$hdr" "$(lm_version "$suite" "$hdr")"
	} >"$kdir/versions.tmp"
	mv "$kdir/versions.tmp" "$kdir/versions"
}

# Install packages $3... into chroot $1 with its own apt (log:
# $LM_CACHE/chroot/$2.log).  The suite's Release file may have aged past
# its Valid-Until in the archive here, as the private apt setup allows.
lm_chroot_install() {
	local root=$1 log=$LM_CACHE/chroot/$2.log
	shift 2
	{ chroot "$root" apt-get -q -o Acquire::Check-Valid-Until=false update &&
		DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get -q install -y \
			--no-install-recommends "$@"; } >"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; lm_die "cannot install $* in $root"; }
}

# A minimal chroot of the kernel's suite with the gcc its headers were
# configured for: their host tools need that suite's glibc.  For arm64,
# that suite's cross gcc of the same version too, installed by the
# chroot's own apt.  Prints the chroot.
lm_chroot() {
	local k=$1 suite gcc root kdir
	suite=$(lm_suite "$k")
	kdir=$LM_CACHE/kernel/$(lm_kid "$k")
	gcc=$(cat "$kdir/gcc")
	root=$LM_CACHE/chroot/$suite
	# The marker names the package set: a new set makes a new chroot.
	if [ ! -e "$root/.ready-$gcc-sparse" ]; then
		lm_log "creating a $suite chroot with $gcc (once)"
		rm -rf --one-file-system "$root"
		mkdir -p "$root"
		debootstrap --variant=minbase \
			--include="$gcc,make,libc6-dev,dwarves,bc,kmod,libelf-dev,sparse" \
			"$suite" "$root" "$(lm_mirror)" >"$LM_CACHE/chroot/$suite.log" 2>&1 ||
			{ tail -n 20 "$LM_CACHE/chroot/$suite.log" >&2; lm_die "debootstrap $suite failed"; }
		touch "$root/.ready-$gcc-sparse"
	fi
	if [ "$LM_ARCH" = arm64 ] && [ ! -e "$root/.ready-$gcc-aarch64" ]; then
		lm_log "installing $gcc-aarch64-linux-gnu in the $suite chroot (once)"
		lm_chroot_install "$root" "$suite-aarch64" "$gcc-aarch64-linux-gnu"
		touch "$root/.ready-$gcc-aarch64"
	fi
	local abi deb
	abi=$(cat "$kdir/abi")
	if [ ! -d "$root/usr/src/linux-headers-$abi-$(lm_flavour "$k")" ]; then
		# Keep the chroot's merged-/usr symlinks (/lib -> usr/lib):
		# older headers packages still ship files under /lib.
		while read -r deb; do
			dpkg-deb --fsys-tarfile "$deb" |
				tar -x -C "$root" --keep-directory-symlink
		done <"$kdir/header-debs"
	fi
	echo "$root"
}

# The guest's arm64 programs (qemu/arm64-build) are built in the chroot of
# the host's suite, with arm64 added as a foreign architecture and the
# arm64 libraries they link with or run: Debian's multiarch cross-building.
LM_ARM64_SUITE=bookworm
LM_ARM64_PACKAGES=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu make pkg-config
	libc6-dev:arm64 libsmartcols-dev:arm64 libelf-dev:arm64 libstdc++6:arm64
	jq:arm64 sqlite3:arm64)

# That chroot, made ready once per package list; prints it.  The caller
# holds its lock (lm_lock_chroot "$LM_ARM64_SUITE").
lm_arm64_root() {
	local root=$LM_CACHE/chroot/$LM_ARM64_SUITE marker
	marker=.ready-arm64-$(printf '%s\n' "${LM_ARM64_PACKAGES[@]}" | sha256sum | cut -c1-12)
	if [ ! -e "$root/$marker" ]; then
		# Its base comes with the kernel of that suite.
		(LM_ARCH=arm64 lm_kernel_fetch 6.1 && LM_ARCH=arm64 lm_chroot 6.1 >/dev/null) || exit 1
		lm_log "adding arm64 to the $LM_ARM64_SUITE chroot for the guest's programs (once)"
		chroot "$root" dpkg --add-architecture arm64
		lm_chroot_install "$root" "$LM_ARM64_SUITE-arm64" "${LM_ARM64_PACKAGES[@]}"
		touch "$root/$marker"
	fi
	echo "$root"
}

# busybox-static for arm64 guests, of the host's suite; prints its path.
lm_arm64_busybox() {
	local bb=$LM_CACHE/arm64/busybox deb tmp
	if [ ! -s "$bb" ]; then
		lm_apt_setup "$LM_ARM64_SUITE"
		deb=$(lm_download "$LM_ARM64_SUITE" busybox-static:arm64)
		mkdir -p "$LM_CACHE/arm64"
		tmp=$(mktemp -d "$LM_CACHE/arm64/unpack.XXXXXX")
		dpkg-deb -x "$deb" "$tmp"
		cp "$(find "$tmp" -name busybox -type f -perm -u+x | head -n1)" "$bb.tmp"
		rm -rf "$tmp"
		mv "$bb.tmp" "$bb"
	fi
	echo "$bb"
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
	local k=$1 kdir root abi hash log rc=0 cross=()
	kdir=$LM_CACHE/kernel/$(lm_kid "$k")
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
	lm_lock_chroot "$(lm_suite "$k")"
	root=$(lm_chroot "$k") || exit 1
	abi=$(cat "$kdir/abi")
	# What dpkg-buildpackage -a sets: the headers' .kernelvariables then
	# take the cross compiler of the kernel's gcc version.
	[ "$LM_ARCH" = amd64 ] ||
		cross=(DEB_BUILD_ARCH=amd64 DEB_HOST_ARCH=arm64 DEB_HOST_GNU_TYPE=aarch64-linux-gnu)
	rm -rf "$root/build/libmaps"
	mkdir -p "$root/build/libmaps"
	cp -r "$LM_SRC/Kbuild" "$LM_SRC/module" "$root/build/libmaps/"
	log=$kdir/build.log
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
	chroot "$root" make -C "/usr/src/linux-headers-$abi-$(lm_flavour "$k")" M=/build/libmaps \
		"${cross[@]}" C=2 CHECK=sparse modules \
		>"$log" 2>&1 || rc=$?
	umount "$root/proc"
	if [ "$rc" -ne 0 ] || grep -q 'warning:\|error:' "$log"; then
		cat "$log" >&2
		lm_die "building libmaps.ko for $(lm_kid "$k") failed"
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

# Does KVM really work here?  /dev/kvm can exist without VT-x/AMD-V, and
# an arm64 guest on this amd64 host is always emulated.
lm_accel() {
	if [ "$LM_ARCH" = amd64 ] && [ -w /dev/kvm ] && grep -qE '\b(vmx|svm)\b' /proc/cpuinfo &&
		timeout 10 qemu-system-x86_64 -accel kvm -M q35 -nodefaults -nographic \
			-display none -S -qmp stdio </dev/null >/dev/null 2>&1 <<<'{"execute":"quit"}'; then
		echo "-accel kvm -cpu host -smp 2"
	else
		# Multi-threaded TCG on bookworm's QEMU 7.2 sometimes oopses
		# 6.12 and 7.x guests at boot; one vCPU does not.
		echo "-accel tcg -smp 1"
	fi
}
