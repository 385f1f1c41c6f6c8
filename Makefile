# SPDX-License-Identifier: GPL-2.0
#
#   make                 build libmaps.ko against KDIR (the running kernel's
#                        build tree by default)
#   make check           checkpatch, then build for every supported kernel
#                        (with sparse) and run the selftests inside QEMU
#                        guests (installs what it needs)
#   make demo            boot KERNEL in QEMU and show the view of a program
#                        that uses libstdc++
#   make clean

KDIR	?= /lib/modules/$(shell uname -r)/build
KERNEL	?= 6.1
BUILD	:= $(CURDIR)/build

all: module

module:
	@test -d "$(KDIR)" || { \
		echo "libmaps: no kernel build tree at KDIR=$(KDIR)" >&2; \
		echo "libmaps: install the kernel headers, pass KDIR=<tree>, or try 'make check' (QEMU)" >&2; \
		exit 1; }
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules

check:
	qemu/setup-host
	qemu/lint
	qemu/check

demo:
	qemu/setup-host
	mkdir -p "$(BUILD)/demo"
	g++ -O2 -Wall -Wextra -Werror -o "$(BUILD)/demo/stdcxx-demo" qemu/demo/stdcxx-demo.cc
	qemu/run --kernel "$(KERNEL)" --add "$(BUILD)/demo/stdcxx-demo" -- \
		"$(CURDIR)/qemu/demo/demo.sh" "$(BUILD)/demo/stdcxx-demo"

clean:
	rm -rf "$(BUILD)" .tmp_versions
	rm -f modules.order Module.symvers .*.cmd
	cd module && rm -f *.ko *.o *.mod *.mod.c modules.order .*.cmd
	-$(MAKE) -C selftests clean

.PHONY: all module check demo clean
