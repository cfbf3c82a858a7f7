/* SPDX-License-Identifier: MIT */
/*
 * The printf engine shared by the kernel and the loaders. It parses one
 * conversion at a time and hands the sink whole runs of literal text and
 * whole numbers built in a small stack buffer, so a slow sink such as a
 * serial port sees few calls. No floating point, no global state.
 */
#include <lib/format.h>

#include <stdbool.h>
#include <stdint.h>

/*
 * Widths and integer precisions are clamped to this many characters so that
 * a hostile format string such as "%999999999d" cannot make a caller spin.
 */
#define FMT_MAX_FIELD 4096

#define FMT_INT_MAX 0x7fffffff

/* Flag bits of struct fmt_spec. */
#define FMT_LEFT  0x01 /* '-': pad on the right */
#define FMT_ZERO  0x02 /* '0': pad numbers with zeros */
#define FMT_PLUS  0x04 /* '+': always print a sign */
#define FMT_SPACE 0x08 /* ' ': a space where a plus sign would go */
#define FMT_ALT   0x10 /* '#': 0 before octal, 0x before non-zero hex */

enum fmt_length {
	FMT_LEN_NONE,
	FMT_LEN_HH,
	FMT_LEN_H,
	FMT_LEN_L,
	FMT_LEN_LL,
	FMT_LEN_Z,
	FMT_LEN_J,
	FMT_LEN_T,
};

/* One parsed conversion specification. */
struct fmt_spec {
	unsigned int flags;  /* FMT_* flag bits */
	int width;           /* minimum field width in characters, 0 if none */
	int prec;            /* precision, -1 when absent */
	enum fmt_length len; /* length modifier */
	char conv;           /* conversion character */
};

/* Where the output goes and how much of it there has been. */
struct fmt_out {
	fmt_sink_fn sink;
	void *ctx;
	size_t count; /* characters produced so far */
};

/* Pieces of output a snprintf sink has seen. */
struct fmt_buf {
	char *buf;
	size_t size; /* bytes at buf, including room for the NUL */
	size_t pos;  /* characters stored so far */
};

static void fmt_emit(struct fmt_out *o, const char *s, size_t len)
{
	if (len == 0)
		return;
	o->sink(o->ctx, s, len);
	o->count += len;
}

/* Emit @n copies of @c, a chunk at a time. */
static void fmt_pad(struct fmt_out *o, char c, int n)
{
	char chunk[32];
	int i;

	if (n <= 0)
		return;
	for (i = 0; i < (int)sizeof(chunk) && i < n; i++)
		chunk[i] = c;
	while (n > 0) {
		int k = n < (int)sizeof(chunk) ? n : (int)sizeof(chunk);

		fmt_emit(o, chunk, (size_t)k);
		n -= k;
	}
}

static bool fmt_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parse a decimal number at *@fmt, saturating instead of overflowing. */
static int fmt_parse_num(const char **fmt)
{
	int n = 0;

	while (fmt_is_digit(**fmt)) {
		int d = *(*fmt)++ - '0';

		n = n > (FMT_INT_MAX - d) / 10 ? FMT_INT_MAX : n * 10 + d;
	}
	return n;
}

static void fmt_parse_flags(const char **fmt, struct fmt_spec *sp)
{
	for (;; (*fmt)++) {
		switch (**fmt) {
		case '-':
			sp->flags |= FMT_LEFT;
			break;
		case '0':
			sp->flags |= FMT_ZERO;
			break;
		case '+':
			sp->flags |= FMT_PLUS;
			break;
		case ' ':
			sp->flags |= FMT_SPACE;
			break;
		case '#':
			sp->flags |= FMT_ALT;
			break;
		default:
			return;
		}
	}
}

/* Parse the width and precision, either of which may be '*'. */
static void fmt_parse_width_prec(const char **fmt, va_list *ap, struct fmt_spec *sp)
{
	if (**fmt == '*') {
		int w = va_arg(*ap, int);

		(*fmt)++;
		if (w < 0) {
			sp->flags |= FMT_LEFT;
			w = w == -FMT_INT_MAX - 1 ? FMT_INT_MAX : -w;
		}
		sp->width = w;
	} else {
		sp->width = fmt_parse_num(fmt);
	}
	if (sp->width > FMT_MAX_FIELD)
		sp->width = FMT_MAX_FIELD;

	sp->prec = -1;
	if (**fmt != '.')
		return;
	(*fmt)++;
	if (**fmt == '*') {
		int p = va_arg(*ap, int);

		(*fmt)++;
		sp->prec = p < 0 ? -1 : p; /* a negative precision counts as none */
	} else {
		sp->prec = fmt_parse_num(fmt);
	}
}

static void fmt_parse_length(const char **fmt, struct fmt_spec *sp)
{
	const char *f = *fmt;

	sp->len = FMT_LEN_NONE;
	switch (*f) {
	case 'h':
		sp->len = f[1] == 'h' ? FMT_LEN_HH : FMT_LEN_H;
		break;
	case 'l':
		sp->len = f[1] == 'l' ? FMT_LEN_LL : FMT_LEN_L;
		break;
	case 'z':
		sp->len = FMT_LEN_Z;
		break;
	case 'j':
		sp->len = FMT_LEN_J;
		break;
	case 't':
		sp->len = FMT_LEN_T;
		break;
	default:
		return;
	}
	*fmt += (sp->len == FMT_LEN_HH || sp->len == FMT_LEN_LL) ? 2 : 1;
}

/* Fetch a signed argument of the size @len names. */
static int64_t fmt_arg_signed(va_list *ap, enum fmt_length len)
{
	switch (len) {
	case FMT_LEN_HH:
		return (signed char)va_arg(*ap, int);
	case FMT_LEN_H:
		return (short)va_arg(*ap, int);
	case FMT_LEN_L:
		return va_arg(*ap, long);
	case FMT_LEN_LL:
		return va_arg(*ap, long long);
	case FMT_LEN_Z:
	case FMT_LEN_T:
		/* The signed type matching size_t is ptrdiff_t on every Cairn target. */
		return va_arg(*ap, ptrdiff_t);
	case FMT_LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

/* Fetch an unsigned argument of the size @len names. */
static uint64_t fmt_arg_unsigned(va_list *ap, enum fmt_length len)
{
	switch (len) {
	case FMT_LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case FMT_LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case FMT_LEN_L:
		return va_arg(*ap, unsigned long);
	case FMT_LEN_LL:
		return va_arg(*ap, unsigned long long);
	case FMT_LEN_Z:
		return va_arg(*ap, size_t);
	case FMT_LEN_T:
		return (uint64_t)va_arg(*ap, ptrdiff_t);
	case FMT_LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Write the digits of @v in @base ending just before @end; returns the first digit. */
static char *fmt_digits(char *end, uint64_t v, unsigned int base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	do {
		*--end = digits[v % base];
		v /= base;
	} while (v);
	return end;
}

/* The number base of integer conversion @conv. */
static unsigned int fmt_base(char conv)
{
	switch (conv) {
	case 'o':
		return 8;
	case 'x':
	case 'X':
	case 'p':
		return 16;
	default:
		return 10;
	}
}

/* Work out the sign or base prefix of a number into @pre; returns its length. */
static size_t fmt_prefix(char *pre, const struct fmt_spec *sp, bool neg, bool zero)
{
	switch (sp->conv) {
	case 'd':
	case 'i':
		if (neg)
			pre[0] = '-';
		else if (sp->flags & FMT_PLUS)
			pre[0] = '+';
		else if (sp->flags & FMT_SPACE)
			pre[0] = ' ';
		else
			return 0;
		return 1;
	case 'p':
		pre[0] = '0';
		pre[1] = 'x';
		return 2;
	case 'x':
	case 'X':
		if (!(sp->flags & FMT_ALT) || zero)
			return 0;
		pre[0] = '0';
		pre[1] = sp->conv;
		return 2;
	default:
		return 0;
	}
}

/*
 * Emit the integer with magnitude @mag (negative when @neg) as @sp asks:
 * padding, then prefix, then leading zeros, then digits. The pieces are
 * assembled in one stack buffer when they fit, so most numbers take a
 * single sink call plus one for padding.
 */
static void fmt_integer(struct fmt_out *o, const struct fmt_spec *sp, uint64_t mag, bool neg)
{
	char buf[80];
	char *end = buf + sizeof(buf), *p = end;
	unsigned int base = fmt_base(sp->conv);
	int prec = sp->prec > FMT_MAX_FIELD ? FMT_MAX_FIELD : sp->prec;
	int ndig, zeros, total;
	char pre[2];
	size_t npre;

	if (sp->conv == 'p')
		prec = 16;
	if (!(mag == 0 && prec == 0))
		p = fmt_digits(end, mag, base, sp->conv == 'X');
	ndig = (int)(end - p);
	npre = fmt_prefix(pre, sp, neg, mag == 0);
	/* '#' with %o makes the first digit a 0, adding one only if needed. */
	if (sp->conv == 'o' && (sp->flags & FMT_ALT) && (ndig == 0 || *p != '0') && prec <= ndig)
		prec = ndig + 1;

	zeros = prec > ndig ? prec - ndig : 0;
	total = (int)npre + zeros + ndig;
	if ((sp->flags & (FMT_ZERO | FMT_LEFT)) == FMT_ZERO && sp->prec < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}

	if (!(sp->flags & FMT_LEFT))
		fmt_pad(o, ' ', sp->width - total);
	if (zeros + (int)npre <= p - buf) {
		while (zeros-- > 0)
			*--p = '0';
		while (npre > 0)
			*--p = pre[--npre];
		fmt_emit(o, p, (size_t)(end - p));
	} else {
		fmt_emit(o, pre, npre);
		fmt_pad(o, '0', zeros);
		fmt_emit(o, p, (size_t)ndig);
	}
	if (sp->flags & FMT_LEFT)
		fmt_pad(o, ' ', sp->width - total);
}

/* Emit @len characters at @s, padded with spaces to the field width. */
static void fmt_field(struct fmt_out *o, const struct fmt_spec *sp, const char *s, size_t len)
{
	int pad = sp->width > 0 && (size_t)sp->width > len ? sp->width - (int)len : 0;

	if (!(sp->flags & FMT_LEFT))
		fmt_pad(o, ' ', pad);
	fmt_emit(o, s, len);
	if (sp->flags & FMT_LEFT)
		fmt_pad(o, ' ', pad);
}

/* Emit a %s argument, reading no further than the precision allows. */
static void fmt_string(struct fmt_out *o, const struct fmt_spec *sp, const char *s)
{
	size_t max = sp->prec < 0 ? SIZE_MAX : (size_t)sp->prec;
	size_t len = 0;

	if (!s)
		s = "(null)";
	while (len < max && s[len])
		len++;
	fmt_field(o, sp, s, len);
}

/*
 * Carry out the conversion @sp describes. Returns false for an unknown
 * conversion character, which the caller then copies through literally.
 */
static bool fmt_convert(struct fmt_out *o, struct fmt_spec *sp, va_list *ap)
{
	char c;

	switch (sp->conv) {
	case 'd':
	case 'i': {
		int64_t v = fmt_arg_signed(ap, sp->len);
		uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

		fmt_integer(o, sp, mag, v < 0);
		return true;
	}
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		fmt_integer(o, sp, fmt_arg_unsigned(ap, sp->len), false);
		return true;
	case 'p':
		fmt_integer(o, sp, (uintptr_t)va_arg(*ap, void *), false);
		return true;
	case 's':
		fmt_string(o, sp, va_arg(*ap, const char *));
		return true;
	case 'c':
		c = (char)va_arg(*ap, int);
		fmt_field(o, sp, &c, 1);
		return true;
	case '%':
		fmt_emit(o, "%", 1);
		return true;
	default:
		return false;
	}
}

/*
 * Format @fmt with the arguments in @ap, handing the text to @sink in
 * pieces. Returns the number of characters produced (at most INT_MAX).
 * Never sleeps by itself; safe in IRQ context if @sink is.
 */
int fmt_vformat(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_out o = { .sink = sink, .ctx = ctx, .count = 0 };
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		const char *start = fmt;
		struct fmt_spec sp = { 0 };

		while (*fmt && *fmt != '%')
			fmt++;
		fmt_emit(&o, start, (size_t)(fmt - start));
		if (!*fmt)
			break;

		start = fmt++;
		fmt_parse_flags(&fmt, &sp);
		fmt_parse_width_prec(&fmt, &args, &sp);
		fmt_parse_length(&fmt, &sp);
		sp.conv = *fmt;
		if (sp.conv == '\0') {
			/* A conversion cut off by the end of the string. */
			fmt_emit(&o, start, (size_t)(fmt - start));
			break;
		}
		fmt++;
		if (!fmt_convert(&o, &sp, &args))
			fmt_emit(&o, start, (size_t)(fmt - start));
	}
	va_end(args);
	return o.count > FMT_INT_MAX ? FMT_INT_MAX : (int)o.count;
}

/* As fmt_vformat(), with the arguments inline. */
int fmt_format(fmt_sink_fn sink, void *ctx, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vformat(sink, ctx, fmt, ap);
	va_end(ap);
	return n;
}

/* fmt_sink_fn for fmt_vsnprintf: keep what fits, leaving room for the NUL. */
static void fmt_buf_sink(void *ctx, const char *s, size_t len)
{
	struct fmt_buf *b = ctx;
	size_t room, i;

	if (b->size == 0)
		return;
	room = b->size - 1 - b->pos;
	for (i = 0; i < len && i < room; i++)
		b->buf[b->pos + i] = s[i];
	b->pos += i;
}

/*
 * Format into @buf of @size bytes, NUL-terminated whenever @size > 0.
 * Returns the length the whole output would have had, as C99 vsnprintf.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_buf b = { .buf = buf, .size = size, .pos = 0 };
	int n;

	n = fmt_vformat(fmt_buf_sink, &b, fmt, ap);
	if (size > 0)
		buf[b.pos] = '\0';
	return n;
}

/* As fmt_vsnprintf(), with the arguments inline. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
