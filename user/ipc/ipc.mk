# user/ipc/: the kv service of docs/ipc.md -- kvd (the server), kv (its
# client) and ipcstat (the kernel's object counts) -- built static with musl
# and installed in the busybox image's /usr/bin (tools/mkrootfs.py). kvd and
# kv link the C generated from idl/kv.cidl and the IDL runtime lib/cidl/.

USER_IPC_BUILD := $(USER_BUILD)/ipc
# kvd and kv need the IDL compiler (tools/cidl/cidl.mk, which sets CIDLC).
USER_IPC       := $(addprefix $(USER_IPC_BUILD)/,ipcstat $(if $(CIDLC),kvd kv))
KVD_SRCS       := user/ipc/kvd.c user/ipc/kvd_proto.c user/ipc/kv_store.c user/ipc/kv_boot.c
KV_SRCS        := user/ipc/kv.c user/ipc/kv_cmds.c user/ipc/kv_boot.c
KV_HDRS        := $(wildcard user/ipc/*.h) $(USER_HDRS)

$(USER_IPC_BUILD)/ipcstat: user/ipc/ipcstat.c $(USER_HDRS) user/ipc/ipc.mk
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$@)$(MUSL_CC) -static $(USER_CFLAGS) $< -o $@

# USER_CFLAGS carries the generated sources too (cidl_user_prog below).
$(USER_IPC_BUILD)/kvd: $(KVD_SRCS) $(KV_HDRS) user/ipc/ipc.mk
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$@)$(MUSL_CC) -static $(KVD_SRCS) $(USER_CFLAGS) -o $@

$(USER_IPC_BUILD)/kv: $(KV_SRCS) $(KV_HDRS) user/ipc/ipc.mk
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$@)$(MUSL_CC) -static $(KV_SRCS) $(USER_CFLAGS) -o $@

# The generated C of idl/kv.cidl and lib/cidl/ go into both (tools/cidl/cidl.mk).
ifdef CIDLC
$(eval $(call cidl_user_prog,$(USER_IPC_BUILD)/kvd $(USER_IPC_BUILD)/kv,kv))
endif

user: $(USER_IPC)
$(ROOTFS): $(USER_IPC)

# The walkthrough of docs/ipc.md, run on Cairn (tools/e2e_svc.py).
test-svc: kernel user
	@$(PYTHON) tools/e2e_svc.py

.PHONY: test-svc
