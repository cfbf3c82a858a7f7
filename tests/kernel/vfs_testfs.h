/* SPDX-License-Identifier: MIT */
/*
 * A small in-memory file system for the VFS tests ("vfstestfs"), so the
 * VFS core can be tested on its own whatever the root file system is.
 */
#pragma once

#include <stdbool.h>

/*
 * Register vfstestfs (once), make sure the tree has a root (a vfstestfs
 * if nothing mounted one), and mount a fresh vfstestfs on a new directory
 * under "/" whose absolute path is written to @dir (at least 32 bytes).
 */
void vfs_test_scratch(char *dir);
/* Unmount the scratch file system at @dir and remove the directory. */
void vfs_test_scratch_done(const char *dir);
