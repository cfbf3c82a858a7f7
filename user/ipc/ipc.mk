# user/ipc/: the kv service of docs/ipc.md -- kvd (the server), kv (its
# client) and ipcstat (the kernel's object counts) -- built static with musl
# and installed in the busybox image's /usr/bin (tools/mkrootfs.py). kvd and
# kv link the C generated from idl/kv.cidl and the IDL runtime lib/cidl/.

USER_IPC_BUILD := $(USER_BUILD)/ipc
USER_IPC       := $(addprefix $(USER_IPC_BUILD)/,ipcstat)
KV_COMMON      := user/ipc/kv_boot.c
KV_HDRS        := $(wildcard user/ipc/*.h) $(USER_HDRS)

$(USER_IPC_BUILD)/ipcstat: user/ipc/ipcstat.c $(USER_HDRS) user/ipc/ipc.mk
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$@)$(MUSL_CC) -static $(USER_CFLAGS) $< -o $@

$(USER_IPC_BUILD)/kvd: user/ipc/kvd.c user/ipc/kvd_proto.c user/ipc/kv_store.c $(KV_COMMON) \
		$(KV_HDRS) user/ipc/ipc.mk
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$@)$(MUSL_CC) -static $(USER_CFLAGS) $(filter %.c,$^) -o $@

$(USER_IPC_BUILD)/kv: user/ipc/kv.c $(KV_COMMON) $(KV_HDRS) user/ipc/ipc.mk
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$@)$(MUSL_CC) -static $(USER_CFLAGS) $(filter %.c,$^) -o $@

user: $(USER_IPC)
$(ROOTFS): $(USER_IPC)

# The walkthrough of docs/ipc.md, run on Cairn (tools/e2e_svc.py).
test-svc: kernel user
	@$(PYTHON) tools/e2e_svc.py

.PHONY: test-svc
