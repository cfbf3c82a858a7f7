/* SPDX-License-Identifier: MIT */
/*
 * The trace formatter of strace.h: a bounded string builder and one
 * printer per argument kind of sysent.h.
 */
#include "lib/strace/strace.h"

#include <stdarg.h>
#include <stdbool.h>

#include "lib/format.h"
#include "lib/string.h"

/* A bounded output buffer that counts what it could not hold, as snprintf does. */
struct sbuf {
	char *p;
	size_t size, len;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, b->len++) {
		if (b->len + 1 < b->size)
			b->p[b->len] = s[i];
	}
	if (b->size)
		b->p[b->len < b->size ? b->len : b->size - 1] = 0;
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_fmt(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_fmt(struct sbuf *b, const char *fmt, ...)
{
	char tmp[48];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	sb_put(b, tmp, n < (int)sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* "A|B|0x40" for the bits of @v named in @t, the rest in hexadecimal; "0" for none. */
static void sb_flags(struct sbuf *b, uint64_t v, const struct strace_flag *t, bool lead)
{
	bool any = lead;

	for (; t->name; t++) {
		if ((v & t->bit) == t->bit && t->bit) {
			sb_str(b, any ? "|" : "");
			sb_str(b, t->name);
			v &= ~(uint64_t)t->bit;
			any = true;
		}
	}
	if (v || !any)
		sb_fmt(b, any ? "|%#llx" : "%#llx", (unsigned long long)v);
}

const char *strace_signal_name(int sig, char buf[16])
{
	const char *n = strace_signal_name_std(sig);

	if (n)
		return n;
	if (sig < 32 || sig > 64)
		return NULL;
	fmt_snprintf(buf, 16, "SIGRT_%d", sig - 32);
	return buf;
}

static void sb_signal(struct sbuf *b, int sig)
{
	char tmp[16];
	const char *n = strace_signal_name(sig, tmp);

	if (n)
		sb_str(b, n);
	else
		sb_fmt(b, "%d", sig);
}

/* A string argument: quoted, escaped, cut at STRACE_STR_MAX with "..."; unreadable: the pointer. */
static void sb_ustr(struct sbuf *b, uint64_t a, strace_read_str_fn rd, void *ctx)
{
	char s[STRACE_STR_MAX + 2];
	long n;

	if (!a) {
		sb_str(b, "NULL");
		return;
	}
	n = rd ? rd(ctx, a, s, sizeof(s)) : -1;
	if (n < 0) {
		sb_fmt(b, "%#llx", (unsigned long long)a);
		return;
	}
	sb_str(b, "\"");
	for (long i = 0; i < n && i < STRACE_STR_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			sb_fmt(b, "\\%c", c);
		else if (c == '\n')
			sb_str(b, "\\n");
		else if (c == '\t')
			sb_str(b, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			sb_fmt(b, "\\x%02x", c);
		else
			sb_put(b, (const char *)&c, 1);
	}
	sb_str(b, n > STRACE_STR_MAX ? "\"..." : "\"");
}

static void sb_futex_op(struct sbuf *b, int op)
{
	int cmd = op & ~(128 | 256);

	if (cmd >= 0 && cmd < 14)
		sb_str(b, strace_futex_ops[cmd]);
	else
		sb_fmt(b, "%d", cmd);
	if (op & 128)
		sb_str(b, "_PRIVATE");
	if (op & 256)
		sb_str(b, "|FUTEX_CLOCK_REALTIME");
}

static void sb_clone(struct sbuf *b, uint64_t v)
{
	sb_flags(b, v & ~0xffull, strace_clone_flags, false);
	if (v & 0xff) {
		sb_str(b, "|");
		sb_signal(b, (int)(v & 0xff));
	}
}

static void sb_arg_flags(struct sbuf *b, int kind, uint64_t v)
{
	static const char *const acc[4] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	static const char *const map_type[4] = { "0", "MAP_SHARED", "MAP_PRIVATE",
		                                 "MAP_SHARED_VALIDATE" };

	switch (kind) {
	case SYSARG_PROT:
		if (!(uint32_t)v)
			sb_str(b, "PROT_NONE");
		else
			sb_flags(b, (uint32_t)v, strace_prot_flags, false);
		return;
	case SYSARG_MAPF:
		sb_str(b, (v & 0xf) < 4 ? map_type[v & 0xf] : "");
		if ((v & 0xf) >= 4)
			sb_fmt(b, "%#llx", (unsigned long long)(v & 0xf));
		if (v & ~0xfull)
			sb_flags(b, (uint32_t)v & ~0xfu, strace_map_flags, true);
		return;
	case SYSARG_OFL:
		sb_str(b, acc[v & 3]);
		if ((uint32_t)v & ~3u)
			sb_flags(b, (uint32_t)v & ~3u, strace_open_flags, true);
		return;
	default: /* SYSARG_CLONE */
		sb_clone(b, v);
		return;
	}
}

static void sb_arg(struct sbuf *b, int kind, uint64_t v, strace_read_str_fn rd, void *ctx)
{
	switch (kind) {
	case SYSARG_I:
		sb_fmt(b, "%d", (int)v);
		return;
	case SYSARG_U:
		sb_fmt(b, "%llu", (unsigned long long)v);
		return;
	case SYSARG_P:
		if (!v)
			sb_str(b, "NULL");
		else
			sb_fmt(b, "%#llx", (unsigned long long)v);
		return;
	case SYSARG_S:
		sb_ustr(b, v, rd, ctx);
		return;
	case SYSARG_FD:
		if ((int)v == -100)
			sb_str(b, "AT_FDCWD");
		else
			sb_fmt(b, "%d", (int)v);
		return;
	case SYSARG_MODE:
		sb_fmt(b, "0%llo", (unsigned long long)(v & 07777777));
		return;
	case SYSARG_PROT:
	case SYSARG_MAPF:
	case SYSARG_OFL:
	case SYSARG_CLONE:
		sb_arg_flags(b, kind, v);
		return;
	case SYSARG_SIG:
		sb_signal(b, (int)v);
		return;
	case SYSARG_FUTEX:
		sb_futex_op(b, (int)v);
		return;
	case SYSARG_CLK:
		if (v < 12 && strace_clock_names[v])
			sb_str(b, strace_clock_names[v]);
		else
			sb_fmt(b, "%d", (int)v);
		return;
	default: /* SYSARG_X */
		sb_fmt(b, "%#llx", (unsigned long long)v);
		return;
	}
}

size_t strace_format_call(char *out, size_t size, long nr, const uint64_t args[6],
                          strace_read_str_fn read_str, void *ctx)
{
	struct sbuf b = { .p = out, .size = size, .len = 0 };
	const struct sysent *e = sysent_lookup(nr);

	if (size)
		out[0] = 0;
	if (!e) {
		sb_fmt(&b, "syscall_%ld(", nr);
		for (int i = 0; i < 6; i++)
			sb_fmt(&b, i ? ", %#llx" : "%#llx", (unsigned long long)args[i]);
		sb_str(&b, ")");
		return b.len;
	}
	sb_str(&b, e->name);
	sb_str(&b, "(");
	for (int i = 0; i < e->nargs; i++) {
		if (i)
			sb_str(&b, ", ");
		sb_arg(&b, e->kind[i], args[i], read_str, ctx);
	}
	sb_str(&b, ")");
	return b.len;
}

/* Calls whose result is an address. */
static bool result_is_address(const struct sysent *e)
{
	static const char *const names[] = { "mmap", "mremap", "brk", "shmat" };

	for (size_t i = 0; e && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(e->name, names[i]) == 0)
			return true;
	}
	return false;
}

size_t strace_format_result(char *out, size_t size, long nr, long ret)
{
	struct sbuf b = { .p = out, .size = size, .len = 0 };
	const char *err = ret < 0 ? strace_errno_name(-ret) : NULL;

	if (size)
		out[0] = 0;
	if (err)
		sb_fmt(&b, " = %s %s", ret <= -512 ? "?" : "-1", err);
	else if (result_is_address(sysent_lookup(nr)))
		sb_fmt(&b, " = %#llx", (unsigned long long)ret);
	else
		sb_fmt(&b, " = %ld", ret);
	return b.len;
}
