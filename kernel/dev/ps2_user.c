// SPDX-License-Identifier: MIT
/*
 * The kernel's side of the user-space PS/2 keyboard driver (docs/ps2-user.md):
 * the hand-over at boot, and the task that reads the driver's key events
 * from a channel into the console's input queue.
 *
 * The hand-over makes the objects (the data port 0x60, the status port
 * 0x64, a channel), takes the keyboard from dev/ps2.c, makes the IRQ 1
 * interrupt object (it wants the line to itself; on failure the kernel
 * takes the keyboard back), and starts /sbin/ps2kbd under the driver
 * host with handles 3..6 to them. The objects live as long as the system: the
 * host keeps a kernel handle to each across the driver's lives, and this
 * file keeps one to its own end of the channel, so a driver that dies
 * leaves its channel open, its interrupt masked and pending, and its
 * bytes waiting in the 8042 for the next life.
 *
 * What the driver may do is what its handles allow: wait for and ack IRQ
 * 1, read and write port 0x60 (the keyboard's data, and its commands for
 * the LEDs), read port 0x64 (the status; not write it: the controller's
 * commands include pulsing the CPU's reset line), and write key events.
 * Every event is checked here before the console sees it.
 *
 * Locks: [I] set before the reader task starts; [a] atomic counters.
 */
#include "dev/ps2_user.h"

#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include <lib/input/input.h>
#include <lib/string.h>

#include <cidl/input.h> /* generated from idl/input.cidl */

#include "core/cmdline.h"
#include "core/log.h"
#include "dev/input.h"
#include "dev/ps2.h"
#include "fs/vfs.h"
#include "ipc/channel.h"
#include "ipc/devobj.h"
#include "ipc/object.h"
#include "irq/irq.h"
#include "sched/task.h"
#include "time/time.h"

#define PS2_USER_PATH   "/sbin/ps2kbd"
#define PS2_KBD_ISA_IRQ 1
/* The 8042's ports (IBM PS/2 Technical Reference, "Keyboard/Auxiliary Device Controller"). */
#define PS2_DATA_PORT   0x60
#define PS2_STATUS_PORT 0x64
#define PS2_USER_MODS   (KEY_MOD_SHIFT | KEY_MOD_CTRL | KEY_MOD_ALT | KEY_MOD_GUI | KEY_MOD_LOCKS)

/* The handles the driver gets, in descriptor order from 3 (docs/ps2-user.md). */
#define RIGHTS_IRQ     (CAIRN_RIGHT_WAIT | CAIRN_RIGHT_WRITE)
#define RIGHTS_DATA    (CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE)
#define RIGHTS_STATUS  CAIRN_RIGHT_READ
#define RIGHTS_CHANNEL (CAIRN_RIGHT_WRITE | CAIRN_RIGHT_WAIT)

static struct {
	struct kobject *end;  /* [I] the kernel's end of the channel (a kernel handle) */
	struct drvhost *host; /* [I] */
	uint64_t messages;    /* [a] */
	uint64_t events;      /* [a] */
	uint64_t refused;     /* [a] */
	uint64_t dropped;     /* [a] */
} pu;

/* The objects of one hand-over, each with its creation ref while it is built. */
struct handover {
	struct kobject *irq, *data, *status, *kernel_end, *driver_end;
};

/* An event the console can take: a known key, known modifier bits. */
static bool event_ok(const struct input_key *k)
{
	return k->key != KEY_NONE && k->key < KEY_CODE_COUNT && !(k->mods & ~PS2_USER_MODS);
}

int ps2_user_deliver(const void *msg, size_t len)
{
	struct input_keys_evt m;
	struct cidl_reader r;
	struct key_event ev;
	unsigned i, queued = 0;

	if (len > INPUT_MAX_BYTES)
		goto refuse;
	cidl_reader_init(&r, msg, (uint32_t)len, NULL, 0);
	if (input_keys_evt_decode(&r, &m))
		goto refuse;
	for (i = 0; i < m.events.count; i++)
		if (!event_ok(&m.events.items[i]))
			goto refuse;
	for (i = 0; i < m.events.count; i++) {
		const struct input_key *k = &m.events.items[i];

		/* The character is the kernel's to work out, as for its own driver. */
		ev = (struct key_event){ .key = k->key, .pressed = k->pressed, .mods = k->mods };
		ev.ascii = ev.pressed ? key_to_ascii(ev.key, ev.mods) : 0;
		if (input_key_push(&ev))
			queued++;
		else
			__atomic_add_fetch(&pu.dropped, 1, __ATOMIC_RELAXED);
	}
	__atomic_add_fetch(&pu.events, queued, __ATOMIC_RELAXED);
	if (queued)
		input_notify();
	return (int)queued;
refuse:
	__atomic_add_fetch(&pu.refused, 1, __ATOMIC_RELAXED);
	return -EBADMSG;
}

/* The reader task: one message at a time, for as long as the system runs. */
static int reader(void *arg)
{
	static uint8_t buf[INPUT_MAX_BYTES]; /* [I] this task's only */
	uint32_t txid;
	size_t len;
	int err;

	(void)arg;
	for (;;) {
		err = channel_read_kernel(pu.end, buf, sizeof(buf), &len, &txid, TIME_NEVER);
		if (err == -EINTR || err == -EPIPE)
			break;
		__atomic_add_fetch(&pu.messages, 1, __ATOMIC_RELAXED);
		if (err) {
			__atomic_add_fetch(&pu.refused, 1, __ATOMIC_RELAXED);
			continue;
		}
		if (ps2_user_deliver(buf, len) < 0)
			pr_warn("ps2kbd: refused a message of %zu bytes from the driver", len);
	}
	pr_warn("ps2kbd: the driver's channel ended (%d); no more keys", err);
	return err;
}

static void handover_put(struct handover *h)
{
	struct kobject *objs[] = { h->irq, h->data, h->status, h->kernel_end, h->driver_end };
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(objs); i++)
		if (objs[i])
			kobject_put(objs[i]);
}

/* The ports and the channel; on failure none is left. */
static int handover_make(struct handover *h)
{
	int err = ioport_object_create(PS2_DATA_PORT, 1, &h->data);

	if (!err)
		err = ioport_object_create(PS2_STATUS_PORT, 1, &h->status);
	if (!err)
		err = channel_create(&h->kernel_end, &h->driver_end);
	if (err)
		handover_put(h);
	return err;
}

/*
 * Take IRQ 1 from dev/ps2.c for an interrupt object (which wants the line
 * to itself). A keyboard byte that arrives in between stays in the 8042,
 * its edge lost on the handler-less, masked line: the driver drains the
 * buffer when it starts, whatever the object says.
 */
static int handover_irq(struct handover *h)
{
	int err = ps2_keyboard_release();

	if (err)
		return err;
	err = irq_object_create(irq_isa_to_gsi(PS2_KBD_ISA_IRQ), &h->irq);
	if (err && ps2_keyboard_reclaim())
		pr_err("ps2kbd: IRQ 1 is lost to the keyboard");
	return err;
}

static void spec_fill(struct drvhost_spec *s, const struct handover *h)
{
	*s = (struct drvhost_spec){ .name = "ps2kbd", .path = PS2_USER_PATH, .nhandles = 4 };
	s->handles[0] = (struct drvhost_handle){ h->irq, RIGHTS_IRQ };
	s->handles[1] = (struct drvhost_handle){ h->data, RIGHTS_DATA };
	s->handles[2] = (struct drvhost_handle){ h->status, RIGHTS_STATUS };
	s->handles[3] = (struct drvhost_handle){ h->driver_end, RIGHTS_CHANNEL };
}

/* Whether the command line and the system ask for the user-space driver. */
static int wanted(void)
{
	const char *v = cmdline_get("kbd");
	char word[16] = "";
	struct path p;
	struct ps2_info info;

	if (v)
		cmdline_word(v, word, sizeof(word));
	if (!strcmp(word, "kernel"))
		return -EPERM;
	ps2_get_info(&info);
	if (!ps2_ready() || !info.keyboard)
		return -ENODEV;
	if (vfs_walk(AT_FDCWD, PS2_USER_PATH, LOOKUP_FOLLOW, &p))
		return -ENOENT;
	path_put(&p);
	return 0;
}

/* Start the driver, then the reader, once the keyboard is released. */
static int handover_run(struct handover *h)
{
	struct drvhost_spec spec;
	struct task_handle t;
	int err;

	kobject_handle_get(h->kernel_end); /* before the driver can write to it */
	spec_fill(&spec, h);
	err = drvhost_start(&spec, &pu.host);
	if (err) {
		kobject_handle_put(h->kernel_end);
		return err;
	}
	pu.end = h->kernel_end;
	err = task_spawn(&t, "ps2kbd-reader", reader, NULL);
	if (err)
		pr_err("ps2kbd: no reader task (%d): keys stop at the channel", err);
	else
		(void)task_drop(t);
	return 0;
}

int ps2_user_start(void)
{
	struct handover h = { 0 };
	int err = wanted();

	if (err)
		return err;
	err = handover_make(&h);
	if (!err) {
		err = handover_irq(&h);
		if (err)
			handover_put(&h);
	}
	if (err) {
		pr_warn("ps2kbd: cannot make the driver's objects (%d); the kernel keeps the keyboard",
		        err);
		return err;
	}
	err = handover_run(&h);
	handover_put(&h); /* the host and pu.end hold what stays */
	if (err) {
		/* The interrupt object went with the last put: the line is free again. */
		pr_warn("ps2kbd: the driver did not start (%d); the kernel keeps the keyboard",
		        err);
		if (ps2_keyboard_reclaim())
			pr_err("ps2kbd: the keyboard has no driver");
		return err;
	}
	pr_info("ps2kbd: keyboard driven by %s (kbd=kernel keeps it in the kernel)", PS2_USER_PATH);
	return 0;
}

void ps2_user_get_stats(struct ps2_user_stats *out)
{
	out->messages = __atomic_load_n(&pu.messages, __ATOMIC_RELAXED);
	out->events = __atomic_load_n(&pu.events, __ATOMIC_RELAXED);
	out->refused = __atomic_load_n(&pu.refused, __ATOMIC_RELAXED);
	out->dropped = __atomic_load_n(&pu.dropped, __ATOMIC_RELAXED);
}
