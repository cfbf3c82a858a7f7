// SPDX-License-Identifier: MIT
/*
 * The TCP header and its options (see wire.h): parsing with the rule that
 * a malformed option ends the option list but never rejects the segment,
 * and building headers with options laid out on 4-byte boundaries the way
 * RFC 7323 Appendix A suggests (NOPs in front of odd-sized options).
 */
#include <cairn/errno.h>

#include "lib/net/wire.h"

/* Option kinds and lengths (RFC 9293 3.2, RFC 7323 2.2 and 3.2, RFC 2018 2 and 3). */
#define OPT_EOL         0u
#define OPT_NOP         1u
#define OPT_MSS         2u
#define OPT_WSCALE      3u
#define OPT_SACK_OK     4u
#define OPT_SACK        5u
#define OPT_TS          8u
#define OPT_MSS_LEN     4u
#define OPT_WSCALE_LEN  3u
#define OPT_SACK_OK_LEN 2u
#define OPT_TS_LEN      10u
#define TCP_OPT_SPACE   (TCP_HLEN_MAX - TCP_HLEN_MIN)
#define WSCALE_MAX      14u /* RFC 7323 2.3 */

/*
 * Take in one option of @kind whose @n bytes (kind and length included)
 * are at @o. A known kind with the wrong length is ignored as if unknown:
 * its length byte was valid, so the options after it can still be read.
 */
static void tcp_opt_one(struct tcp_opts *t, uint8_t kind, const uint8_t *o, unsigned n)
{
	if (kind == OPT_MSS && n == OPT_MSS_LEN) {
		t->has |= TCP_OPT_MSS;
		t->mss = net_get16(o + 2);
	} else if (kind == OPT_WSCALE && n == OPT_WSCALE_LEN) {
		t->has |= TCP_OPT_WSCALE;
		t->wscale = o[2] > WSCALE_MAX ? WSCALE_MAX : o[2];
	} else if (kind == OPT_SACK_OK && n == OPT_SACK_OK_LEN) {
		t->has |= TCP_OPT_SACK_OK;
	} else if (kind == OPT_TS && n == OPT_TS_LEN) {
		t->has |= TCP_OPT_TS;
		t->ts_val = net_get32(o + 2);
		t->ts_ecr = net_get32(o + 6);
	} else if (kind == OPT_SACK && n >= 10 && (n - 2) % 8 == 0) {
		unsigned blocks = (n - 2) / 8;

		/* At most 4 blocks fit in 40 bytes of options (RFC 2018, 3). */
		if (blocks > TCP_MAX_SACK)
			blocks = TCP_MAX_SACK;
		t->has |= TCP_OPT_SACK;
		t->nsack = blocks;
		for (unsigned i = 0; i < blocks; i++) {
			t->sack[i].left = net_get32(o + 2 + 8 * i);
			t->sack[i].right = net_get32(o + 6 + 8 * i);
		}
	}
}

/* Walk the @n option bytes at @o into @t; stop at EOL or at the first malformed length. */
static void tcp_opts_parse(const uint8_t *o, size_t n, struct tcp_opts *t)
{
	size_t i = 0;

	/* Fields of absent options read as 0, never as stale bytes. */
	*t = (struct tcp_opts){ 0 };
	while (i < n) {
		uint8_t kind = o[i];
		unsigned olen;

		if (kind == OPT_EOL)
			return;
		if (kind == OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n)
			return;
		olen = o[i + 1];
		if (olen < 2 || olen > n - i)
			return;
		tcp_opt_one(t, kind, o + i, olen);
		i += olen;
	}
}

int tcp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, bool csum_ok,
              struct tcp_seg *v)
{
	unsigned hlen;

	if (len < TCP_HLEN_MIN || len > 0xffffu)
		return -EINVAL;
	hlen = (p[12] >> 4) * 4u;
	if (hlen < TCP_HLEN_MIN || hlen > len)
		return -EINVAL;
	if (!csum_ok) {
		uint32_t sum = inet_pseudo_sum(src, dst, IPPROTO_TCP, (uint16_t)len);

		if (inet_csum_fold(inet_csum_add(sum, p, len)) != 0)
			return -EBADMSG;
	}
	v->sport = net_get16(p);
	v->dport = net_get16(p + 2);
	v->seq = net_get32(p + 4);
	v->ack = net_get32(p + 8);
	v->flags = p[13];
	v->wnd = net_get16(p + 14);
	v->urg = net_get16(p + 18);
	tcp_opts_parse(p + TCP_HLEN_MIN, hlen - TCP_HLEN_MIN, &v->opt);
	v->payload = p + hlen;
	v->len = len - hlen;
	return 0;
}

/* SACK blocks that fit beside the other options of @opt (all within 40 bytes). */
static unsigned tcp_sack_fit(const struct tcp_opts *opt, size_t other)
{
	unsigned n;

	if (!(opt->has & TCP_OPT_SACK) || opt->nsack == 0)
		return 0;
	n = opt->nsack > TCP_MAX_SACK ? TCP_MAX_SACK : opt->nsack;
	/* Each block costs 8 bytes after 4 bytes of NOP, NOP, kind, length. */
	while (n > 0 && other + 4 + 8 * n > TCP_OPT_SPACE)
		n--;
	return n;
}

/* Bytes of options without SACK blocks, each piece padded to 4. */
static size_t tcp_opts_len_nosack(const struct tcp_opts *opt)
{
	size_t n = 0;

	if (opt->has & TCP_OPT_MSS)
		n += 4;
	if (opt->has & TCP_OPT_TS)
		n += 12; /* NOP NOP TS, or SACK_OK TS */
	else if (opt->has & TCP_OPT_SACK_OK)
		n += 4; /* NOP NOP SACK_OK */
	if (opt->has & TCP_OPT_WSCALE)
		n += 4; /* NOP WSCALE */
	return n;
}

size_t tcp_hdr_len(const struct tcp_opts *opt)
{
	size_t n = tcp_opts_len_nosack(opt);
	unsigned sack = tcp_sack_fit(opt, n);

	if (sack)
		n += 4 + 8 * sack;
	return TCP_HLEN_MIN + n;
}

/* Write the timestamp option, preceded by SACK_OK or two NOPs; returns the bytes written. */
static size_t tcp_put_ts(uint8_t *o, const struct tcp_opts *opt)
{
	if (opt->has & TCP_OPT_SACK_OK) {
		o[0] = OPT_SACK_OK;
		o[1] = OPT_SACK_OK_LEN;
	} else {
		o[0] = OPT_NOP;
		o[1] = OPT_NOP;
	}
	o[2] = OPT_TS;
	o[3] = OPT_TS_LEN;
	net_put32(o + 4, opt->ts_val);
	net_put32(o + 8, opt->ts_ecr);
	return 12;
}

/* Write the options of @opt at @o; returns the bytes written (a multiple of 4). */
static size_t tcp_put_opts(uint8_t *o, const struct tcp_opts *opt)
{
	size_t n = 0;
	unsigned sack = tcp_sack_fit(opt, tcp_opts_len_nosack(opt));

	if (opt->has & TCP_OPT_MSS) {
		o[0] = OPT_MSS;
		o[1] = OPT_MSS_LEN;
		net_put16(o + 2, opt->mss);
		n += 4;
	}
	if (opt->has & TCP_OPT_TS) {
		n += tcp_put_ts(o + n, opt);
	} else if (opt->has & TCP_OPT_SACK_OK) {
		o[n] = OPT_NOP;
		o[n + 1] = OPT_NOP;
		o[n + 2] = OPT_SACK_OK;
		o[n + 3] = OPT_SACK_OK_LEN;
		n += 4;
	}
	if (opt->has & TCP_OPT_WSCALE) {
		o[n] = OPT_NOP;
		o[n + 1] = OPT_WSCALE;
		o[n + 2] = OPT_WSCALE_LEN;
		o[n + 3] = opt->wscale > WSCALE_MAX ? WSCALE_MAX : opt->wscale;
		n += 4;
	}
	if (sack) {
		o[n] = OPT_NOP;
		o[n + 1] = OPT_NOP;
		o[n + 2] = OPT_SACK;
		o[n + 3] = (uint8_t)(2 + 8 * sack);
		for (unsigned i = 0; i < sack; i++) {
			net_put32(o + n + 4 + 8 * i, opt->sack[i].left);
			net_put32(o + n + 8 + 8 * i, opt->sack[i].right);
		}
		n += 4 + 8 * sack;
	}
	return n;
}

size_t tcp_build(uint8_t *out, const struct tcp_seg *s, uint32_t src, uint32_t dst,
                 size_t payload_len, bool csum_partial)
{
	size_t hlen = TCP_HLEN_MIN + tcp_put_opts(out + TCP_HLEN_MIN, &s->opt);
	uint16_t tlen = (uint16_t)(hlen + payload_len);
	uint32_t sum;

	net_put16(out, s->sport);
	net_put16(out + 2, s->dport);
	net_put32(out + 4, s->seq);
	net_put32(out + 8, s->ack);
	out[12] = (uint8_t)((hlen / 4) << 4);
	out[13] = s->flags;
	net_put16(out + 14, s->wnd);
	net_put16(out + 16, 0);
	net_put16(out + 18, s->urg);
	sum = inet_pseudo_sum(src, dst, IPPROTO_TCP, tlen);
	if (csum_partial) {
		/*
		 * The device adds the segment to this sum and stores the complement
		 * (virtio 1.2, 5.1.6.2: VIRTIO_NET_HDR_F_NEEDS_CSUM), so the field
		 * holds the folded pseudo-header sum, not complemented.
		 */
		net_put16(out + 16, (uint16_t)~inet_csum_fold(sum));
	} else {
		net_put16(out + 16, inet_csum_fold(inet_csum_add(sum, out, tlen)));
	}
	return hlen;
}
