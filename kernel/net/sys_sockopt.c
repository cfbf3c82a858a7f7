// SPDX-License-Identifier: MIT
/*
 * setsockopt and getsockopt. SOL_SOCKET options (socket(7)) the layer
 * keeps in struct socket and then shows the family (which may act on them:
 * TCP sizes its rings from SO_RCVBUF, starts keepalive); other levels go
 * to the family alone. Values are copied through kernel buffers of at most
 * SOCKOPT_MAX bytes.
 */
#include <cairn/errno.h>

#include "fs/file.h"
#include "mm/uaccess.h"
#include "net/socket.h"
#include "net/socket_internal.h"
#include "syscall/syscall.h"

#define SOCKOPT_MAX 512u /* the largest value copied (TCP_INFO is 232 bytes) */

/* Linux's net.core.rmem_max / wmem_max and the floors of sock_setsockopt(). */
#define SOCK_BUF_MAX    212992
#define SOCK_MIN_RCVBUF 2304
#define SOCK_MIN_SNDBUF 4608
#define NSEC_PER_USEC   1000ull
#define NSEC_PER_SEC    1000000000ull
#define USEC_PER_SEC    1000000

struct k_timeval {
	int64_t sec, usec;
};

struct k_linger {
	int32_t onoff, linger;
};

static void st_int(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static void st_bool(bool *p, bool v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* SO_RCVTIMEO / SO_SNDTIMEO: a struct timeval; -EDOM for microseconds out of range (Linux). */
static int timeo_set(uint64_t *out, const void *val, size_t len)
{
	struct k_timeval tv;

	if (len < sizeof(tv))
		return -EINVAL;
	__builtin_memcpy(&tv, val, sizeof(tv));
	if (tv.usec < 0 || tv.usec >= USEC_PER_SEC)
		return -EDOM;
	/* A negative time is no wait at all to Linux's sock_set_timeout(): it means "for ever" (0). */
	if (tv.sec < 0)
		tv.sec = tv.usec = 0;
	if ((uint64_t)tv.sec > UINT64_MAX / NSEC_PER_SEC / 2)
		tv.sec = (int64_t)(UINT64_MAX / NSEC_PER_SEC / 2);
	__atomic_store_n(out, (uint64_t)tv.sec * NSEC_PER_SEC + (uint64_t)tv.usec * NSEC_PER_USEC,
	                 __ATOMIC_RELAXED);
	return 0;
}

static int buf_size(int v, int floor)
{
	if (v < 0 || v > SOCK_BUF_MAX)
		v = v < 0 ? 0 : SOCK_BUF_MAX;
	/* Linux doubles the value for its bookkeeping overhead and reports the double. */
	return v * 2 < floor ? floor : v * 2;
}

static int linger_set(struct socket *s, const void *val, size_t len)
{
	struct k_linger l;

	if (len < sizeof(l))
		return -EINVAL;
	__builtin_memcpy(&l, val, sizeof(l));
	st_int(&s->linger_s, l.onoff ? (l.linger < 0 ? 0 : l.linger) : -1);
	return 0;
}

/* Store a SOL_SOCKET option; -ENOPROTOOPT for one the layer does not know. */
static int sol_socket_set(struct socket *s, int name, const void *val, size_t len)
{
	int v;

	if (name == SO_RCVTIMEO)
		return timeo_set(&s->rcvtimeo_ns, val, len);
	if (name == SO_SNDTIMEO)
		return timeo_set(&s->sndtimeo_ns, val, len);
	if (name == SO_LINGER)
		return linger_set(s, val, len);
	if (len < sizeof(int))
		return -EINVAL;
	__builtin_memcpy(&v, val, sizeof(v));
	switch (name) {
	case SO_REUSEADDR:
		st_bool(&s->reuseaddr, v != 0);
		return 0;
	case SO_REUSEPORT:
		st_bool(&s->reuseport, v != 0);
		return 0;
	case SO_KEEPALIVE:
		st_bool(&s->keepalive, v != 0);
		return 0;
	case SO_BROADCAST:
		st_bool(&s->broadcast, v != 0);
		return 0;
	case SO_PASSCRED:
		st_bool(&s->passcred, v != 0);
		return 0;
	case SO_SNDBUF:
		st_int(&s->sndbuf, buf_size(v, SOCK_MIN_SNDBUF));
		return 0;
	case SO_RCVBUF:
		st_int(&s->rcvbuf, buf_size(v, SOCK_MIN_RCVBUF));
		return 0;
	case SO_DEBUG:
	case SO_DONTROUTE:
	case SO_OOBINLINE:
	case SO_RCVLOWAT:
		return 0; /* accepted; nothing here acts on them */
	default:
		return -ENOPROTOOPT;
	}
}

long sys_setsockopt(uint64_t fd, uint64_t level, uint64_t name, uint64_t uval, uint64_t ulen,
                    uint64_t a5)
{
	uint8_t val[SOCKOPT_MAX];
	int len = (int)ulen;
	struct socket *s;
	struct file *f;
	long err;

	if (len < 0)
		return -EINVAL;
	if ((unsigned)len > SOCKOPT_MAX)
		len = SOCKOPT_MAX; /* no option of ours is longer; the rest is ignored */
	if (len && copy_from_user(val, (const void *)uval, (size_t)len))
		return -EFAULT;
	err = sockfd_get((int)fd, &f, &s);
	if (err)
		return err;
	if ((int)level == SOL_SOCKET) {
		err = sol_socket_set(s, (int)name, val, (size_t)len);
		/* The family sees the stored value; -ENOPROTOOPT from it just means it ignores it. */
		if (!err && s->ops->setsockopt) {
			long ferr = s->ops->setsockopt(s, SOL_SOCKET, (int)name, val, (size_t)len);

			err = ferr == -ENOPROTOOPT ? 0 : ferr;
		} else if (err == -ENOPROTOOPT && s->ops->setsockopt) {
			err = s->ops->setsockopt(s, SOL_SOCKET, (int)name, val, (size_t)len);
		}
	} else {
		err = s->ops->setsockopt
		              ? s->ops->setsockopt(s, (int)level, (int)name, val, (size_t)len)
		              : -ENOPROTOOPT;
	}
	file_put(f);
	return err;
}

static int timeo_get(uint64_t ns, void *val, size_t *len)
{
	struct k_timeval tv = { .sec = (int64_t)(ns / NSEC_PER_SEC),
		                .usec = (int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC) };

	*len = sizeof(tv);
	__builtin_memcpy(val, &tv, sizeof(tv));
	return 0;
}

/* A SOL_SOCKET option's value; @val has SOCKOPT_MAX bytes. */
static int sol_socket_get(struct socket *s, int name, void *val, size_t *len)
{
	int v;

	switch (name) {
	case SO_RCVTIMEO:
		return timeo_get(__atomic_load_n(&s->rcvtimeo_ns, __ATOMIC_RELAXED), val, len);
	case SO_SNDTIMEO:
		return timeo_get(__atomic_load_n(&s->sndtimeo_ns, __ATOMIC_RELAXED), val, len);
	case SO_LINGER: {
		int l = __atomic_load_n(&s->linger_s, __ATOMIC_RELAXED);
		struct k_linger kl = { .onoff = l >= 0, .linger = l >= 0 ? l : 0 };

		*len = sizeof(kl);
		__builtin_memcpy(val, &kl, sizeof(kl));
		return 0;
	}
	case SO_TYPE:
		v = s->type;
		break;
	case SO_PROTOCOL:
		v = s->protocol;
		break;
	case SO_DOMAIN:
		v = s->family;
		break;
	case SO_ERROR:
		v = -__atomic_exchange_n(&s->error, 0, __ATOMIC_RELAXED);
		break;
	case SO_REUSEADDR:
		v = __atomic_load_n(&s->reuseaddr, __ATOMIC_RELAXED);
		break;
	case SO_REUSEPORT:
		v = __atomic_load_n(&s->reuseport, __ATOMIC_RELAXED);
		break;
	case SO_KEEPALIVE:
		v = __atomic_load_n(&s->keepalive, __ATOMIC_RELAXED);
		break;
	case SO_BROADCAST:
		v = __atomic_load_n(&s->broadcast, __ATOMIC_RELAXED);
		break;
	case SO_PASSCRED:
		v = __atomic_load_n(&s->passcred, __ATOMIC_RELAXED);
		break;
	case SO_SNDBUF:
		v = __atomic_load_n(&s->sndbuf, __ATOMIC_RELAXED);
		break;
	case SO_RCVBUF:
		v = __atomic_load_n(&s->rcvbuf, __ATOMIC_RELAXED);
		break;
	case SO_RCVLOWAT:
	case SO_SNDLOWAT:
		v = 1;
		break;
	case SO_DEBUG:
	case SO_DONTROUTE:
	case SO_OOBINLINE:
	case SO_ACCEPTCONN:
		v = 0;
		break;
	default:
		return -ENOPROTOOPT;
	}
	*len = sizeof(v);
	__builtin_memcpy(val, &v, sizeof(v));
	return 0;
}

long sys_getsockopt(uint64_t fd, uint64_t level, uint64_t name, uint64_t uval, uint64_t ulenp,
                    uint64_t a5)
{
	uint8_t val[SOCKOPT_MAX] = { 0 };
	size_t len = SOCKOPT_MAX;
	struct socket *s;
	struct file *f;
	int ulen;
	long err;

	if (copy_from_user(&ulen, (const void *)ulenp, sizeof(ulen)))
		return -EFAULT;
	if (ulen < 0)
		return -EINVAL;
	err = sockfd_get((int)fd, &f, &s);
	if (err)
		return err;
	/* The family first: it knows SO_ERROR, SO_ACCEPTCONN, SO_PEERCRED of its sockets. */
	err = s->ops->getsockopt ? s->ops->getsockopt(s, (int)level, (int)name, val, &len)
	                         : -ENOPROTOOPT;
	if (err == -ENOPROTOOPT && (int)level == SOL_SOCKET) {
		len = SOCKOPT_MAX;
		err = sol_socket_get(s, (int)name, val, &len);
	}
	file_put(f);
	if (err)
		return err;
	/* Linux stores at most what the caller has room for, and says how much it stored. */
	if ((size_t)ulen > len)
		ulen = (int)len;
	if (ulen && copy_to_user((void *)uval, val, (size_t)ulen))
		return -EFAULT;
	if (copy_to_user((void *)ulenp, &ulen, sizeof(ulen)))
		return -EFAULT;
	return 0;
}
