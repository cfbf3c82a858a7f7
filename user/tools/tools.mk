# user/tools/: helper programs the e2e tests copy into a guest (not TAP tests):
# netxfer, the checked TCP transfer of the relay tests (docs/net-tests.md).
# Built static with musl, so the same binary runs on Cairn and on Linux.

USER_TOOLS := $(patsubst user/tools/%.c,$(USER_BUILD)/tools/%,$(wildcard user/tools/*.c))

$(USER_BUILD)/tools/%: user/tools/%.c user/tools/tools.mk
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$@)$(MUSL_CC) -static $(USER_CFLAGS) $< -o $@

user: $(USER_TOOLS)

# The relay group (tools/e2e_relay.py, docs/net-tests.md): Cairn and the Linux
# baseline through tools/netrelay.py; test-relay is make test's reduced size,
# test-relay-full the 100 MiB matrix.
test-relay: kernel user
	@$(PYTHON) tools/cairntest.py --only relay

test-relay-full: kernel user
	@$(PYTHON) tools/e2e_relay.py --full

.PHONY: test-relay test-relay-full
