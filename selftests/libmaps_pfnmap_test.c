// SPDX-License-Identifier: GPL-2.0
/*
 * Device memory mapped by PMDs that have no struct page.  Since 6.12
 * vfio-pci maps a large enough BAR with huge_fault(): a special PMD
 * (vmf_insert_pfn_pmd(), pmd_trans_huge() on x86) of a VM_PFNMAP | VM_IO
 * VMA.  Looking at the struct page of such a PMD reads memory that need
 * not exist; the view of a process with one must still be right.
 *
 * qemu/run gives guests whose kernel has vfio-pci an ivshmem device (BAR 2:
 * two PMDs or more of RAM, 64-bit prefetchable) behind an emulated IOMMU
 * (x86_64: VT-d; arm64: SMMUv3).  The
 * test binds that device to vfio-pci through sysfs, opens it through a
 * type1 container, maps BAR 2 at a PMD-aligned address, touches every
 * PMD's worth of it and compares the view with maps and smaps (lm_compare()):
 * smaps does not walk VM_PFNMAP VMAs, so it counts no PMD, and neither
 * may libmaps.  Whether the PMDs really exist comes from the kernel:
 * vfio-pci's dev_dbg() in its huge_fault() (dynamic debug, read back
 * from /dev/kmsg) says which order it was asked for and what it returned.
 * Teardown unbinds the device and puts back its driver and the debug
 * setting, whatever happened.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "kselftest_harness.h"
#include "lm_view.h"

#define PCI_DEVICES	"/sys/bus/pci/devices"
#define VFIO_PCI_DRV	"/sys/bus/pci/drivers/vfio-pci"
#define DYNDBG		"/sys/kernel/debug/dynamic_debug/control"
#define HUGE_FAULT	"vfio_pci_mmap_huge_fault"
/* ivshmem (QEMU's inter-VM shared memory) */
#define IVSHMEM_VENDOR	0x1af4
#define IVSHMEM_DEVICE	0x1110
#define IVSHMEM_BAR	VFIO_PCI_BAR2_REGION_INDEX
/* VM_FAULT_NOPAGE: what huge_fault() returns when it installed the entry */
#define LM_FAULT_NOPAGE	0x100

static struct lm_view view;
static struct lm_maps maps;

FIXTURE(pfnmap) {
	char why[256];			/* non-empty: skip, and why */
	char bdf[32];
	char old_driver[64];		/* the driver before, "" if none */
	bool overridden, bound, dyndbg;
	int container, group, device;
	struct vfio_region_info bar;
	char *map;
	int kmsg;
};

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -1;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -1;
	close(fd);
	return ret;
}

static long read_hex(const char *path)
{
	char buf[32];

	if (lm_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 16);
}

/* The first ivshmem device, into @bdf; false if there is none. */
static bool find_ivshmem(char *bdf, size_t size)
{
	DIR *d = opendir(PCI_DEVICES);
	struct dirent *e;
	char path[PATH_MAX];
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/vendor", e->d_name);
		if (read_hex(path) != IVSHMEM_VENDOR)
			continue;
		snprintf(path, sizeof(path), PCI_DEVICES "/%s/device", e->d_name);
		if (read_hex(path) != IVSHMEM_DEVICE)
			continue;
		found = strlen(e->d_name) < size;
		if (found)
			strcpy(bdf, e->d_name);
	}
	closedir(d);
	return found;
}

/* Basename of the symlink @dir/@link into @out ("" if it is absent). */
static void link_name(const char *dir, const char *link, char *out, size_t size)
{
	char path[PATH_MAX + 64], target[PATH_MAX], *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, link);
	n = readlink(path, target, sizeof(target) - 1);
	out[0] = 0;
	if (n < 0)
		return;
	target[n] = 0;
	base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	if (strlen(base) < size)
		strcpy(out, base);
}

/* BAR @bar's line of the device's resource file: start, end, flags. */
static void bar_resource(const char *bdf, int bar, unsigned long long r[3])
{
	char path[PATH_MAX], buf[4096], *line;

	r[0] = r[1] = r[2] = 0;
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/resource", bdf);
	if (lm_read_file(path, buf, sizeof(buf)) < 0)
		return;
	line = buf;
	for (int i = 0; i < bar && line; i++) {
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (line)
		sscanf(line, "%llx %llx %llx", &r[0], &r[1], &r[2]);
}

#define WHY(...) snprintf(self->why, sizeof(self->why), __VA_ARGS__)

/*
 * Everything up to a device fd for the ivshmem device on vfio-pci.  Sets
 * self->why and returns at the first thing missing; teardown undoes what
 * was done.
 */
static void vfio_open(struct __test_metadata *_metadata, FIXTURE_DATA(pfnmap) *self)
{
	char dev[PATH_MAX], path[PATH_MAX + 64], group[32], drv[64];
	struct vfio_group_status status = { .argsz = sizeof(status) };
	unsigned long long res[3];

	if (!find_ivshmem(self->bdf, sizeof(self->bdf))) {
		WHY("no ivshmem PCI device (%04x:%04x; qemu/run adds one where the kernel has vfio-pci)",
		    IVSHMEM_VENDOR, IVSHMEM_DEVICE);
		return;
	}
	snprintf(dev, sizeof(dev), PCI_DEVICES "/%s", self->bdf);
	bar_resource(self->bdf, IVSHMEM_BAR, res);
	TH_LOG("ivshmem %s BAR %d: %#llx-%#llx flags %#llx (PMD aligned: %s)",
	       self->bdf, IVSHMEM_BAR, res[0], res[1], res[2],
	       res[0] % lm_pmd_size() ? "no" : "yes");
	if (access(VFIO_PCI_DRV, F_OK)) {
		WHY("no vfio-pci driver (%s: module vfio_pci not loaded or not in this kernel)",
		    VFIO_PCI_DRV);
		return;
	}
	if (access("/dev/vfio/vfio", F_OK)) {
		WHY("no /dev/vfio/vfio (CONFIG_VFIO_CONTAINER off?)");
		return;
	}
	/*
	 * x86's IOMMUs put every PCI device in a group at boot; a device
	 * tree's IOMMU (arm64 virt's SMMUv3) only when a driver binds it.
	 */
	link_name(dev, "iommu_group", group, sizeof(group));

	/* Whatever driver has the device gives it up, and gets it back. */
	link_name(dev, "driver", self->old_driver, sizeof(self->old_driver));
	if (self->old_driver[0]) {
		snprintf(path, sizeof(path), "%s/driver/unbind", dev);
		ASSERT_EQ(0, write_str(path, self->bdf)) TH_LOG("%s: %s", path, strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/driver_override", dev);
	ASSERT_EQ(0, write_str(path, "vfio-pci")) TH_LOG("%s: %s", path, strerror(errno));
	self->overridden = true;
	if (write_str(VFIO_PCI_DRV "/bind", self->bdf)) {
		link_name(dev, "iommu_group", group, sizeof(group));
		if (!group[0]) {
			WHY("%s has no IOMMU group, and vfio-pci needs one (no IOMMU: q35's intel-iommu and intel_iommu=on, virt's iommu=smmuv3)",
			    self->bdf);
			return;
		}
		ASSERT_TRUE(false) TH_LOG("binding %s to vfio-pci: %s", self->bdf, strerror(errno));
	}
	self->bound = true;
	link_name(dev, "driver", drv, sizeof(drv));
	ASSERT_STREQ("vfio-pci", drv);
	link_name(dev, "iommu_group", group, sizeof(group));
	ASSERT_NE(0, group[0]) TH_LOG("%s is on vfio-pci without an IOMMU group", self->bdf);

	snprintf(path, sizeof(path), "/dev/vfio/%s", group);
	self->group = open(path, O_RDWR);
	ASSERT_LE(0, self->group) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_GET_STATUS, &status));
	ASSERT_TRUE(!!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		TH_LOG("IOMMU group %s is not viable (another device in it has a driver)", group);
	self->container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, self->container) TH_LOG("/dev/vfio/vfio: %s", strerror(errno));
	ASSERT_EQ(VFIO_API_VERSION, ioctl(self->container, VFIO_GET_API_VERSION));
	if (ioctl(self->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		WHY("no VFIO type1v2 IOMMU backend (module vfio_iommu_type1 not loaded)");
		return;
	}
	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_SET_CONTAINER, &self->container))
		TH_LOG("VFIO_GROUP_SET_CONTAINER: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		TH_LOG("VFIO_SET_IOMMU: %s", strerror(errno));
	self->device = ioctl(self->group, VFIO_GROUP_GET_DEVICE_FD, self->bdf);
	ASSERT_LE(0, self->device) TH_LOG("VFIO_GROUP_GET_DEVICE_FD: %s", strerror(errno));

	self->bar.argsz = sizeof(self->bar);
	self->bar.index = IVSHMEM_BAR;
	ASSERT_EQ(0, ioctl(self->device, VFIO_DEVICE_GET_REGION_INFO, &self->bar));
	TH_LOG("region %u: size %#llx offset %#llx flags %#x", self->bar.index,
	       (unsigned long long)self->bar.size, (unsigned long long)self->bar.offset,
	       self->bar.flags);
	ASSERT_TRUE(!!(self->bar.flags & VFIO_REGION_INFO_FLAG_MMAP));
	ASSERT_LE(2 * lm_pmd_size(), self->bar.size);
}

FIXTURE_SETUP(pfnmap)
{
	self->container = self->group = self->device = self->kmsg = -1;
	self->map = MAP_FAILED;
	/* The harness runs the test body after a SKIP() here: say why instead. */
	vfio_open(_metadata, self);
}

FIXTURE_TEARDOWN(pfnmap)
{
	char path[PATH_MAX + 64];

	if (self->map != MAP_FAILED)
		munmap(self->map, self->bar.size);
	if (self->kmsg >= 0)
		close(self->kmsg);
	if (self->dyndbg)
		write_str(DYNDBG, "func " HUGE_FAULT " -p");
	if (self->device >= 0)
		close(self->device);
	if (self->group >= 0)
		close(self->group);
	if (self->container >= 0)
		close(self->container);
	/*
	 * No EXPECT_*() here: after a failed ASSERT_*() the harness would
	 * print their messages whether they fail or not.
	 */
	if (self->bound && write_str(VFIO_PCI_DRV "/unbind", self->bdf)) {
		TH_LOG("unbinding %s from vfio-pci: %s", self->bdf, strerror(errno));
		_metadata->passed = 0;
	}
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver_override", self->bdf);
	if (self->overridden && write_str(path, "\n")) {
		TH_LOG("%s: %s", path, strerror(errno));
		_metadata->passed = 0;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", self->old_driver);
	if (self->old_driver[0] && write_str(path, self->bdf)) {
		TH_LOG("rebinding %s to %s: %s", self->bdf, self->old_driver, strerror(errno));
		_metadata->passed = 0;
	}
}

/* The order of a PMD in pages: 9 with 4 KiB pages, 11 with arm64's 16 KiB. */
static unsigned int pmd_order(void)
{
	return __builtin_ctzl(lm_pmd_size() / sysconf(_SC_PAGESIZE));
}

/*
 * vfio-pci's huge_fault() messages since @kmsg was opened: how many PMDs
 * (pmd_order()) it installed, and how many times it was asked for one.
 */
static void count_huge_faults(int kmsg, const char *bdf, int *installed, int *asked)
{
	char rec[1024], *msg;
	unsigned int order, ret;
	ssize_t n;

	*installed = *asked = 0;
	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;	/* overwritten records */
		rec[n] = 0;
		if (!strstr(rec, bdf))
			continue;
		msg = strstr(rec, HUGE_FAULT "(,order = ");
		if (!msg || sscanf(msg, HUGE_FAULT "(,order = %u) BAR %*d page offset %*x: %x",
				   &order, &ret) != 2 || order != pmd_order())
			continue;
		(*asked)++;
		if (ret == LM_FAULT_NOPAGE)
			(*installed)++;
	}
}

/* Does dynamic debug know vfio-pci's huge_fault(), now printing? */
static bool huge_fault_callsite(void)
{
	FILE *f = fopen(DYNDBG, "r");
	char *line = NULL;
	size_t n = 0;
	bool found = false;

	if (!f)
		return false;
	while (!found && getline(&line, &n, f) > 0)
		found = strstr(line, "]" HUGE_FAULT " =p");
	free(line);
	fclose(f);
	return found;
}

TEST_F(pfnmap, bar_pmd)
{
	size_t pg = sysconf(_SC_PAGESIZE), pmd = lm_pmd_size(), size, span;
	struct lm_view_rec *r;
	int installed, asked, mismatches, i;
	bool pf, io, callsite;
	char *res;
	struct utsname u;

	if (self->why[0])
		SKIP(return, "%s", self->why);
	size = self->bar.size;

	/*
	 * Ask vfio-pci to say what its huge_fault() does.  Kernels before
	 * 6.12 have no huge_fault() in vfio-pci: no such callsite.
	 */
	self->dyndbg = !write_str(DYNDBG, "func " HUGE_FAULT " +p");
	callsite = self->dyndbg && huge_fault_callsite();
	self->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->kmsg) TH_LOG("/dev/kmsg: %s", strerror(errno));
	lseek(self->kmsg, 0, SEEK_END);

	/* PMD aligned, between PROT_NONE pages, as lm_map_aligned(). */
	span = size + pmd + 2 * pg;
	res = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	self->map = (char *)(((unsigned long)res + pg + pmd - 1) & ~(pmd - 1));
	if (self->map - pg > res)
		munmap(res, self->map - pg - res);
	if (res + span > self->map + size + pg)
		munmap(self->map + size + pg, res + span - (self->map + size + pg));
	ASSERT_EQ(self->map, mmap(self->map, size, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_FIXED, self->device, self->bar.offset))
		TH_LOG("mmap of BAR %d: %s", IVSHMEM_BAR, strerror(errno));

	/* Touch every PMD: one fault each, a PMD each where it can be. */
	for (size_t off = 0; off < size; off += pmd) {
		volatile uint32_t *p = (volatile uint32_t *)(self->map + off);

		*p = 0x6c6d0000 | (off / pmd);
		ASSERT_EQ(0x6c6d0000 | (off / pmd), *p);
	}
	count_huge_faults(self->kmsg, self->bdf, &installed, &asked);
	TH_LOG("huge_fault(order %u): asked %d, PMDs installed %d of %zu", pmd_order(), asked,
	       installed, size / pmd);

	/* The view now: this must not crash, and must agree with smaps. */
	mismatches = lm_compare(0, &view, &maps);
	ASSERT_EQ(0, mismatches) TH_LOG("%s", mismatches < 0 ? lm_error : "view and smaps disagree");
	i = lm_maps_find(&maps, (unsigned long)self->map);
	ASSERT_LE(0, i);
	pf = io = false;
	for (int f = 0; f < maps.recs[i].nr_vmflags; f++) {
		pf |= !strcmp(maps.recs[i].vmflags[f], "pf");
		io |= !strcmp(maps.recs[i].vmflags[f], "io");
	}
	EXPECT_TRUE(pf && io) TH_LOG("smaps: the BAR mapping is not VM_PFNMAP | VM_IO");
	r = lm_view_find(&view, (unsigned long)self->map);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(maps.recs[i].pmd_kb / (long)(lm_pmd_size() >> 10), (long)r->pmd)
		TH_LOG("pmd=%lu, smaps counts %ld kB PMD-mapped", r->pmd, maps.recs[i].pmd_kb);
	EXPECT_TRUE(lm_view_has_flag(r, "pf"));

	/* Only a PMD that really exists makes this the test it means to be. */
	if (!installed) {
		uname(&u);
		if (!self->dyndbg)
			SKIP(return, "%s: no dynamic debug (%s) to see vfio-pci's %s()",
			     u.release, DYNDBG, HUGE_FAULT);
		if (!callsite)
			SKIP(return, "%s: vfio-pci has no %s() (huge pfnmaps are 6.12+)",
			     u.release, HUGE_FAULT);
		SKIP(return, "%s: vfio-pci installed no PMD (asked %d times)", u.release, asked);
	}
}

TEST_HARNESS_MAIN
