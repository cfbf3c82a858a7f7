/* SPDX-License-Identifier: MIT */
/*
 * The NVMe driver (kernel/drivers/nvme/, docs/nvme.md): NVM Express
 * controllers on PCI, one I/O queue pair per CPU with its MSI-X vector on
 * that CPU, each active namespace a block device "nvme<C>n<NSID>". This
 * header is what the rest of the kernel and the kernel tests see.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stdint.h>

#define NVME_MAX_CTRLS 8u         /* controllers nvme_get_ctrl() can name */
#define NVME_MAX_XFER  (2u << 20) /* bytes per command: one PRP list page of 4 KiB pages */

struct nvme_ctrl;

/* Register the PCI driver (drivers_init()'s table). Returns 0 or -errno. */
int nvme_init(void);

/* Controller "nvme<@instance>" while it is bound, else NULL. */
struct nvme_ctrl *nvme_get_ctrl(unsigned instance);

/* One I/O queue pair as the tests see it; the counters are snapshots. */
struct nvme_queue_info {
	uint16_t qid;              /* 1.. */
	uint16_t vector;           /* its interrupt vector index */
	unsigned cpu;              /* the CPU that vector is delivered to */
	uint64_t submitted;        /* commands placed in its ring */
	uint64_t completed;        /* completions taken */
	uint64_t completed_cpu;    /* ... of them on @cpu */
	uint64_t completed_polled; /* ... of them by the watchdog's poll on another CPU */
	uint64_t bogus;            /* completions refused */
	uint64_t busy;             /* submissions that found it full */
	uint64_t interrupts;       /* taken on its vector by @cpu, as the interrupt layer counts */
};

/* I/O queue pairs of @c. */
unsigned nvme_io_queues(struct nvme_ctrl *c);
/* Fill @out for I/O queue @i (0-based). Returns 0 or -EINVAL. */
int __must_check nvme_io_queue_info(struct nvme_ctrl *c, unsigned i, struct nvme_queue_info *out);
/* The I/O queue (0-based index) that CPU @cpu submits to. */
unsigned nvme_cpu_queue(struct nvme_ctrl *c, unsigned cpu);
/* Interrupt vectors of @c and how they are delivered ("MSI-X", "MSI", "INTx"). */
unsigned nvme_vectors(struct nvme_ctrl *c, const char **mode);
/* Identify Controller's model and serial number, trailing spaces removed. */
const char *nvme_ctrl_model(struct nvme_ctrl *c);
const char *nvme_ctrl_serial(struct nvme_ctrl *c);
/* True once @c was given up (timeout, fatal status): every request fails with -EIO. */
bool nvme_ctrl_dead(struct nvme_ctrl *c);

/*
 * Fault injection for the kernel tests: I/O commands overdue after @ms
 * (not below 100), and the completions of the I/O queues ignored, as if
 * the controller stopped answering.
 */
void nvme_test_set_timeout(struct nvme_ctrl *c, uint32_t ms);
void nvme_test_drop_completions(struct nvme_ctrl *c, bool drop);
/*
 * Unbind every controller (namespaces removed, queues deleted, normal
 * shutdown) and probe them again, as a driver unload and reload would:
 * each gets its number back. Task context. Returns 0 or -errno.
 */
int __must_check nvme_test_rebind(void);
