# SPDX-License-Identifier: GPL-2.0
#
#   make                 build the libmaps tool (userspace/) and libmaps.ko
#                        against KDIR (the running kernel's build tree by
#                        default); "make tool" builds the tool alone
#   make check           static checks and the tool's host tests, then build
#                        for every supported kernel and the debug kernel
#                        (with sparse) and run the selftests inside QEMU
#                        guests, x86_64's and arm64's with 4 KiB and 16 KiB
#                        pages, two at a time (installs what it needs)
#   make bench           run the benchmarks (bench/) in guests of 6.1, 6.12
#                        and 7.x: maps, smaps, PROCMAP_QUERY and libmaps
#   make demo            boot KERNEL in QEMU and show the view of a program
#                        that uses libstdc++; GUEST_ARCH=arm64 for Debian's
#                        arm64 KERNEL (6.1, 6.12, 6.12-16k, 7, 7-16k)
#   make install         install the module into KDIR's kernel's module tree,
#                        the tool and libmaps(8) under PREFIX (/usr/local);
#                        DESTDIR for a staging root; make uninstall
#   make fixtures        recapture the tool's test fixtures from the module
#                        in every rig kernel
#   make clean

KDIR	?= /lib/modules/$(shell uname -r)/build
KERNEL	?= 6.1
GUEST_ARCH ?= amd64
BUILD	:= $(CURDIR)/build
# The release modules_install installs for; Debian's headers override it
# in .kernelvariables.
KREL	 = $(or $(shell sed -n 's/^override KERNELRELEASE = //p' \
		"$(KDIR)/.kernelvariables" 2>/dev/null), \
		$(shell cat "$(KDIR)/include/config/kernel.release" 2>/dev/null))
MODPATH	 = $(DESTDIR)/lib/modules/$(KREL)/extra/module

all: tool module

tool:
	$(MAKE) -C userspace

module:
	@test -d "$(KDIR)" || { \
		echo "libmaps: no kernel build tree at KDIR=$(KDIR)" >&2; \
		echo "libmaps: install the kernel headers, pass KDIR=<tree>, or try 'make check' (QEMU)" >&2; \
		exit 1; }
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules

check:
	qemu/setup-host
	qemu/lint
	$(MAKE) -C userspace check
	qemu/dkms 6.1
	qemu/check debug arm64:7-16k arm64:6.1 7 6.12 6.1 5.10
	qemu/bench --quick 6.1

bench:
	qemu/setup-host
	qemu/bench

install: module tool
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" INSTALL_MOD_PATH="$(DESTDIR)" modules_install
	$(MAKE) -C userspace install

uninstall:
	@test -n "$(KREL)" || { echo "libmaps: no kernel release in KDIR=$(KDIR)" >&2; exit 1; }
	rm -f "$(MODPATH)/libmaps.ko" "$(MODPATH)/libmaps.ko.xz" "$(MODPATH)/libmaps.ko.zst"
	-rmdir "$(MODPATH)" 2>/dev/null
	@if [ -z "$(DESTDIR)" ]; then depmod "$(KREL)"; fi
	$(MAKE) -C userspace uninstall

fixtures:
	qemu/setup-host
	$(MAKE) -C userspace fixtures

# The demo's program, the tool and the two libraries: built here for an
# amd64 guest, by qemu/arm64-build for an arm64 one.
ifeq ($(GUEST_ARCH),arm64)
DEMO_FILES	:= $(CURDIR)/userspace/build/arm64/stdcxx-demo \
		   $(CURDIR)/userspace/build/arm64/libmaps \
		   $(CURDIR)/selftests/build/arm64/libgap.so \
		   $(CURDIR)/selftests/build/arm64/libclassic.so
else
DEMO_FILES	:= $(BUILD)/demo/stdcxx-demo $(CURDIR)/userspace/build/libmaps \
		   $(CURDIR)/selftests/build/libgap.so \
		   $(CURDIR)/selftests/build/libclassic.so
endif

demo:
	qemu/setup-host
ifeq ($(GUEST_ARCH),arm64)
	qemu/arm64-build userspace $(wordlist 1,2,$(DEMO_FILES))
	qemu/arm64-build selftests $(wordlist 3,4,$(DEMO_FILES))
else
	$(MAKE) -C userspace
	mkdir -p "$(BUILD)/demo"
	g++ -O2 -Wall -Wextra -Werror -o "$(BUILD)/demo/stdcxx-demo" qemu/demo/stdcxx-demo.cc
	$(MAKE) -C selftests $(wordlist 3,4,$(DEMO_FILES))
endif
	qemu/run --arch "$(GUEST_ARCH)" --kernel "$(KERNEL)" \
		$(addprefix --add ,$(DEMO_FILES)) -- \
		"$(CURDIR)/qemu/demo/demo.sh" $(DEMO_FILES)

clean:
	rm -rf "$(BUILD)" .tmp_versions
	rm -f modules.order Module.symvers .*.cmd
	cd module && rm -f *.ko *.o *.mod *.mod.c modules.order .*.cmd
	-$(MAKE) -C selftests clean
	-$(MAKE) -C userspace clean
	-$(MAKE) -C bench clean

.PHONY: all tool module check bench demo install uninstall fixtures clean
