// SPDX-License-Identifier: MIT
/*
 * Combinators: join-all (finish when every child finished) and select
 * (finish with the first child that finishes, drop the others). Children
 * are polled inline with the parent's waker, so a parent is one spawned
 * future however many children it has; the price is that any child's wake
 * polls all the unfinished ones. Everything here runs in the executor's
 * task: no locks of its own.
 */
#include <cairn/errno.h>

#include <stddef.h>

#include "sched/async.h"

/* ---- join-all ---- */

static enum async_poll join_poll(struct future *f, const struct waker *w)
{
	struct async_join *j = container_of(f, struct async_join, f);
	unsigned i, left = 0;
	int result = 0;

	for (i = 0; i < j->n; i++)
		if (future_poll(j->children[i], w) == ASYNC_PENDING)
			left++;
	j->left = left;
	if (left)
		return ASYNC_PENDING;
	for (i = 0; i < j->n && !result; i++)
		if (j->children[i]->result < 0)
			result = j->children[i]->result;
	return async_ready(f, result);
}

static void drop_children(struct future **children, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		future_drop(children[i]);
}

static void join_drop(struct future *f)
{
	struct async_join *j = container_of(f, struct async_join, f);

	drop_children(j->children, j->n);
}

void async_join_init(struct async_join *j, struct future **children, unsigned n)
{
	future_init(&j->f, join_poll, join_drop);
	j->children = children;
	j->n = n;
	j->left = n;
}

/* ---- select ---- */

static enum async_poll select_poll(struct future *f, const struct waker *w)
{
	struct async_select *s = container_of(f, struct async_select, f);
	unsigned i;

	if (!s->n)
		return async_ready(f, -EINVAL);
	for (i = 0; i < s->n; i++) {
		if (future_poll(s->children[i], w) == ASYNC_READY) {
			/* The losers' timers and source waits go before anyone may free them. */
			drop_children(s->children, s->n);
			return async_ready(f, (int)i);
		}
	}
	return ASYNC_PENDING;
}

static void select_drop(struct future *f)
{
	struct async_select *s = container_of(f, struct async_select, f);

	drop_children(s->children, s->n);
}

void async_select_init(struct async_select *s, struct future **children, unsigned n)
{
	future_init(&s->f, select_poll, select_drop);
	s->children = children;
	s->n = n;
}
