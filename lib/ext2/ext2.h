/* SPDX-License-Identifier: MIT */
/*
 * ext2 as e2fsprogs' mke2fs makes it: the on-disk structures and a pure
 * engine over them (validation, bitmaps, block maps, directories, names).
 * It reads and writes whole blocks through a small I/O interface that the
 * kernel backs with its buffer cache and the host tests with an image in
 * memory, and it never trusts the disk: every number read is checked
 * before it is used, and a bad one gives -EUCLEAN with fs->why set.
 *
 * Format facts: "The Second Extended File System" (Dave Poirier, the
 * e2fsprogs documentation) and the kernel's Documentation/filesystems/ext4/
 * (which also describes ext2's fields). All fields are little-endian; the
 * structures below are laid over the bytes, so this needs a little-endian
 * machine (x86_64; the host tests run there too).
 *
 * Locking: none inside. The caller serialises every call on one ext2_fs
 * (the kernel holds a per-mount lock).
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXT2_SUPER_OFFSET        1024u /* bytes from the start of the device */
#define EXT2_SUPER_SIZE          1024u
#define EXT2_MAGIC               0xEF53u
#define EXT2_ROOT_INO            2u
#define EXT2_GOOD_OLD_FIRST_INO  11u
#define EXT2_GOOD_OLD_INODE_SIZE 128u
#define EXT2_NDIR_BLOCKS         12u
#define EXT2_IND_BLOCK           12u
#define EXT2_DIND_BLOCK          13u
#define EXT2_TIND_BLOCK          14u
#define EXT2_N_BLOCKS            15u
#define EXT2_NAME_LEN            255u
#define EXT2_LINK_MAX            32000u /* Linux's limit on i_links_count */
#define EXT2_MIN_BLOCK_LOG       10u    /* 1 KiB */
#define EXT2_MAX_BLOCK_LOG       16u    /* 64 KiB */

/* s_state */
#define EXT2_VALID_FS 0x1u /* cleanly unmounted */
#define EXT2_ERROR_FS 0x2u /* errors detected */

/* s_rev_level */
#define EXT2_GOOD_OLD_REV 0u
#define EXT2_DYNAMIC_REV  1u

/* Feature bits (ext4 documentation, "The Super Block"). */
#define EXT2_COMPAT_DIR_INDEX       0x0020u
#define EXT2_INCOMPAT_FILETYPE      0x0002u
#define EXT2_INCOMPAT_RECOVER       0x0004u
#define EXT2_INCOMPAT_META_BG       0x0010u
#define EXT2_INCOMPAT_EXTENTS       0x0040u
#define EXT2_INCOMPAT_64BIT         0x0080u
#define EXT2_INCOMPAT_FLEX_BG       0x0200u
#define EXT2_RO_COMPAT_SPARSE_SUPER 0x0001u
#define EXT2_RO_COMPAT_LARGE_FILE   0x0002u

/* What this engine reads and writes; anything else in INCOMPAT is refused, in RO_COMPAT read-only. */
#define EXT2_INCOMPAT_SUPP  (EXT2_INCOMPAT_FILETYPE | EXT2_INCOMPAT_FLEX_BG)
#define EXT2_RO_COMPAT_SUPP (EXT2_RO_COMPAT_SPARSE_SUPER | EXT2_RO_COMPAT_LARGE_FILE)

/* i_mode types (POSIX st_mode values) */
#define EXT2_S_IFMT   0170000u
#define EXT2_S_IFSOCK 0140000u
#define EXT2_S_IFLNK  0120000u
#define EXT2_S_IFREG  0100000u
#define EXT2_S_IFBLK  0060000u
#define EXT2_S_IFDIR  0040000u
#define EXT2_S_IFCHR  0020000u
#define EXT2_S_IFIFO  0010000u

/* i_flags */
#define EXT2_INDEX_FL \
	0x00001000u /* hashed directory (we treat it as linear and clear it on change) */
#define EXT2_EXTENTS_FL 0x00080000u /* ext4 extent tree: not ours */
#define EXT2_INLINE_FL  0x10000000u /* ext4 inline data: not ours */

/* Directory entry file types (the filetype feature). */
enum ext2_ftype {
	EXT2_FT_UNKNOWN,
	EXT2_FT_REG_FILE,
	EXT2_FT_DIR,
	EXT2_FT_CHRDEV,
	EXT2_FT_BLKDEV,
	EXT2_FT_FIFO,
	EXT2_FT_SOCK,
	EXT2_FT_SYMLINK,
	EXT2_FT_MAX
};

struct ext2_super {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count;
	uint32_t s_r_blocks_count;
	uint32_t s_free_blocks_count;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;
	uint32_t s_log_block_size; /* block size is 1024 << this */
	uint32_t s_log_frag_size;
	uint32_t s_blocks_per_group;
	uint32_t s_frags_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;
	uint32_t s_wtime;
	uint16_t s_mnt_count;
	int16_t s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;
	uint16_t s_def_resgid;
	/* EXT2_DYNAMIC_REV only */
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	uint32_t s_algo_bitmap;
	uint8_t s_prealloc_blocks;
	uint8_t s_prealloc_dir_blocks;
	uint16_t s_reserved_gdt_blocks;
	uint8_t s_journal_uuid[16];
	uint32_t s_journal_inum;
	uint32_t s_journal_dev;
	uint32_t s_last_orphan;
	uint32_t s_hash_seed[4];
	uint8_t s_def_hash_version;
	uint8_t s_jnl_backup_type;
	uint16_t s_desc_size;
	uint32_t s_default_mount_opts;
	uint32_t s_first_meta_bg;
	uint32_t s_mkfs_time;
	uint32_t s_jnl_blocks[17];
	uint8_t s_rest[1024 - 336]; /* ext4 fields we neither use nor change */
};
_Static_assert(sizeof(struct ext2_super) == EXT2_SUPER_SIZE, "superblock is 1024 bytes");
_Static_assert(offsetof(struct ext2_super, s_magic) == 56, "s_magic at 56");
_Static_assert(offsetof(struct ext2_super, s_feature_compat) == 92, "features at 92");
_Static_assert(offsetof(struct ext2_super, s_desc_size) == 254, "s_desc_size at 254");

struct ext2_group_desc {
	uint32_t bg_block_bitmap;
	uint32_t bg_inode_bitmap;
	uint32_t bg_inode_table;
	uint16_t bg_free_blocks_count;
	uint16_t bg_free_inodes_count;
	uint16_t bg_used_dirs_count;
	uint16_t bg_flags;
	uint32_t bg_reserved[3];
};
_Static_assert(sizeof(struct ext2_group_desc) == 32, "group descriptor is 32 bytes");

struct ext2_inode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size;
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks; /* 512-byte units, indirect blocks included */
	uint32_t i_flags;
	uint32_t i_osd1;
	uint32_t i_block[EXT2_N_BLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl;
	uint32_t i_size_high; /* regular files: bits 32..63 of the size (large_file) */
	uint32_t i_faddr;
	uint16_t i_blocks_hi;
	uint16_t i_file_acl_high;
	uint16_t i_uid_high;
	uint16_t i_gid_high;
	uint16_t i_checksum_lo;
	uint16_t i_reserved;
};
_Static_assert(sizeof(struct ext2_inode) == EXT2_GOOD_OLD_INODE_SIZE, "inode is 128 bytes");
_Static_assert(offsetof(struct ext2_inode, i_block) == 40, "i_block at 40");

struct ext2_dirent {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t name_len;
	uint8_t file_type; /* name_len's high byte without the filetype feature */
	char name[];
};
#define EXT2_DIRENT_HDR    8u
/* Bytes an entry with a name of @n bytes needs: header and name, rounded up to 4. */
#define EXT2_DIRENT_LEN(n) ((EXT2_DIRENT_HDR + (uint32_t)(n) + 3u) & ~3u)

/* ---- the I/O the engine runs on ---- */

/* A held block: its bytes, and the backing store's handle. */
struct ext2_buf {
	uint8_t *data;
	void *handle;
};

struct ext2_io {
	void *ctx;
	/* The block @blk, read; 0 or -errno. Held until release. */
	int (*read)(void *ctx, uint64_t blk, struct ext2_buf *b);
	/* The block @blk without reading it (the engine overwrites all of it). */
	int (*get)(void *ctx, uint64_t blk, struct ext2_buf *b);
	void (*dirty)(void *ctx, struct ext2_buf *b);
	void (*release)(void *ctx, struct ext2_buf *b);
};

/* One mounted file system. */
struct ext2_fs {
	struct ext2_super sb;     /* the superblock as in memory (counts kept here) */
	const struct ext2_io *io; /* how blocks move */
	uint64_t dev_blocks;      /* blocks the device holds (0: unknown) */
	uint32_t block_size;      /* bytes */
	uint32_t groups;          /* block groups */
	uint32_t inode_size;      /* bytes of an inode slot on disk */
	uint32_t first_ino;       /* first non-reserved inode */
	uint32_t addr_per_block;  /* block numbers per indirect block */
	uint32_t gdt_block;       /* first block of the group descriptor table */
	uint32_t gdt_blocks;      /* its length */
	bool readonly;            /* refused to write: features, state or errors */
	bool filetype;            /* entries carry a file type */
	bool sb_dirty;            /* counts or state changed since the last ext2_sync_super */
	const char *why;          /* the reason of the last -EUCLEAN/-EINVAL or of readonly */
	uint32_t last_group;      /* where the last block allocation ended (a hint) */
};

/* A file's inode as the engine works on it: its number and its on-disk fields. */
struct ext2_ino {
	uint32_t ino;
	struct ext2_inode raw;
};

/* ---- super.c ---- */

/*
 * Check the superblock bytes @sbbuf (EXT2_SUPER_SIZE bytes read at byte
 * EXT2_SUPER_OFFSET) and every group descriptor, and fill @fs for @io.
 * @dev_blocks: device size in 1024-byte units (0: unknown). Returns 0
 * (fs->readonly set with fs->why when only reading is safe), -EINVAL
 * (not ext2, unsupported incompatible feature) or -EUCLEAN (corrupt).
 */
int __must_check ext2_open(struct ext2_fs *fs, const struct ext2_io *io, const void *sbbuf,
                           uint64_t dev_kib);
/* Whether group @g holds a copy of the superblock and descriptors (sparse_super). */
bool ext2_group_has_super(const struct ext2_fs *fs, uint32_t g);
/* Blocks of group @g's copy of superblock + descriptors + reserved GDT (0 without one). */
uint32_t ext2_group_super_blocks(const struct ext2_fs *fs, uint32_t g);
/* Blocks in group @g (the last may be short). */
uint32_t ext2_group_blocks(const struct ext2_fs *fs, uint32_t g);
/* Write the in-memory superblock back to its block (primary copy). */
int __must_check ext2_sync_super(struct ext2_fs *fs, uint32_t now);
/* Mounted read-write: mark the disk not clean until ext2_unmount_clean. */
int __must_check ext2_mount_rw(struct ext2_fs *fs, uint32_t now);
int __must_check ext2_unmount_clean(struct ext2_fs *fs, uint32_t now);
/* Record an error found while running: s_state gets EXT2_ERROR_FS, the fs turns read-only. */
void ext2_error(struct ext2_fs *fs, const char *why);
/* Group descriptor @g: held buffer in @b and a pointer into it. */
int __must_check ext2_gd_get(struct ext2_fs *fs, uint32_t g, struct ext2_buf *b,
                             struct ext2_group_desc **gd);

/* ---- inode.c ---- */

int __must_check ext2_read_inode(struct ext2_fs *fs, uint32_t ino, struct ext2_ino *out);
int __must_check ext2_write_inode(struct ext2_fs *fs, const struct ext2_ino *in);
uint64_t ext2_i_size(const struct ext2_inode *r);
void ext2_set_i_size(struct ext2_inode *r, uint64_t size);
/* Whether @r is a symbolic link whose target sits in i_block itself. */
bool ext2_is_fast_symlink(const struct ext2_fs *fs, const struct ext2_inode *r);
/* Directory entry type for an i_mode. */
uint8_t ext2_mode_ftype(uint32_t mode);

/* ---- alloc.c ---- */

/* A free block near @goal, marked used; its number in *@blk. -ENOSPC when none. */
int __must_check ext2_alloc_block(struct ext2_fs *fs, uint32_t goal, uint32_t *blk);
int __must_check ext2_free_block(struct ext2_fs *fs, uint32_t blk);
/* A free inode near @parent's group (@dir: spread directories). */
int __must_check ext2_alloc_inode(struct ext2_fs *fs, uint32_t parent, bool dir, uint32_t *ino);
int __must_check ext2_free_inode(struct ext2_fs *fs, uint32_t ino, bool dir);
/*
 * The first clear bit in @bits (@nbits long) at or after @start,
 * wrapping around; -1 when all are set.
 */
long ext2_bitmap_find_clear(const uint8_t *bits, uint32_t nbits, uint32_t start);

/* ---- bmap.c ---- */

/*
 * The block holding logical block @lblk of @in: *@pblk, 0 for a hole.
 * With @alloc a hole is filled (with a zeroed block; indirect blocks as
 * needed), in->raw's i_block/i_blocks change and the caller writes the inode.
 */
int __must_check ext2_bmap(struct ext2_fs *fs, struct ext2_ino *in, uint64_t lblk, bool alloc,
                           uint32_t *pblk);
/* Free every block past the first @keep logical blocks. The caller writes the inode. */
int __must_check ext2_free_blocks_from(struct ext2_fs *fs, struct ext2_ino *in, uint64_t keep);
/* Largest logical block number + 1 that the map can address. */
uint64_t ext2_max_lblocks(const struct ext2_fs *fs);

/* ---- file.c: data through whole blocks (host tests; the kernel uses its page cache) ---- */

long __must_check ext2_file_read(struct ext2_fs *fs, struct ext2_ino *in, uint64_t off, void *buf,
                                 size_t len);
/* Writes and grows the size; writes the inode. */
long __must_check ext2_file_write(struct ext2_fs *fs, struct ext2_ino *in, uint64_t off,
                                  const void *buf, size_t len);
/* Set the size, freeing blocks past it and zeroing the tail of the last one; writes the inode. */
int __must_check ext2_truncate(struct ext2_fs *fs, struct ext2_ino *in, uint64_t size);

/* ---- dir.c ---- */

/*
 * Check one directory block of @len bytes: entries that tile it exactly,
 * rec_len multiple of 4 and large enough, names within the entry, inode
 * numbers in range. 0 or -EUCLEAN with @why set.
 */
int __must_check ext2_dirblock_check(const struct ext2_fs *fs, const uint8_t *blk, uint32_t len,
                                     const char **why);

struct ext2_dirent_info {
	uint32_t ino;
	uint8_t ftype;
	uint8_t name_len;
	const char *name; /* not NUL-terminated; valid during the callback */
	uint64_t pos;     /* byte offset of the entry in the directory */
	uint64_t next;    /* byte offset of the entry after it */
};
/* Return non-zero to stop the walk (ext2_dir_iterate then returns that value). */
typedef int (*ext2_dir_fn)(void *ctx, const struct ext2_dirent_info *e);

/* Call @fn for each live entry from byte @pos on ("." and ".." included). */
int __must_check ext2_dir_iterate(struct ext2_fs *fs, struct ext2_ino *dir, uint64_t pos,
                                  ext2_dir_fn fn, void *ctx);
/* The inode named @name in @dir: 0 and *@ino, or -ENOENT. */
int __must_check ext2_dir_lookup(struct ext2_fs *fs, struct ext2_ino *dir, const char *name,
                                 size_t len, uint32_t *ino);
/* Add an entry (the name must be free); may grow the directory (writes @dir). */
int __must_check ext2_dir_add(struct ext2_fs *fs, struct ext2_ino *dir, const char *name,
                              size_t len, uint32_t ino, uint8_t ftype);
/* Remove the entry @name. -ENOENT when none. */
int __must_check ext2_dir_remove(struct ext2_fs *fs, struct ext2_ino *dir, const char *name,
                                 size_t len);
/* Point the existing entry @name at @ino (rename over an existing name, '..'). */
int __must_check ext2_dir_retarget(struct ext2_fs *fs, struct ext2_ino *dir, const char *name,
                                   size_t len, uint32_t ino, uint8_t ftype);
/* Whether @dir holds nothing but "." and "..": 0 (empty), -ENOTEMPTY or -errno. */
int __must_check ext2_dir_empty(struct ext2_fs *fs, struct ext2_ino *dir);
/* Write the first block of new directory @dir: "." and "..". Writes @dir. */
int __must_check ext2_dir_init(struct ext2_fs *fs, struct ext2_ino *dir, uint32_t parent);

/* ---- namei.c: whole operations, link counts included ---- */

/*
 * A new inode of @mode (type included) named @name in @dir, written to
 * disk, in *@out. Directories get "." and ".." and raise @dir's link
 * count. @rdev: device nodes' number (Linux's new encoding). @target:
 * a symbolic link's target (fast when under 60 bytes).
 */
struct ext2_new {
	uint32_t mode, uid, gid, rdev, now;
	const char *target;
};
int __must_check ext2_create(struct ext2_fs *fs, struct ext2_ino *dir, const char *name, size_t len,
                             const struct ext2_new *n, struct ext2_ino *out);
/* A new name for @in (not a directory). */
int __must_check ext2_link(struct ext2_fs *fs, struct ext2_ino *dir, const char *name, size_t len,
                           struct ext2_ino *in);
/*
 * Remove the name @name of @victim from @dir (rmdir when @victim is a
 * directory: it must be empty). Drops the link count; the inode itself is
 * freed by ext2_evict once no one holds it (the caller knows).
 */
int __must_check ext2_unlink(struct ext2_fs *fs, struct ext2_ino *dir, const char *name, size_t len,
                             struct ext2_ino *victim, uint32_t now);
/*
 * Move @src (named @oname in @odir) to @nname in @ndir, replacing
 * @victim (NULL when the name is free; an empty directory or a
 * non-directory, as @src). A moved directory's ".." follows it.
 * @odir and @ndir may be the same inode (then pass the same pointer).
 */
struct ext2_rename {
	struct ext2_ino *odir, *ndir, *src, *victim;
	const char *oname, *nname;
	size_t olen, nlen;
	uint32_t now;
};
int __must_check ext2_rename(struct ext2_fs *fs, const struct ext2_rename *r);
/* Free the blocks and the inode of @in, whose link count is 0 and which no one holds. */
int __must_check ext2_evict(struct ext2_fs *fs, struct ext2_ino *in, uint32_t now);
/* A symbolic link's target into @buf (@n bytes): its length, or -errno. */
long __must_check ext2_readlink(struct ext2_fs *fs, struct ext2_ino *in, char *buf, size_t n);
/* Device number stored in a node's i_block (old or new encoding), as Linux's dev_t. */
uint32_t ext2_node_rdev(const struct ext2_inode *r);

/* ---- mkfs.c ---- */

struct ext2_mkfs_opts {
	uint64_t blocks;     /* file system size in blocks (at most 2^32 - 1) */
	uint32_t block_size; /* 1024, 2048 or 4096 */
	uint32_t now;        /* creation time (seconds since 1970) */
	uint32_t seed;       /* varies the UUID */
};

/*
 * Write an empty ext2 file system through @io and leave it open in @fs
 * (read-write, clean). @gds: room for the group descriptors, @ngds of
 * them (-E2BIG when more are needed; a group is 8 * block_size blocks).
 * Returns 0, -EINVAL (bad options), -ENOSPC (too small) or an I/O error.
 */
int __must_check ext2_mkfs(struct ext2_fs *fs, const struct ext2_io *io,
                           const struct ext2_mkfs_opts *o, struct ext2_group_desc *gds,
                           uint32_t ngds);
