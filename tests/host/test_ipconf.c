/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/net/ipconf.c, the ip= parser: the short forms, a
 * full static line as the relay tests pass it, Linux's defaults (an
 * empty autoconf is DHCP without an address, static with one; a missing
 * netmask is the class mask), DNS fields, and the rejections: bad
 * addresses, masks with holes, unsafe names, unknown words, too many
 * fields.
 */
#include <cairn/errno.h>

#include <lib/net/ipconf.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

static void test_short_forms(void **state)
{
	struct ipconf c;

	(void)state;
	assert_int_equal(ipconf_parse(NULL, &c), 0);
	assert_int_equal(c.mode, IPCONF_DHCP);
	assert_int_equal(ipconf_parse("", &c), 0);
	assert_int_equal(c.mode, IPCONF_DHCP);
	for (const char **w = (const char *[]){ "dhcp", "on", "any", "both", NULL }; *w; w++) {
		assert_int_equal(ipconf_parse(*w, &c), 0);
		assert_int_equal(c.mode, IPCONF_DHCP);
	}
	assert_int_equal(ipconf_parse("off", &c), 0);
	assert_int_equal(c.mode, IPCONF_OFF);
	assert_int_equal(ipconf_parse("none", &c), 0);
	assert_int_equal(c.mode, IPCONF_OFF);
	assert_int_equal(ipconf_parse("bootp", &c), -EOPNOTSUPP);
	assert_int_equal(ipconf_parse("dhcpx", &c), -EINVAL);
}

static void test_static(void **state)
{
	struct ipconf c;

	(void)state;
	assert_int_equal(ipconf_parse("192.168.7.2::192.168.7.1:255.255.255.0::eth0:off", &c), 0);
	assert_int_equal(c.mode, IPCONF_STATIC);
	assert_int_equal(c.addr, 0xc0a80702u);
	assert_int_equal(c.server, 0);
	assert_int_equal(c.gw, 0xc0a80701u);
	assert_int_equal(c.netmask, 0xffffff00u);
	assert_string_equal(c.dev, "eth0");
	assert_string_equal(c.hostname, "");

	assert_int_equal(ipconf_parse("10.0.2.15:::::", &c), 0); /* class A's mask */
	assert_int_equal(c.mode, IPCONF_STATIC);
	assert_int_equal(c.netmask, 0xff000000u);
	assert_int_equal(ipconf_parse("172.16.0.9", &c), 0);
	assert_int_equal(c.netmask, 0xffff0000u);
	assert_int_equal(ipconf_parse("10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0:box:eth1:none:"
	                              "10.0.2.3:9.9.9.9",
	                              &c),
	                 0);
	assert_string_equal(c.hostname, "box");
	assert_string_equal(c.dev, "eth1");
	assert_int_equal(c.server, 0x0a000202u);
	assert_int_equal(c.dns[0], 0x0a000203u);
	assert_int_equal(c.dns[1], 0x09090909u);
}

static void test_dhcp_fields(void **state)
{
	struct ipconf c;

	(void)state;
	assert_int_equal(ipconf_parse(":::::eth0:dhcp", &c), 0);
	assert_int_equal(c.mode, IPCONF_DHCP);
	assert_string_equal(c.dev, "eth0");
	assert_int_equal(ipconf_parse(":::::eth0:", &c), 0); /* no address: DHCP as Linux */
	assert_int_equal(c.mode, IPCONF_DHCP);
	assert_int_equal(ipconf_parse(":::::eth0:off", &c), 0);
	assert_int_equal(c.mode, IPCONF_OFF);
}

static void test_rejected(void **state)
{
	static const char *bad[] = {
		"10.0.2",
		"10.0.2.256",
		"10.0.2.15.1",
		"10..2.15",
		"1000.0.0.1",
		" 10.0.2.15",
		"10.0.2.15:::255.0.255.0",
		"10.0.2.15::::bad name",
		"10.0.2.15::::a\nb",
		"10.0.2.15:::::eth0:foo",
		"1:2:3:4:5:6:7:8:9:10:11",
		"10.0.2.15:::::abcdefghijklmnopq",
	};
	struct ipconf c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&c, 0x5a, sizeof(c));
		assert_int_equal(ipconf_parse(bad[i], &c), -EINVAL);
	}
}

static void test_addr(void **state)
{
	uint32_t a;

	(void)state;
	assert_int_equal(ipconf_parse_addr("0.0.0.0", 7, &a), 0);
	assert_int_equal(a, 0);
	assert_int_equal(ipconf_parse_addr("255.255.255.255", 15, &a), 0);
	assert_int_equal(a, 0xffffffffu);
	assert_int_equal(ipconf_parse_addr("1.2.3.4x", 7, &a), 0); /* only @len bytes count */
	assert_int_equal(a, 0x01020304u);
	assert_int_equal(ipconf_parse_addr("1.2.3.", 6, &a), -EINVAL);
	assert_int_equal(ipconf_parse_addr("", 0, &a), -EINVAL);
	assert_int_equal(ipconf_class_mask(0xc0000201u), 0xffffff00u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_forms), cmocka_unit_test(test_static),
		cmocka_unit_test(test_dhcp_fields), cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
