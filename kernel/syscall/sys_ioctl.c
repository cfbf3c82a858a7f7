/* SPDX-License-Identifier: MIT */
/*
 * ioctl(2) on the console descriptors: the terminal's termios (TCGETS shows
 * the line discipline's live mode, TCSETS* switch it), its window size,
 * FIONBIO, and the console as a controlling terminal (TIOCSCTTY,
 * TIOCNOTTY, TIOCGPGRP, TIOCSPGRP, TIOCGSID). Anything else is ENOTTY.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/termios.h>

#include <lib/tty/ldisc.h>

#include "proc/proc.h"
#include "sched/spinlock.h"
#include "syscall/console.h"
#include "syscall/internal.h"
#include "tty/tty.h"

/*
 * The console's termios. Linux keeps the whole structure a program set;
 * here too, except that the bits the line discipline acts on (ICANON,
 * ECHO, ISIG, ICRNL, ONLCR) always show the terminal's live mode, which
 * the kernel shell also changes. Locks: [T] console_termios_lock.
 */
static struct spinlock console_termios_lock = SPINLOCK_INIT("console.termios");
static struct termios console_termios __guarded_by(&console_termios_lock) = {
	.c_iflag = ICRNL | IXON,
	.c_oflag = OPOST | ONLCR,
	.c_cflag = B38400 | CS8 | CREAD | HUPCL,
	.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | IEXTEN | ECHOCTL | ECHOKE,
	.c_cc = { [VINTR] = 0x03,
	          [VQUIT] = 0x1c,
	          [VERASE] = 0x7f,
	          [VKILL] = 0x15,
	          [VEOF] = 0x04,
	          [VMIN] = 1,
	          [VSTART] = 0x11,
	          [VSTOP] = 0x13,
	          [VSUSP] = 0x1a,
	          [VREPRINT] = 0x12,
	          [VDISCARD] = 0x0f,
	          [VWERASE] = 0x17,
	          [VLNEXT] = 0x16 },
};
/* [a] The foreground process group TIOCSPGRP set (0: none yet). */
static int console_fg_pgrp;

int console_foreground_pgrp(void)
{
	return __atomic_load_n(&console_fg_pgrp, __ATOMIC_RELAXED);
}

void console_set_foreground_pgrp(int pgid)
{
	__atomic_store_n(&console_fg_pgrp, pgid, __ATOMIC_RELAXED);
}

static void set_bit_if(uint32_t *word, uint32_t bit, bool on)
{
	*word = on ? (*word | bit) : (*word & ~bit);
}

static int tty_tcgets(struct tty *t, uint64_t arg)
{
	struct termios tio;
	uint32_t ld;
	bool canon;
	uint64_t flags;

	tty_get_mode(t, &canon, &ld);
	flags = spin_lock_irqsave(&console_termios_lock);
	tio = console_termios;
	spin_unlock_irqrestore(&console_termios_lock, flags);
	set_bit_if(&tio.c_lflag, ICANON, canon);
	set_bit_if(&tio.c_lflag, ECHO, ld & LDISC_ECHO);
	set_bit_if(&tio.c_lflag, ISIG, ld & LDISC_ISIG);
	set_bit_if(&tio.c_iflag, ICRNL, ld & LDISC_ICRNL);
	set_bit_if(&tio.c_oflag, ONLCR, ld & LDISC_ONLCR);
	return copy_to_user((void *)arg, &tio, sizeof(tio));
}

/* TCSETS, TCSETSW, TCSETSF: output is never queued, so "after draining" is now. */
static int tty_tcsets(struct tty *t, uint64_t arg)
{
	struct termios tio;
	uint32_t ld = 0;
	uint64_t flags;

	if (copy_from_user(&tio, (const void *)arg, sizeof(tio)))
		return -EFAULT;
	if (tio.c_lflag & ECHO)
		ld |= LDISC_ECHO;
	if (tio.c_lflag & ISIG)
		ld |= LDISC_ISIG;
	if (tio.c_iflag & ICRNL)
		ld |= LDISC_ICRNL;
	if ((tio.c_oflag & OPOST) && (tio.c_oflag & ONLCR))
		ld |= LDISC_ONLCR;
	flags = spin_lock_irqsave(&console_termios_lock);
	console_termios = tio;
	spin_unlock_irqrestore(&console_termios_lock, flags);
	tty_set_mode(t, tio.c_lflag & ICANON, ld);
	return 0;
}

static int tty_winsize(struct tty *t, uint64_t arg)
{
	struct winsize ws = { .ws_row = (uint16_t)tty_rows(t), .ws_col = (uint16_t)tty_cols(t) };

	return copy_to_user((void *)arg, &ws, sizeof(ws));
}

/* Put int @v at user @arg. */
static int put_user_int(uint64_t arg, int v)
{
	return copy_to_user((void *)arg, &v, sizeof(v));
}

/*
 * The console as a controlling terminal, Linux's model cut down to one
 * terminal: a session leader claims it with TIOCSCTTY (from a session that
 * still exists, unless root steals it with argument 1) and gives it up
 * with TIOCNOTTY. The process-group ioctls answer ENOTTY outside that
 * session, as Linux does for a process whose terminal this is not (init on
 * the console, for one). [a] 0: nobody's.
 */
static int console_sid;

static long caller_sid(void)
{
	return sys_getsid(0, 0, 0, 0, 0, 0);
}

/* Whether session @sid still has its leader (the console's claim is stale otherwise). */
static bool session_alive(int sid)
{
	struct process *p = process_find(sid);

	if (p)
		process_put(p);
	return p != NULL;
}

static long tty_set_ctty(uint64_t arg)
{
	long sid = caller_sid(), pid = sys_getpid(0, 0, 0, 0, 0, 0);
	int cur = __atomic_load_n(&console_sid, __ATOMIC_RELAXED);

	if (sid < 0 || sid != pid)
		return -EPERM;
	if (cur == sid)
		return 0;
	if (cur && session_alive(cur) && !(arg == 1 && sys_geteuid(0, 0, 0, 0, 0, 0) == 0))
		return -EPERM;
	__atomic_store_n(&console_sid, (int)sid, __ATOMIC_RELAXED);
	console_set_foreground_pgrp((int)sys_getpgid(0, 0, 0, 0, 0, 0));
	return 0;
}

/* The process-group ioctls and TIOCNOTTY, for the console's own session only. */
static long tty_pgrp_ioctl(unsigned cmd, uint64_t arg)
{
	long sid = caller_sid();
	int pgid;

	if (sid <= 0 || sid != __atomic_load_n(&console_sid, __ATOMIC_RELAXED))
		return -ENOTTY;
	switch (cmd) {
	case TIOCGPGRP:
		return put_user_int(arg, console_foreground_pgrp());
	case TIOCSPGRP:
		if (copy_from_user(&pgid, (const void *)arg, sizeof(pgid)))
			return -EFAULT;
		if (pgid < 0)
			return -EINVAL;
		console_set_foreground_pgrp(pgid);
		return 0;
	case TIOCNOTTY:
		if (sid == sys_getpid(0, 0, 0, 0, 0, 0)) {
			__atomic_store_n(&console_sid, 0, __ATOMIC_RELAXED);
			console_set_foreground_pgrp(0);
		}
		return 0;
	default: /* TIOCGSID */
		return put_user_int(arg, (int)sid);
	}
}

static long tty_fionbio(uint64_t arg)
{
	struct console_fds *f = console_fds_current();
	int on;

	if (copy_from_user(&on, (const void *)arg, sizeof(on)))
		return -EFAULT;
	if (on)
		__atomic_or_fetch(&f->status, O_NONBLOCK, __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&f->status, ~(uint32_t)O_NONBLOCK, __ATOMIC_RELAXED);
	return 0;
}

long sys_ioctl(uint64_t fd, uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct tty *t = console_tty();
	long err = console_fd(fd);

	if (err < 0)
		return err;
	if (!t)
		return -ENOTTY;
	/* Linux takes the request as unsigned int. */
	switch ((unsigned)cmd) {
	case TCGETS:
		return tty_tcgets(t, arg);
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return tty_tcsets(t, arg);
	case TIOCGWINSZ:
		return tty_winsize(t, arg);
	case TIOCSCTTY:
		return tty_set_ctty(arg);
	case TIOCGPGRP:
	case TIOCSPGRP:
	case TIOCGSID:
	case TIOCNOTTY:
		return tty_pgrp_ioctl((unsigned)cmd, arg);
	case FIONBIO:
		return tty_fionbio(arg);
	default:
		return -ENOTTY;
	}
}
