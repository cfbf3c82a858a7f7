# user/drivers/: drivers that run as user programs under the kernel's driver
# host (issue 15, docs/ps2-user.md), static musl, installed in the busybox
# image's /sbin by tools/mkrootfs.py. ps2kbd links the kernel's own PS/2
# decoder (lib/input) unchanged and the generated code of idl/input.cidl.

USER_DRIVERS := $(USER_BUILD)/drivers/ps2kbd
PS2KBD_SRCS := user/drivers/ps2kbd.c lib/input/ps2kbd.c lib/input/keymap.c

$(USER_BUILD)/drivers/ps2kbd: $(PS2KBD_SRCS) $(USER_HDRS) $(wildcard lib/input/*.h) \
		$(call cidl_user_deps,input) user/drivers/drivers.mk
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$@)$(MUSL_CC) -static $(USER_CFLAGS) -Iinclude $(call cidl_user_cflags,input) \
		$(PS2KBD_SRCS) $(call cidl_user_srcs,input) -o $@

user: $(USER_DRIVERS)
