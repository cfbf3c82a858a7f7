/*
 * SPDX-License-Identifier: MIT
 * A DSDT where \_S5 is a control method, which the minimal AML reader does
 * not evaluate: it must answer "not found" rather than misread the method
 * body. \_S3 is a plain package and must still be found. Compiled by
 * tools/acpi-dump.sh (iasl).
 */
DefinitionBlock ("", "DSDT", 2, "CAIRN ", "S5METHOD", 0x00000001)
{
    Name (_S3, Package () { One, One })
    Method (_S5, 0, NotSerialized)
    {
        Return (Package () { 0x05, 0x05 })
    }
}
