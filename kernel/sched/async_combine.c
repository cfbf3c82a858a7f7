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
	struct async_join *j = container_of(f, struct async_join, g.f);
	unsigned i, left = 0;
	int result = 0;

	for (i = 0; i < j->g.n; i++)
		if (future_poll(j->g.children[i], w) == ASYNC_PENDING)
			left++;
	j->left = left;
	if (left)
		return ASYNC_PENDING;
	for (i = 0; i < j->g.n && !result; i++)
		if (j->g.children[i]->result < 0)
			result = j->g.children[i]->result;
	return async_ready(f, result);
}

static void drop_children(struct future **children, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		future_drop(children[i]);
}

static void group_drop(struct future *f)
{
	struct async_group *g = container_of(f, struct async_group, f);

	drop_children(g->children, g->n);
}

static void group_init(struct async_group *g,
                       enum async_poll (*poll)(struct future *f, const struct waker *w),
                       struct future **children, unsigned n)
{
	future_init(&g->f, poll, group_drop);
	g->children = children;
	g->n = n;
}

void async_join_init(struct async_join *j, struct future **children, unsigned n)
{
	group_init(&j->g, join_poll, children, n);
	j->left = n;
}

/* ---- select ---- */

static enum async_poll select_poll(struct future *f, const struct waker *w)
{
	struct async_select *s = container_of(f, struct async_select, g.f);
	unsigned i;

	if (!s->g.n)
		return async_ready(f, -EINVAL);
	for (i = 0; i < s->g.n; i++) {
		if (future_poll(s->g.children[i], w) == ASYNC_READY) {
			/* The losers' timers and source waits go before anyone may free them. */
			drop_children(s->g.children, s->g.n);
			return async_ready(f, (int)i);
		}
	}
	return ASYNC_PENDING;
}

void async_select_init(struct async_select *s, struct future **children, unsigned n)
{
	group_init(&s->g, select_poll, children, n);
}
