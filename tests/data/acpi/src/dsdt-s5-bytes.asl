/*
 * SPDX-License-Identifier: MIT
 * A DSDT whose sleep packages use the short encodings: ZeroOp, OneOp and
 * BytePrefix (ACPI 6.5, 20.2.3), a one-byte PkgLength, and two decoys
 * the \_S5 reader must step over: a string "_S5_" and an _S5_ inside a
 * name path. Compiled by tools/acpi-dump.sh (iasl).
 */
DefinitionBlock ("", "DSDT", 2, "CAIRN ", "S5BYTES", 0x00000001)
{
    Name (STR0, "_S5_")
    Scope (\_SB)
    {
        Device (S5D)
        {
            Name (_HID, "CAIR0001")
            Method (_STA, 0, NotSerialized)
            {
                Return (0x0F)
            }
        }
    }

    Method (GS5, 0, NotSerialized)
    {
        Return (SizeOf (\_S5))
    }

    Name (_S3, Package () { One, One, Zero, Zero })
    Name (_S4, Package () { 0x06, 0x06, Zero, Zero })
    Name (_S5, Package () { 0x05, 0x07, Zero, Zero })
}
