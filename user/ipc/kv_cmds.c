// SPDX-License-Identifier: MIT
/*
 * The kv client's commands (kv.h): each one request of idl/kv.cidl through
 * its generated stub, kv_NAME(&client, &request, &reply). The large-value
 * commands show memory objects: put-file maps a new one, fills it and
 * sends a handle to it with READ only; get-file maps the one kvd sends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kv.h"

/* What kvd gets: READ to copy the bytes out, TRANSFER because the handle moves. */
#define KV_BLOB_RIGHTS (CAIRN_RIGHT_READ | CAIRN_RIGHT_TRANSFER)

/* A NUL-terminated argument as the wire's byte view. */
static struct cidl_bytes kv_arg(const char *s)
{
	return (struct cidl_bytes){ .data = (const uint8_t *)s, .len = (uint32_t)strlen(s) };
}

/* Print a value as it is, then a newline. */
static void kv_print(const struct cidl_bytes *v)
{
	fwrite(v->data, 1, v->len, stdout);
	putchar('\n');
}

int kvc_put(struct cidl_client *c, char **args)
{
	struct kv_put_req q = { .key = kv_arg(args[0]), .value = kv_arg(args[1]) };
	struct kv_put_rep a;
	int err = kv_put(c, &q, &a);

	return err ? kv_fail("put", err) : kv_status(args[0], a.result);
}

int kvc_get(struct cidl_client *c, char **args)
{
	struct kv_get_req q = { .key = kv_arg(args[0]) };
	struct kv_get_rep a;
	int err = kv_get(c, &q, &a);

	if (err)
		return kv_fail("get", err);
	if (kv_status(args[0], a.result))
		return 1;
	kv_print(&a.value);
	return 0;
}

int kvc_rm(struct cidl_client *c, char **args)
{
	struct kv_delete_req q = { .key = kv_arg(args[0]) };
	struct kv_delete_rep a;
	int err = kv_delete(c, &q, &a);

	return err ? kv_fail("rm", err) : kv_status(args[0], a.result);
}

int kvc_list(struct cidl_client *c, char **args)
{
	struct kv_list_req q = { 0 };
	static struct kv_list_rep a; /* 4 KiB of views: not on the stack */
	int err = kv_list(c, &q, &a);

	(void)args;
	if (err)
		return kv_fail("list", err);
	for (uint32_t i = 0; i < a.keys.count; i++)
		printf("%.*s\n", (int)a.keys.items[i].len, (const char *)a.keys.items[i].data);
	return 0;
}

/* Fill the mapping @p (@size bytes) from @fd. Returns 0 or -errno. */
static int kv_read_all(int fd, uint8_t *p, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = read(fd, p + done, size - done);

		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

/*
 * A memory object holding the file @fd (@size bytes): created, mapped,
 * filled by read(2) straight into the mapping, unmapped. Returns a handle
 * to it with KV_BLOB_RIGHTS, or -errno.
 */
static int kv_file_to_vmo(int fd, size_t size)
{
	long vmo = cairn_vmo_create(size, CAIRN_HANDLE_CLOEXEC), ro;
	uint8_t *p = NULL;
	int err = 0;

	if (vmo < 0)
		return (int)vmo;
	if (size) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, (int)vmo, 0);
		err = p == MAP_FAILED ? -errno : kv_read_all(fd, p, size);
		if (p != MAP_FAILED)
			munmap(p, size);
	}
	ro = err ? err : cairn_handle_dup((int)vmo, KV_BLOB_RIGHTS, CAIRN_HANDLE_CLOEXEC);
	close((int)vmo);
	return (int)ro;
}

int kvc_put_file(struct cidl_client *c, char **args)
{
	struct kv_put_blob_req q = { .key = kv_arg(args[0]) };
	struct kv_put_blob_rep a;
	struct stat st;
	int fd = open(args[1], O_RDONLY | O_CLOEXEC), err;

	if (fd < 0 || fstat(fd, &st))
		return kv_fail(args[1], -errno);
	q.size = (uint64_t)st.st_size;
	q.blob = kv_file_to_vmo(fd, (size_t)st.st_size);
	close(fd);
	if (q.blob < 0)
		return kv_fail("put-file: memory object", q.blob);
	/* The handle leaves this process with the request. */
	err = kv_put_blob(c, &q, &a);
	return err ? kv_fail("put-file", err) : kv_status(args[0], a.result);
}

/* Write the @size bytes of the memory object @vmo to @path, through a mapping. */
static int kv_vmo_to_file(int vmo, uint64_t size, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const uint8_t *p = NULL;
	size_t done = 0;
	int err = 0;

	if (fd < 0)
		return -errno;
	if (size) {
		p = mmap(NULL, size, PROT_READ, MAP_SHARED, vmo, 0);
		err = p == MAP_FAILED ? -errno : 0;
	}
	while (done < size && !err) {
		ssize_t n = write(fd, p + done, size - done);

		err = n < 0 ? -errno : 0;
		done += n > 0 ? (size_t)n : 0;
	}
	if (size && p != MAP_FAILED)
		munmap((void *)p, size);
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int kvc_get_file(struct cidl_client *c, char **args)
{
	struct kv_get_blob_req q = { .key = kv_arg(args[0]) };
	struct kv_get_blob_rep a;
	int err = kv_get_blob(c, &q, &a);

	if (err)
		return kv_fail("get-file", err);
	if (a.result != KV_STATUS_OK || a.blob < 0) {
		if (a.blob >= 0)
			close(a.blob);
		return a.result != KV_STATUS_OK ? kv_status(args[0], a.result)
		                                : kv_fail("get-file", -EBADMSG);
	}
	err = kv_vmo_to_file(a.blob, a.size, args[1]);
	close(a.blob);
	return err ? kv_fail(args[1], err) : 0;
}

int kvc_wait(struct cidl_client *c, char **args)
{
	struct kv_wait_req q = { .key = kv_arg(args[0]) };
	struct kv_wait_rep a;
	int err;

	/* No deadline (c->deadline): the reply comes when another client puts the key. */
	err = kv_wait(c, &q, &a);
	if (err)
		return kv_fail("wait", err);
	if (kv_status(args[0], a.result))
		return 1;
	kv_print(&a.value);
	return 0;
}

/*
 * kv bench N: N gets of the key "bench", each a whole round trip (encode,
 * call, kvd's poll and dispatch, decode), timed on the monotonic clock. A
 * figure for docs/ipc.md, not a test.
 */
int kvc_bench(struct cidl_client *c, char **args)
{
	struct kv_get_req q = { .key = kv_arg("bench") };
	struct kv_get_rep a;
	long n = strtol(args[0], NULL, 10);
	int64_t t0;
	int err = 0;

	if (n <= 0)
		return kv_fail("bench", -EINVAL);
	t0 = cairn_now_ns();
	for (long i = 0; i < n && !err; i++)
		err = kv_get(c, &q, &a);
	if (err)
		return kv_fail("bench", err);
	printf("%ld gets: %lld ns each\n", n, (long long)((cairn_now_ns() - t0) / n));
	return 0;
}
