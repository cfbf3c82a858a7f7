/* SPDX-License-Identifier: MIT */
/*
 * epoll (fs/epoll.c): an epoll file holds interest items, one per watched
 * (descriptor, file) pair, each hooked on the file's wait queues with a
 * callback waiter that moves it to the epoll's ready list. An item holds
 * no reference to its file: like Linux, it goes away when the file's open
 * description is released (the last close of every dup), which file_put()
 * tells epoll through eventpoll_release().
 */
#pragma once

struct file;

/*
 * @f's last reference is gone and f->ep is set: take every epoll item
 * watching @f off its epoll and free it. Called by file_put() before the
 * file's release op, in task context (it takes epoll's sleeping locks).
 */
void eventpoll_release(struct file *f);
