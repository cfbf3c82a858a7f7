# idl/: the protocols (.cidl files, docs/cidl.md). tools/cidl/cidl.mk generates
# $(BUILD)/gen/cidl/NAME.{h,c} (+ NAME_client.c, NAME_server.c) from idl/NAME.cidl.
#
# KERNEL_CIDL: the protocols whose generated encode/decode (NAME.c) the kernel
# links, one line each: KERNEL_CIDL += NAME
KERNEL_CIDL :=
