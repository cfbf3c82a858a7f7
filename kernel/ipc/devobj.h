/* SPDX-License-Identifier: MIT */
/*
 * Device objects (issue 15): an interrupt line, a range of I/O ports and
 * a range of device memory, each reachable from user space only through a
 * handle the kernel gave out. No call makes one from nothing: the kernel's
 * driver host (kernel/ipc/drvhost.c) makes them for the driver it starts,
 * so a user-space driver holds exactly the lines, ports and memory of its
 * device. docs/drvhost.md.
 *
 * An interrupt object owns its line while it exists (no other handler may
 * share it): when it fires, CAIRN_SIG_SIGNALED is raised and, on a
 * level-triggered line, the line is masked; the driver waits for that
 * signal (cairn_wait_many or poll), acks (cairn_irq_ack(): clear the
 * signal, unmask), then serves the device until it has nothing more. An
 * edge-triggered line is never masked, because an IO APIC drops an edge
 * that comes on a masked pin; its edges while signalled fold into the
 * one signal. The object outlives a driver that dies (the host keeps a
 * kernel handle), so an interrupt that fires between two lives of a
 * driver waits, signalled, for the next one.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kobject;

/*
 * The interrupt object of line @gsi (irq_isa_to_gsi() for ISA lines),
 * one ref: registers its handler and leaves the line unmasked. 0,
 * -EBUSY (another interrupt object has it), -ENOMEM or irq_register()'s
 * error. The last put unregisters the handler and masks the line.
 */
int __must_check irq_object_create(uint32_t gsi, struct kobject **out);

/*
 * irq_object_create() choosing how the line is handled: @masks true masks
 * it while the object is signalled (what a level-triggered line needs;
 * irq_object_create() passes irq_gsi_level()), false leaves it unmasked
 * (edge-triggered lines: a masked IO APIC pin drops edges). For tests
 * that drive an edge line both ways.
 */
int __must_check irq_object_create_mode(uint32_t gsi, bool masks, struct kobject **out);

/* Whether @o is an interrupt object. */
bool kobject_is_irq(const struct kobject *o);

/*
 * What cairn_irq_ack() does, for a kernel holder: clear SIGNALED and
 * unmask a masked line. 0 (also when not signalled: nothing to do) or
 * -EBADFD (not an interrupt object). Any context but the line's handler.
 */
int __must_check irq_object_ack(struct kobject *o);

/* A snapshot of an interrupt object, for tests and /proc/cairn/drivers. */
struct irq_object_info {
	uint32_t gsi;   /* the line */
	bool masks;     /* masked while signalled */
	bool pending;   /* signalled, not acked */
	uint64_t fired; /* interrupts taken since the object was made */
	uint64_t acks;  /* acks that cleared the signal */
	/* Their sum of cycles (arch_cycles()) from the interrupt that raised it to the ack. */
	uint64_t wait_cycles;
};
void irq_object_info(struct kobject *o, struct irq_object_info *out);

/* Ports @base .. @base + @count - 1, one ref: 0, -EINVAL (empty, past 0xffff), -ENODEV (no port space), -ENOMEM. */
int __must_check ioport_object_create(uint32_t base, uint32_t count, struct kobject **out);

/* Whether @o is an I/O port object; its range. */
bool kobject_is_ioport(const struct kobject *o);
void ioport_object_range(struct kobject *o, uint32_t *base, uint32_t *count);

/*
 * What cairn_ioport_read/write() do, for a kernel holder: one access of
 * @width bytes (1, 2, 4, aligned) at @off inside the range. 0, -EINVAL
 * (a bad width, a misaligned or out-of-range offset, a @value wider than
 * @width), -EBADFD (not an I/O port object) or arch_pio_*()'s error.
 */
int __must_check ioport_object_read(struct kobject *o, uint64_t off, uint64_t width, uint32_t *out);
int __must_check ioport_object_write(struct kobject *o, uint64_t off, uint64_t width,
                                     uint64_t value);

/*
 * Device memory @phys .. @phys + @size - 1 (page-aligned), one ref: 0,
 * -EINVAL (empty, unaligned, past 2^52, or a page the frame allocator
 * manages: RAM is never device memory), -ENOMEM. mmap(2) of a handle maps
 * it uncached, MAP_SHARED only (MAP_PRIVATE: -EINVAL), within the rights
 * (MAP; READ, WRITE, EXECUTE for the protections); a fault past the
 * range is SIGBUS.
 */
int __must_check mmio_object_create(uint64_t phys, uint64_t size, struct kobject **out);

/* Whether @o is an MMIO object; its range. */
bool kobject_is_mmio(const struct kobject *o);
void mmio_object_range(struct kobject *o, uint64_t *phys, uint64_t *size);

/*
 * The driver host (kernel/ipc/drvhost.c): runs one user-space driver
 * program with the handles it needs installed at descriptors 3, 4, ...
 * in order (0, 1, 2 are the console), watches it, and starts it again
 * when it ends for any reason (kill -9, a fault, exit), after a short
 * delay that grows while it keeps dying young. The host keeps a kernel
 * handle to each object across lives, so nothing the driver held is lost
 * to the system, and everything the dead driver held privately is freed
 * with its process. One host task per driver.
 */
#define DRVHOST_MAX_HANDLES 8

struct drvhost_handle {
	struct kobject *obj; /* the host takes its own kernel handle (kobject_handle_get) */
	uint32_t rights;     /* the rights of the driver's handle */
};

struct drvhost_spec {
	const char *name; /* for logs and /proc/cairn/drivers: "ps2kbd" (< 32 bytes) */
	const char *path; /* the program: "/sbin/ps2kbd" (< 128 bytes) */
	struct drvhost_handle handles[DRVHOST_MAX_HANDLES];
	unsigned nhandles;
	/* The program from memory (ELF bytes, kernel tests) instead of @path in the initrd. */
	const void *image;
	size_t image_size;
};

struct drvhost;

/*
 * Start @spec's driver and keep it running. The first life starts before
 * this returns, so its errors are the caller's: 0, -ENOENT (no program),
 * -ENOEXEC, -EINVAL (a bad spec: no name or path, too long, too many
 * handles, unknown rights), -ENOMEM. Copies @spec; takes a kernel handle
 * on each object (the caller keeps its own refs). May sleep.
 */
int __must_check drvhost_start(const struct drvhost_spec *spec, struct drvhost **out);

/*
 * Stop for good: no more restarts, the driver killed (SIGKILL) and reaped,
 * the host's kernel handles given back, @h freed. Waits for all that;
 * task context. (Drivers of the running system are never stopped: this
 * is for tests and for a host whose device went away.)
 */
void drvhost_stop(struct drvhost *h);

/* What a host has seen (a snapshot). */
struct drvhost_stats {
	int pid;             /* the driver's process now, 0 while between lives */
	uint64_t starts;     /* lives begun */
	uint64_t restarts;   /* of those, after a death */
	int last_status;     /* the wait status of the last death (0 before any) */
	uint32_t backoff_ms; /* the delay chosen after the last death */
};
void drvhost_get_stats(struct drvhost *h, struct drvhost_stats *out);

/* /proc/cairn/drivers: a header line, then one line per running host. */
struct seqbuf;
void drvhost_show(struct seqbuf *s);
