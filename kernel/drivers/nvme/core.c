// SPDX-License-Identifier: MIT
/*
 * The NVMe controller: the PCI driver for class 01:08:02 (NVM Express),
 * the reset and enable sequence of NVMe 1.4, 7.6.1 through the registers
 * of 3.1 (CAP, CC, CSTS, AQA, ASQ, ACQ), the admin queue and its
 * interrupt, then Identify, the I/O queues and the namespaces; remove()
 * shuts the controller down (7.6.2) and gives everything back. A
 * controller that misbehaves is given up with a log line, never waited
 * for without a deadline.
 */
#include <cairn/errno.h>

#include <arch/mmio.h>
#include <lib/format.h>

#include "core/kmain.h"
#include "core/log.h"
#include "core/smp.h"
#include "drivers/nvme/internal.h"
#include "drivers/nvme/nvme.h"
#include "mm/heap.h"
#include "mm/pmm.h"

/*
 * Instance numbers (the N of "nvmeN") in use, one bit each, so a
 * controller bound again gets its old name back; past NVME_MAX_CTRLS,
 * numbers count up from there. [a]
 */
static uint32_t nvme_claimed;
static unsigned nvme_next_extra = NVME_MAX_CTRLS;

/* Every controller bound, for nvme_get_ctrl(). [a] slots, written once each. */
static struct nvme_ctrl *nvme_ctrls[NVME_MAX_CTRLS];

uint32_t nvme_read32(struct nvme_ctrl *c, uint32_t off)
{
	return mmio_read32(c->regs + off);
}

void nvme_write32(struct nvme_ctrl *c, uint32_t off, uint32_t v)
{
	mmio_write32(c->regs + off, v);
}

/* 64-bit registers as two dword accesses, low first, which every controller takes (3.1). */
static uint64_t read64(struct nvme_ctrl *c, uint32_t off)
{
	uint64_t lo = nvme_read32(c, off);

	return lo | (uint64_t)nvme_read32(c, off + 4) << 32;
}

static void write64(struct nvme_ctrl *c, uint32_t off, uint64_t v)
{
	nvme_write32(c, off, (uint32_t)v);
	nvme_write32(c, off + 4, (uint32_t)(v >> 32));
}

/*
 * Wait until CSTS.RDY is @rdy, at most CAP.TO (3.1.1), but at least 500 ms
 * and at most 10 s: CAP.TO may say 127 s, and boot waits for the probe.
 * Returns 0, -ETIMEDOUT, -ENODEV (all ones: the device is gone) or -EIO
 * (fatal status while enabling).
 */
static int wait_ready(struct nvme_ctrl *c, bool rdy)
{
	uint32_t ms = c->cap.timeout_ms < 500 ? 500 : c->cap.timeout_ms;
	uint64_t deadline = clock_monotonic_ns() + (uint64_t)(ms > 10000 ? 10000 : ms) * 1000000u;
	uint32_t csts;

	for (;;) {
		csts = nvme_read32(c, NVME_REG_CSTS);
		if (csts == 0xffffffffu)
			return -ENODEV;
		if (rdy && (csts & NVME_CSTS_CFS))
			return -EIO;
		if (!!(csts & NVME_CSTS_RDY) == rdy)
			return 0;
		if (clock_monotonic_ns() > deadline) {
			pr_err("%s: CSTS.RDY did not become %u in time", c->name, rdy);
			return -ETIMEDOUT;
		}
		sleep_ms(1);
	}
}

/* Clear CC.EN and wait for CSTS.RDY to follow: a controller reset (7.6.1 step 1). */
static int ctrl_disable(struct nvme_ctrl *c)
{
	uint32_t cc = nvme_read32(c, NVME_REG_CC);

	if (cc & NVME_CC_EN)
		nvme_write32(c, NVME_REG_CC, cc & ~NVME_CC_EN);
	return wait_ready(c, false);
}

/* Give the admin queue and the configuration, set CC.EN, wait for ready (7.6.1 steps 2-5). */
static int ctrl_enable(struct nvme_ctrl *c)
{
	uint32_t cc = NVME_CC_CSS_NVM | NVME_CC_MPS(12) | NVME_CC_AMS_RR |
	              NVME_CC_IOSQES(NVME_SQE_SIZE_LOG2) | NVME_CC_IOCQES(NVME_CQE_SIZE_LOG2);

	nvme_write32(c, NVME_REG_AQA, NVME_AQA(c->admin.depth, c->admin.depth));
	write64(c, NVME_REG_ASQ, c->admin.sq_pa);
	write64(c, NVME_REG_ACQ, c->admin.cq_pa);
	nvme_write32(c, NVME_REG_CC, cc);
	nvme_write32(c, NVME_REG_CC, cc | NVME_CC_EN);
	return wait_ready(c, true);
}

/* Normal shutdown (7.6.2): CC.SHN, then CSTS.SHST says the data is safe. */
static void ctrl_shutdown(struct nvme_ctrl *c)
{
	uint64_t deadline = clock_monotonic_ns() + 2000000000ull;
	uint32_t cc = nvme_read32(c, NVME_REG_CC);

	nvme_write32(c, NVME_REG_CC, (cc & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL);
	while ((nvme_read32(c, NVME_REG_CSTS) & NVME_CSTS_SHST_MASK) != NVME_CSTS_SHST_DONE) {
		if (clock_monotonic_ns() > deadline) {
			pr_warn("%s: shutdown did not complete in 2 s", c->name);
			return;
		}
		sleep_ms(1);
	}
}

void nvme_ctrl_fail(struct nvme_ctrl *c, const char *why)
{
	unsigned i;

	if (__atomic_exchange_n(&c->dead, true, __ATOMIC_ACQ_REL))
		return;
	pr_err("%s: %s: giving the controller up; its requests fail with EIO", c->name, why);
	/* Disabling is a reset: the controller stops fetching and moving data (3.1.5). */
	nvme_write32(c, NVME_REG_CC, nvme_read32(c, NVME_REG_CC) & ~NVME_CC_EN);
	for (i = 0; i < c->nns; i++)
		__atomic_fetch_or(&c->ns[i].bdev.flags, BLK_REMOVED, __ATOMIC_RELEASE);
	for (i = 0; i < c->nioq; i++)
		nvme_queue_fail_all(c->ioq[i]);
	waitq_wake_all(&c->admin_wq);
}

/* Map BAR 0; it must hold the registers and the doorbells of every queue we may make. */
static int map_regs(struct nvme_ctrl *c)
{
	struct pci_bar *bar = &c->pdev->bar[0];

	if (bar->size < 0x2000 || (bar->flags & PCI_BAR_IO)) {
		pr_err("%s: BAR 0 is not a register window (size %llu)", c->name,
		       (unsigned long long)bar->size);
		return -ENODEV;
	}
	c->regs = pci_bar_map(c->pdev, 0, false);
	c->regs_size = bar->size;
	return c->regs ? 0 : -ENOMEM;
}

/* Read and check CAP; the highest queue's doorbells must lie inside BAR 0. */
static int read_cap(struct nvme_ctrl *c)
{
	uint64_t cap = read64(c, NVME_REG_CAP);
	unsigned ncpu = smp_cpu_count();

	if (nvme_cap_parse(cap, &c->cap)) {
		pr_err("%s: cannot drive this controller (CAP %#llx)", c->name,
		       (unsigned long long)cap);
		return -ENODEV;
	}
	if (nvme_cq_doorbell((uint16_t)ncpu, c->cap.db_stride) + 4 > c->regs_size) {
		pr_err("%s: doorbells (stride %u) outside BAR 0", c->name, c->cap.db_stride);
		return -ENODEV;
	}
	return 0;
}

/* Vectors: 0 for the admin queue, one more per CPU when MSI-X gives them. */
static int setup_irqs(struct nvme_ctrl *c)
{
	int n = pci_irq_alloc(c->pdev, 1, smp_cpu_count() + 1);

	if (n < 0) {
		pr_err("%s: no interrupt vector (error %d)", c->name, n);
		return n;
	}
	c->nvec = (unsigned)n;
	c->admin.vector = 0;
	c->admin.cpu = pci_irq_cpu(c->pdev, 0);
	return pci_irq_set_handler(c->pdev, 0, nvme_irq, &c->admin);
}

/* Identify Controller into c->info; the transfer limit follows from MDTS. */
static int identify_ctrl(struct nvme_ctrl *c)
{
	uint64_t pa = pmm_alloc_pages(0, PMM_ZERO);
	struct nvme_sqe s;
	int err;

	if (!pa)
		return -ENOMEM;
	nvme_cmd_identify(&s, NVME_CNS_CTRL, 0, pa);
	err = nvme_admin(c, &s, NULL);
	if (!err && nvme_parse_id_ctrl(phys_to_virt(pa), c->cap.page_min, &c->info)) {
		pr_err("%s: Identify Controller: entry sizes unusable", c->name);
		err = -ENODEV;
	}
	pmm_free_pages(pa, 0);
	if (err)
		return err;
	/* One PRP list page per command: 512 entries after the first, 2 MiB. */
	c->max_bytes = NVME_MAX_XFER;
	if (c->info.max_xfer && c->info.max_xfer < c->max_bytes)
		c->max_bytes = c->info.max_xfer;
	return 0;
}

/* Reset, enable and identify; the admin queue works when this returns 0. */
static int ctrl_start(struct nvme_ctrl *c)
{
	int err;

	err = map_regs(c);
	if (!err)
		err = read_cap(c);
	if (!err)
		err = ctrl_disable(c);
	if (err)
		return err;
	err = nvme_queue_alloc(c, &c->admin, 0,
	                       NVME_ADMIN_DEPTH < c->cap.max_entries ? NVME_ADMIN_DEPTH
	                                                             : c->cap.max_entries);
	if (err)
		return err;
	err = setup_irqs(c);
	if (!err)
		err = ctrl_enable(c);
	if (!err)
		err = identify_ctrl(c);
	return err;
}

/* The lowest free instance number. */
static unsigned instance_claim(void)
{
	uint32_t old = __atomic_load_n(&nvme_claimed, __ATOMIC_RELAXED);
	unsigned n;

	do {
		if (old == (1u << NVME_MAX_CTRLS) - 1)
			return __atomic_fetch_add(&nvme_next_extra, 1, __ATOMIC_RELAXED);
		n = (unsigned)__builtin_ctz(~old);
	} while (!__atomic_compare_exchange_n(&nvme_claimed, &old, old | 1u << n, false,
	                                      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return n;
}

static void instance_release(unsigned n)
{
	if (n < NVME_MAX_CTRLS)
		__atomic_fetch_and(&nvme_claimed, ~(1u << n), __ATOMIC_RELEASE);
}

static struct nvme_ctrl *ctrl_new(struct pci_dev *d)
{
	struct nvme_ctrl *c = kmalloc_flags(sizeof(*c), KM_ZERO | KM_MAY_FAIL);

	if (!c)
		return NULL;
	c->pdev = d;
	c->instance = instance_claim();
	fmt_snprintf(c->name, sizeof(c->name), "nvme%u", c->instance);
	mutex_init(&c->admin_lock, "nvme.admin");
	waitq_init(&c->admin_wq, "nvme.admin_wq");
	c->io_timeout_ms = NVME_IO_TIMEOUT;
	c->refs = 1;
	return c;
}

/*
 * Undo whatever ctrl_start() and the queue setup did. The structure
 * itself lives on while a namespace's block device has users.
 */
static void ctrl_teardown(struct nvme_ctrl *c)
{
	unsigned i;

	nvme_watchdog_stop(c);
	pci_irq_free(c->pdev);
	for (i = 0; i < c->nioq; i++) {
		nvme_queue_free(c->ioq[i]);
		kfree(c->ioq[i]);
	}
	c->nioq = 0;
	kfree(c->ioq);
	c->ioq = NULL;
	nvme_queue_free(&c->admin);
}

void nvme_ctrl_put(struct nvme_ctrl *c)
{
	if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(c);
}

/* The controller is unbound: its number may be given again, its name is free (no namespaces). */
static void ctrl_unbind(struct nvme_ctrl *c)
{
	if (c->instance < NVME_MAX_CTRLS)
		__atomic_store_n(&nvme_ctrls[c->instance], NULL, __ATOMIC_RELEASE);
	instance_release(c->instance);
	ctrl_teardown(c);
	nvme_ctrl_put(c);
}

static void log_ctrl(struct nvme_ctrl *c)
{
	pr_info("%s: %s (serial %s, firmware %s), NVMe %u.%u, %u I/O queue%s, %u %s vector%s",
	        c->name, c->info.model, c->info.serial, c->info.firmware, c->info.version >> 16,
	        (c->info.version >> 8) & 0xff, c->nioq, c->nioq == 1 ? "" : "s", c->nvec,
	        pci_irq_mode_name(c->pdev), c->nvec == 1 ? "" : "s");
}

static int nvme_probe(struct pci_dev *d, const struct pci_id *id)
{
	struct nvme_ctrl *c = ctrl_new(d);
	int err;

	if (!c)
		return -ENOMEM;
	pci_enable(d);
	err = ctrl_start(c);
	if (!err)
		err = nvme_create_io_queues(c);
	if (err)
		goto out_disable;
	log_ctrl(c);
	d->drvdata = c;
	if (c->instance < NVME_MAX_CTRLS)
		__atomic_store_n(&nvme_ctrls[c->instance], c, __ATOMIC_RELEASE);
	nvme_watchdog_start(c);
	/* A namespace that cannot be used is logged and skipped; the controller stays. */
	if (nvme_scan_namespaces(c))
		pr_warn("%s: namespace scan incomplete", c->name);
	return 0;
out_disable:
	pr_err("%s: cannot start the controller: error %d", c->name, err);
	if (c->regs && ctrl_disable(c))
		pr_warn("%s: the controller did not stop", c->name);
	ctrl_unbind(c);
	return err;
}

static void nvme_remove(struct pci_dev *d)
{
	struct nvme_ctrl *c = d->drvdata;

	if (!c)
		return;
	nvme_remove_namespaces(c);
	nvme_watchdog_stop(c);
	if (!__atomic_load_n(&c->dead, __ATOMIC_ACQUIRE)) {
		nvme_delete_io_queues(c);
		ctrl_shutdown(c);
	}
	/* From here a late submit fails at once instead of touching freed queues. */
	__atomic_store_n(&c->dead, true, __ATOMIC_RELEASE);
	if (ctrl_disable(c))
		pr_warn("%s: the controller did not stop", c->name);
	d->drvdata = NULL;
	ctrl_unbind(c);
}

/* NVM Express controllers: class 01h, subclass 08h, programming interface 02h. */
static const struct pci_id nvme_ids[] = {
	{ PCI_ANY, PCI_ANY, 0x010802, 0xffffff },
	{ 0, 0, 0, 0 },
};

static struct pci_driver nvme_driver = {
	.name = "nvme",
	.ids = nvme_ids,
	.probe = nvme_probe,
	.remove = nvme_remove,
};

int nvme_init(void)
{
	return pci_driver_register(&nvme_driver);
}

int nvme_test_rebind(void)
{
	pci_driver_unregister(&nvme_driver);
	return pci_driver_register(&nvme_driver);
}

struct nvme_ctrl *nvme_get_ctrl(unsigned instance)
{
	if (instance >= NVME_MAX_CTRLS)
		return NULL;
	return __atomic_load_n(&nvme_ctrls[instance], __ATOMIC_ACQUIRE);
}
