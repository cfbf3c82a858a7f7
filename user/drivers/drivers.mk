# user/drivers/: drivers that run as user programs under the kernel's driver
# host (issue 15, docs/ps2-user.md), static musl, installed in the busybox
# image's /sbin by tools/mkrootfs.py. ps2kbd links the kernel's own PS/2
# decoder (lib/input) unchanged, the generated C of idl/input.cidl
# (tools/cidl/cidl.mk's rule makes it) and the IDL's runtime (lib/cidl).

USER_DRIVERS := $(USER_BUILD)/drivers/ps2kbd
PS2KBD_SRCS := user/drivers/ps2kbd.c lib/input/ps2kbd.c lib/input/keymap.c \
	$(BUILD)/gen/cidl/input.c $(wildcard lib/cidl/*.c)

$(USER_BUILD)/drivers/ps2kbd: $(PS2KBD_SRCS) $(BUILD)/gen/cidl/input.h $(USER_HDRS) \
		$(wildcard lib/input/*.h lib/cidl/*.h) user/drivers/drivers.mk
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$@)$(MUSL_CC) -static $(USER_CFLAGS) -Iinclude -I$(BUILD)/gen \
		$(PS2KBD_SRCS) -o $@

user: $(USER_DRIVERS)
