/*
 * SPDX-License-Identifier: MIT
 * A DSDT whose sleep packages use the wide encodings: WordPrefix,
 * DWordPrefix and QWordPrefix (ACPI 6.5, 20.2.3), a root-prefixed name
 * (\_S5 declared inside another scope), and a package long enough for a
 * two-byte PkgLength (20.2.4). The values are not meaningful sleep types;
 * they only prove the reader decodes each form. Compiled by
 * tools/acpi-dump.sh (iasl).
 */
DefinitionBlock ("", "DSDT", 2, "CAIRN ", "S5WIDE", 0x00000001)
{
    Scope (\_SB)
    {
        Name (\_S4, Package () { 0x0000000100000005, One })
        Name (\_S5, Package () {
            0x0105, 0x00070006,
            0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF,
            0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF,
            0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF,
            0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF
        })
    }
}
