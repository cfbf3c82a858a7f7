// SPDX-License-Identifier: MIT
/*
 * The ip= parser of lib/net/ipconf.h: fields split at ':', each checked
 * before anything is stored, so a bad option leaves the default.
 */
#include "lib/net/ipconf.h"

#include <cairn/errno.h>

#include <lib/string.h>

#include <stdbool.h>
#include <stddef.h>

#define FIELDS 10u /* client server gw netmask hostname device autoconf dns0 dns1 ntp0 */

enum { F_CLIENT, F_SERVER, F_GW, F_MASK, F_HOST, F_DEV, F_AUTO, F_DNS0, F_DNS1 };

struct field {
	const char *p;
	unsigned len;
};

int ipconf_parse_addr(const char *s, unsigned len, uint32_t *out)
{
	uint32_t addr = 0;
	unsigned part = 0, digits = 0, val = 0;

	for (unsigned i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c >= '0' && c <= '9') {
			val = val * 10 + (unsigned)(c - '0');
			if (++digits > 3 || val > 255)
				return -EINVAL;
			continue;
		}
		if (c != '.' || !digits || part == 4)
			return -EINVAL;
		addr = addr << 8 | val;
		part++;
		digits = 0;
		val = 0;
	}
	if (part != 4)
		return -EINVAL;
	*out = addr;
	return 0;
}

uint32_t ipconf_class_mask(uint32_t addr)
{
	if ((addr >> 31) == 0)
		return 0xff000000u;
	if ((addr >> 30) == 2)
		return 0xffff0000u;
	return 0xffffff00u;
}

static bool word_is(const struct field *f, const char *w)
{
	return f->len && f->len == strlen(w) && memcmp(f->p, w, f->len) == 0;
}

/* An optional address field; empty leaves *out 0. */
static int take_addr(const struct field *f, uint32_t *out)
{
	*out = 0;
	return f->len ? ipconf_parse_addr(f->p, f->len, out) : 0;
}

/* A name of letters, digits, '-', '_' and '.' (a host or interface name). */
static int take_name(const struct field *f, char *out, unsigned size)
{
	if (f->len >= size)
		return -EINVAL;
	for (unsigned i = 0; i < f->len; i++) {
		char c = f->p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return -EINVAL;
	}
	if (f->len)
		memcpy(out, f->p, f->len);
	out[f->len] = '\0';
	return 0;
}

/* The autoconf word: dhcp and its synonyms, off and none, or empty. */
static int take_mode(const struct field *f, bool have_addr, enum ipconf_mode *mode)
{
	if (!f->len) {
		*mode = have_addr ? IPCONF_STATIC : IPCONF_DHCP;
		return 0;
	}
	if (word_is(f, "dhcp") || word_is(f, "on") || word_is(f, "any") || word_is(f, "both")) {
		*mode = IPCONF_DHCP;
		return 0;
	}
	if (word_is(f, "off") || word_is(f, "none")) {
		*mode = have_addr ? IPCONF_STATIC : IPCONF_OFF;
		return 0;
	}
	if (word_is(f, "bootp") || word_is(f, "rarp"))
		return -EOPNOTSUPP;
	return -EINVAL;
}

static unsigned split(const char *s, struct field *f)
{
	unsigned n = 0;
	const char *start = s;

	memset(f, 0, FIELDS * sizeof(*f));
	for (;; s++) {
		if (*s != ':' && *s != '\0')
			continue;
		if (n == FIELDS)
			return FIELDS + 1;
		f[n].p = start;
		f[n++].len = (unsigned)(s - start);
		if (*s == '\0')
			return n;
		start = s + 1;
	}
}

static int parse_fields(const struct field *f, struct ipconf *c)
{
	uint32_t inv;
	int err;

	if ((err = take_addr(&f[F_CLIENT], &c->addr)) ||
	    (err = take_addr(&f[F_SERVER], &c->server)) || (err = take_addr(&f[F_GW], &c->gw)) ||
	    (err = take_addr(&f[F_MASK], &c->netmask)) ||
	    (err = take_addr(&f[F_DNS0], &c->dns[0])) || (err = take_addr(&f[F_DNS1], &c->dns[1])))
		return err;
	if ((err = take_name(&f[F_HOST], c->hostname, IPCONF_NAME_MAX)) ||
	    (err = take_name(&f[F_DEV], c->dev, IPCONF_DEV_MAX)))
		return err;
	inv = ~c->netmask;
	if (c->netmask && (inv & (inv + 1)) != 0)
		return -EINVAL;
	err = take_mode(&f[F_AUTO], c->addr != 0, &c->mode);
	if (err)
		return err;
	if (c->mode == IPCONF_STATIC && !c->netmask)
		c->netmask = ipconf_class_mask(c->addr);
	return 0;
}

int ipconf_parse(const char *s, struct ipconf *out)
{
	struct field f[FIELDS];
	struct ipconf c;
	unsigned n;
	int err;

	memset(&c, 0, sizeof(c));
	if (s && *s) {
		n = split(s, f);
		if (n > FIELDS)
			return -EINVAL;
		/* The short forms: the autoconf word alone (ip=dhcp, ip=off). */
		if (n == 1 && take_mode(&f[0], false, &c.mode) != -EINVAL)
			err = take_mode(&f[0], false, &c.mode);
		else
			err = parse_fields(f, &c);
		if (err)
			return err;
	}
	*out = c;
	return 0;
}
