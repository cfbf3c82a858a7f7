// SPDX-License-Identifier: MIT
/*
 * I/O port objects: a range of the port space (x86's IN/OUT ports) that a
 * user-space driver reaches through cairn_ioport_read/write() with
 * offsets relative to the range. The range is fixed when the kernel
 * makes the object (the driver host), so a driver touches its device's
 * ports and no others: every access is checked against the range before
 * arch_pio_read/write() runs it. docs/drvhost.md.
 *
 * The object holds no mutable state ([I] everything), so it needs no lock;
 * two threads that share a handle may interleave their accesses, as two
 * CPUs of a kernel driver without a lock would.
 */
#include <cairn/errno.h>
#include <cairn/ipc.h>

#include "arch/arch.h"
#include "ipc/devobj.h"
#include "ipc/object.h"
#include "mm/heap.h"
#include "syscall/syscall.h"

/* The port space ends here on every architecture that has one (x86: SDM Vol. 1, 19.2). */
#define IOPORT_SPACE 0x10000u

struct ioport_obj {
	struct kobject obj;
	uint32_t base;  /* [I] first port */
	uint32_t count; /* [I] ports in the range */
};

static struct ioport_obj *to_ioport(struct kobject *o)
{
	return container_of(o, struct ioport_obj, obj);
}

static void ioport_obj_destroy(struct kobject *o)
{
	kfree(to_ioport(o));
}

static const struct kobject_ops ioport_obj_ops = {
	.type = CAIRN_OBJ_IOPORT,
	.name = "ioport",
	.default_rights = CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE | CAIRN_RIGHT_DUPLICATE |
	                  CAIRN_RIGHT_TRANSFER | CAIRN_RIGHT_INSPECT,
	.destroy = ioport_obj_destroy,
};

int ioport_object_create(uint32_t base, uint32_t count, struct kobject **out)
{
	struct ioport_obj *po;
	uint32_t probe;

	if (count == 0 || base >= IOPORT_SPACE || count > IOPORT_SPACE - base)
		return -EINVAL;
	/* A port space at all? A read of nothing real tells, without touching a device. */
	if (arch_pio_read(IOPORT_SPACE, 1, &probe) == -ENODEV)
		return -ENODEV;
	po = kmalloc_flags(sizeof(*po), KM_MAY_FAIL);
	if (!po)
		return -ENOMEM;
	po->base = base;
	po->count = count;
	kobject_init(&po->obj, &ioport_obj_ops);
	*out = &po->obj;
	return 0;
}

bool kobject_is_ioport(const struct kobject *o)
{
	return o && o->ops == &ioport_obj_ops;
}

void ioport_object_range(struct kobject *o, uint32_t *base, uint32_t *count)
{
	*base = to_ioport(o)->base;
	*count = to_ioport(o)->count;
}

/*
 * The port of an access of @width bytes at @off in @po: a width of 1, 2 or
 * 4, aligned to itself (as a device's registers are), wholly inside the
 * range. Returns 0 or -EINVAL.
 */
static int ioport_check(const struct ioport_obj *po, uint64_t off, uint64_t width, uint32_t *port)
{
	if (width != 1 && width != 2 && width != 4)
		return -EINVAL;
	if (off % width != 0 || off >= po->count || width > po->count - off)
		return -EINVAL;
	*port = po->base + (uint32_t)off;
	return 0;
}

int ioport_object_read(struct kobject *o, uint64_t off, uint64_t width, uint32_t *out)
{
	uint32_t port;
	int err;

	if (!kobject_is_ioport(o))
		return -EBADFD;
	err = ioport_check(to_ioport(o), off, width, &port);
	return err ? err : arch_pio_read(port, (unsigned)width, out);
}

int ioport_object_write(struct kobject *o, uint64_t off, uint64_t width, uint64_t value)
{
	uint32_t port;
	int err;

	if (!kobject_is_ioport(o))
		return -EBADFD;
	err = ioport_check(to_ioport(o), off, width, &port);
	if (err)
		return err;
	/* Bits beyond the width would be dropped without a word: refuse them instead. */
	if (value >> (8 * width) != 0)
		return -EINVAL;
	return arch_pio_write(port, (unsigned)width, (uint32_t)value);
}

/* cairn_ioport_read(h, offset, width): the value (zero-extended), or -errno. Needs READ. */
long sys_cairn_ioport_read(uint64_t h, uint64_t off, uint64_t width, uint64_t a3, uint64_t a4,
                           uint64_t a5)
{
	struct kobject *o;
	uint32_t v = 0;
	int err = handle_get((int)h, CAIRN_OBJ_IOPORT, CAIRN_RIGHT_READ, &o, NULL);

	if (err)
		return err;
	err = ioport_object_read(o, off, width, &v);
	kobject_put(o);
	return err ? err : (long)v;
}

/* cairn_ioport_write(h, offset, width, value): 0 or -errno. Needs WRITE. */
long sys_cairn_ioport_write(uint64_t h, uint64_t off, uint64_t width, uint64_t value, uint64_t a4,
                            uint64_t a5)
{
	struct kobject *o;
	int err = handle_get((int)h, CAIRN_OBJ_IOPORT, CAIRN_RIGHT_WRITE, &o, NULL);

	if (err)
		return err;
	err = ioport_object_write(o, off, width, value);
	kobject_put(o);
	return err;
}
