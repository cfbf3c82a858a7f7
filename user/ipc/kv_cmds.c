// SPDX-License-Identifier: MIT
/*
 * The kv client's commands (kv.h): each one request of idl/kv.cidl. The
 * large-value commands show memory objects: put-file maps a new one, fills
 * it and sends its handle with READ only; get-file maps the one kvd sends.
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

/* A NUL-terminated argument as the wire's byte view. */
static struct cidl_bytes kv_arg(const char *s)
{
	return (struct cidl_bytes){ .data = (const uint8_t *)s, .len = (uint32_t)strlen(s) };
}

int kvc_put(int h, char **args)
{
	struct kv_put_req q = { .key = kv_arg(args[0]), .value = kv_arg(args[1]) };
	struct kv_put_rep a;
	struct cidl_writer w;
	struct cidl_reader r;
	long err;

	if (kv_encoded("put", &w, kv_put_req_encode(kv_writer(&w), &q)))
		return 1;
	err = kv_call(h, &r, CAIRN_DEADLINE_NEVER);
	if (err)
		return kv_fail("put", err);
	if (kv_decoded("put", &r, kv_put_rep_decode(&r, &a)))
		return 1;
	return kv_status(args[0], a.result);
}

/* Print a value as it is, then a newline (as the walkthrough's shell shows it). */
static void kv_print(const struct cidl_bytes *v)
{
	fwrite(v->data, 1, v->len, stdout);
	putchar('\n');
}

int kvc_get(int h, char **args)
{
	struct kv_get_req q = { .key = kv_arg(args[0]) };
	struct kv_get_rep a;
	struct cidl_writer w;
	struct cidl_reader r;
	long err;

	if (kv_encoded("get", &w, kv_get_req_encode(kv_writer(&w), &q)))
		return 1;
	err = kv_call(h, &r, CAIRN_DEADLINE_NEVER);
	if (err)
		return kv_fail("get", err);
	if (kv_decoded("get", &r, kv_get_rep_decode(&r, &a)) || kv_status(args[0], a.result))
		return 1;
	kv_print(&a.value);
	return 0;
}

int kvc_rm(int h, char **args)
{
	struct kv_delete_req q = { .key = kv_arg(args[0]) };
	struct kv_delete_rep a;
	struct cidl_writer w;
	struct cidl_reader r;
	long err;

	if (kv_encoded("rm", &w, kv_delete_req_encode(kv_writer(&w), &q)))
		return 1;
	err = kv_call(h, &r, CAIRN_DEADLINE_NEVER);
	if (err)
		return kv_fail("rm", err);
	if (kv_decoded("rm", &r, kv_delete_rep_decode(&r, &a)))
		return 1;
	return kv_status(args[0], a.result);
}

int kvc_list(int h, char **args)
{
	struct kv_list_req q = { 0 };
	static struct kv_list_rep a; /* 4 KiB of views: not on the stack */
	struct cidl_writer w;
	struct cidl_reader r;
	long err;

	(void)args;
	if (kv_encoded("list", &w, kv_list_req_encode(kv_writer(&w), &q)))
		return 1;
	err = kv_call(h, &r, CAIRN_DEADLINE_NEVER);
	if (err)
		return kv_fail("list", err);
	if (kv_decoded("list", &r, kv_list_rep_decode(&r, &a)))
		return 1;
	for (uint32_t i = 0; i < a.keys.count; i++)
		printf("%.*s\n", (int)a.keys.items[i].len, (const char *)a.keys.items[i].data);
	return 0;
}

/*
 * A new memory object holding the file @fd (@size bytes): created, mapped,
 * filled by read(2) straight into the mapping, unmapped. Returns its
 * handle or -errno.
 */
static int kv_file_to_vmo(int fd, size_t size)
{
	long vmo = cairn_vmo_create(size, CAIRN_HANDLE_CLOEXEC);
	uint8_t *p;
	size_t done = 0;

	if (vmo < 0 || size == 0)
		return (int)vmo;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, (int)vmo, 0);
	if (p == MAP_FAILED) {
		int err = -errno;

		close((int)vmo);
		return err;
	}
	while (done < size) {
		ssize_t n = read(fd, p + done, size - done);

		if (n <= 0) {
			munmap(p, size);
			close((int)vmo);
			return n < 0 ? -errno : -EIO;
		}
		done += (size_t)n;
	}
	munmap(p, size);
	return (int)vmo;
}

int kvc_put_file(int h, char **args)
{
	struct kv_put_blob_req q = { .key = kv_arg(args[0]) };
	struct kv_put_blob_rep a;
	struct cidl_writer w;
	struct cidl_reader r;
	struct stat st;
	int fd = open(args[1], O_RDONLY | O_CLOEXEC);
	long err;

	if (fd < 0 || fstat(fd, &st))
		return kv_fail(args[1], -errno);
	q.size = (uint64_t)st.st_size;
	q.blob = kv_file_to_vmo(fd, (size_t)st.st_size);
	close(fd);
	if (q.blob < 0)
		return kv_fail("put-file: memory object", q.blob);
	if (kv_encoded("put-file", &w, kv_put_blob_req_encode(kv_writer(&w), &q)))
		return 1;
	/* kvd copies the bytes out: READ is all it gets (the encoder sends SAME_RIGHTS). */
	w.handles[0].rights = CAIRN_RIGHT_READ;
	err = kv_call(h, &r, CAIRN_DEADLINE_NEVER);
	if (err)
		return kv_fail("put-file", err);
	if (kv_decoded("put-file", &r, kv_put_blob_rep_decode(&r, &a)))
		return 1;
	return kv_status(args[0], a.result);
}

/* Write the @size bytes of the memory object @vmo to the file @path, through a mapping. */
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
		if (p == MAP_FAILED) {
			err = -errno;
			goto out_close;
		}
	}
	while (done < size && !err) {
		ssize_t n = write(fd, p + done, size - done);

		err = n < 0 ? -errno : 0;
		done += n > 0 ? (size_t)n : 0;
	}
	if (size)
		munmap((void *)p, size);
out_close:
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int kvc_get_file(int h, char **args)
{
	struct kv_get_blob_req q = { .key = kv_arg(args[0]) };
	struct kv_get_blob_rep a;
	struct cidl_writer w;
	struct cidl_reader r;
	long err;

	if (kv_encoded("get-file", &w, kv_get_blob_req_encode(kv_writer(&w), &q)))
		return 1;
	err = kv_call(h, &r, CAIRN_DEADLINE_NEVER);
	if (err)
		return kv_fail("get-file", err);
	if (kv_decoded("get-file", &r, kv_get_blob_rep_decode(&r, &a)))
		return 1;
	if (kv_status(args[0], a.result)) {
		if (a.blob >= 0)
			close(a.blob);
		return 1;
	}
	if (a.blob < 0)
		return kv_fail("get-file", -EBADMSG);
	err = kv_vmo_to_file(a.blob, a.size, args[1]);
	close(a.blob);
	return err ? kv_fail(args[1], err) : 0;
}

int kvc_wait(int h, char **args)
{
	struct kv_wait_req q = { .key = kv_arg(args[0]) };
	struct kv_wait_rep a;
	struct cidl_writer w;
	struct cidl_reader r;
	long err;

	if (kv_encoded("wait", &w, kv_wait_req_encode(kv_writer(&w), &q)))
		return 1;
	/* No deadline: the reply comes when another client puts the key. */
	err = kv_call(h, &r, CAIRN_DEADLINE_NEVER);
	if (err)
		return kv_fail("wait", err);
	if (kv_decoded("wait", &r, kv_wait_rep_decode(&r, &a)) || kv_status(args[0], a.result))
		return 1;
	kv_print(&a.value);
	return 0;
}

/*
 * kv bench N: N gets of one key, each a whole round trip (encode, call,
 * kvd's poll and dispatch, decode), timed on the monotonic clock. A figure
 * for docs/ipc.md, not a test.
 */
int kvc_bench(int h, char **args)
{
	struct kv_get_req q = { .key = kv_arg("bench") };
	struct kv_get_rep a;
	struct cidl_writer w;
	struct cidl_reader r;
	long n = strtol(args[0], NULL, 10), err = 0;
	int64_t t0;

	if (n <= 0)
		return kv_fail("bench", -EINVAL);
	if (kv_encoded("bench", &w, kv_get_req_encode(kv_writer(&w), &q)))
		return 1;
	t0 = cairn_now_ns();
	for (long i = 0; i < n && !err; i++) {
		err = kv_call(h, &r, CAIRN_DEADLINE_NEVER);
		if (!err && kv_get_rep_decode(&r, &a))
			err = -EBADMSG;
	}
	if (err)
		return kv_fail("bench", err);
	printf("%ld gets: %lld ns each\n", n, (long long)((cairn_now_ns() - t0) / n));
	return 0;
}
