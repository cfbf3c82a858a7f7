/* SPDX-License-Identifier: MIT */
/*
 * Lock annotations for clang's thread-safety analysis (-Wthread-safety,
 * run by `make check`). A lock type is a capability; functions say which
 * locks they take, release or expect held; globals say which lock guards
 * them. Under GCC every macro is empty. The rules they check are in
 * docs/locking.md.
 */
#pragma once

#if defined(__clang__)
/* A lock type: `struct __capability("spinlock") spinlock { ... };`. */
#define __capability(kind)          __attribute__((capability(kind)))
/* The function takes @... and returns holding it. */
#define __acquires(...)             __attribute__((acquire_capability(__VA_ARGS__)))
/* The function releases @..., which the caller held. */
#define __releases(...)             __attribute__((release_capability(__VA_ARGS__)))
/* The same for a shared (reader's) hold of a read-write lock. */
#define __acquires_shared(...)      __attribute__((acquire_shared_capability(__VA_ARGS__)))
#define __releases_shared(...)      __attribute__((release_shared_capability(__VA_ARGS__)))
/* The function holds @l on return exactly when it returns @ret. */
#define __try_acquires(ret, l)      __attribute__((try_acquire_capability(ret, l)))
/* The caller must hold @...; such functions end in _locked. */
#define __must_hold(...)            __attribute__((requires_capability(__VA_ARGS__)))
/* The caller must not hold @... (the function takes it itself). */
#define __must_not_hold(...)        __attribute__((locks_excluded(__VA_ARGS__)))
/* Reading or writing the variable needs @l held. */
#define __guarded_by(l)             __attribute__((guarded_by(l)))
/* What the pointer points at needs @l held. */
#define __pt_guarded_by(l)          __attribute__((pt_guarded_by(l)))
/* The function returns a reference to the lock @l (for lock getters). */
#define __returns_lock(l)           __attribute__((lock_returned(l)))
/*
 * The analysis cannot follow this function (a lock handed across a context
 * switch, two locks of an array taken in index order, a deliberate misuse
 * in a test): say why at each use.
 */
#define __no_thread_safety_analysis __attribute__((no_thread_safety_analysis))
#else
#define __capability(kind)
#define __acquires(...)
#define __releases(...)
#define __acquires_shared(...)
#define __releases_shared(...)
#define __try_acquires(ret, l)
#define __must_hold(...)
#define __must_not_hold(...)
#define __guarded_by(l)
#define __pt_guarded_by(l)
#define __returns_lock(l)
#define __no_thread_safety_analysis
#endif
