/*
 * SPDX-License-Identifier: MIT
 * A MADT (ACPI 6.5, 5.2.12) with every entry type lib/acpi decodes:
 * xAPIC and x2APIC CPUs that are enabled, online-capable or neither,
 * two I/O APICs, overrides with each polarity/trigger, NMI entries for
 * both APIC kinds, a local APIC address override, and an I/O SAPIC that
 * the parser must step over. Compiled by tools/acpi-dump.sh (iasl).
 */
[0004]                          Signature : "APIC"
[0004]                       Table Length : 00000000
[0001]                           Revision : 05
[0001]                           Checksum : 00
[0006]                             Oem ID : "CAIRN "
[0008]                       Oem Table ID : "X2APIC  "
[0004]                       Oem Revision : 00000001
[0004]                    Asl Compiler ID : "INTL"
[0004]              Asl Compiler Revision : 20200925

[0004]                 Local Apic Address : FEE00000
[0004]              Flags (decoded below) : 00000001
                        PC-AT Compatibility : 1

/* CPU 0: xAPIC, enabled. */
[0001]                      Subtable Type : 00
[0001]                             Length : 08
[0001]                       Processor ID : 00
[0001]                      Local Apic ID : 00
[0004]              Flags (decoded below) : 00000001
                          Processor Enabled : 1
                     Runtime Online Capable : 0

/* xAPIC, neither enabled nor online-capable: ignored. */
[0001]                      Subtable Type : 00
[0001]                             Length : 08
[0001]                       Processor ID : 01
[0001]                      Local Apic ID : 01
[0004]              Flags (decoded below) : 00000000
                          Processor Enabled : 0
                     Runtime Online Capable : 0

/* CPU 1: xAPIC, online-capable (hot-pluggable). */
[0001]                      Subtable Type : 00
[0001]                             Length : 08
[0001]                       Processor ID : 02
[0001]                      Local Apic ID : 02
[0004]              Flags (decoded below) : 00000002
                          Processor Enabled : 0
                     Runtime Online Capable : 1

[0001]                      Subtable Type : 01
[0001]                             Length : 0C
[0001]                        I/O Apic ID : 00
[0001]                           Reserved : 00
[0004]                            Address : FEC00000
[0004]                          Interrupt : 00000000

[0001]                      Subtable Type : 01
[0001]                             Length : 0C
[0001]                        I/O Apic ID : 01
[0001]                           Reserved : 00
[0004]                            Address : FEC01000
[0004]                          Interrupt : 00000018

/* IRQ0 -> GSI 2, conforming to the bus (ISA: active high, edge). */
[0001]                      Subtable Type : 02
[0001]                             Length : 0A
[0001]                                Bus : 00
[0001]                             Source : 00
[0004]                          Interrupt : 00000002
[0002]              Flags (decoded below) : 0000
                                   Polarity : 0
                               Trigger Mode : 0

/* IRQ9 -> GSI 9, active high, level. */
[0001]                      Subtable Type : 02
[0001]                             Length : 0A
[0001]                                Bus : 00
[0001]                             Source : 09
[0004]                          Interrupt : 00000009
[0002]              Flags (decoded below) : 000D
                                   Polarity : 1
                               Trigger Mode : 3

/* IRQ10 -> GSI 20, active low, level. */
[0001]                      Subtable Type : 02
[0001]                             Length : 0A
[0001]                                Bus : 00
[0001]                             Source : 0A
[0004]                          Interrupt : 00000014
[0002]              Flags (decoded below) : 000F
                                   Polarity : 3
                               Trigger Mode : 3

/* IRQ11 -> GSI 11, active low, edge. */
[0001]                      Subtable Type : 02
[0001]                             Length : 0A
[0001]                                Bus : 00
[0001]                             Source : 0B
[0004]                          Interrupt : 0000000B
[0002]              Flags (decoded below) : 0007
                                   Polarity : 3
                               Trigger Mode : 1

[0001]                      Subtable Type : 03
[0001]                             Length : 08
[0002]              Flags (decoded below) : 000D
                                   Polarity : 1
                               Trigger Mode : 3
[0004]                          Interrupt : 00000017

/* LINT1 is NMI on every xAPIC processor (UID 0xFF). */
[0001]                      Subtable Type : 04
[0001]                             Length : 06
[0001]                       Processor ID : FF
[0002]              Flags (decoded below) : 0005
                                   Polarity : 1
                               Trigger Mode : 1
[0001]               Interrupt Input LINT : 01

[0001]                      Subtable Type : 05
[0001]                             Length : 0C
[0002]                           Reserved : 0000
[0008]                       APIC Address : 00000000FEE80000

/* An I/O SAPIC: not ours, skipped by length. */
[0001]                      Subtable Type : 06
[0001]                             Length : 10
[0001]                       I/O Sapic ID : 07
[0001]                           Reserved : 00
[0004]                     Interrupt Base : 00000040
[0008]                            Address : 00000000FEC80000

/* CPU 2: x2APIC ID 0x100, enabled. */
[0001]                      Subtable Type : 09
[0001]                             Length : 10
[0002]                           Reserved : 0000
[0004]                Processor x2Apic ID : 00000100
[0004]              Flags (decoded below) : 00000001
                          Processor Enabled : 1
[0004]                      Processor UID : 00000003

/* x2APIC, neither enabled nor online-capable: ignored. */
[0001]                      Subtable Type : 09
[0001]                             Length : 10
[0002]                           Reserved : 0000
[0004]                Processor x2Apic ID : 00000101
[0004]              Flags (decoded below) : 00000000
                          Processor Enabled : 0
[0004]                      Processor UID : 00000004

/*
 * CPU 3: x2APIC ID 0x102, enabled. (iasl 20200925 has no online-capable
 * flag for x2APIC entries; the host test patches that bit in itself.)
 */
[0001]                      Subtable Type : 09
[0001]                             Length : 10
[0002]                           Reserved : 0000
[0004]                Processor x2Apic ID : 00000102
[0004]              Flags (decoded below) : 00000001
                          Processor Enabled : 1
[0004]                      Processor UID : 00000005

/* LINT1 is NMI on every x2APIC processor (UID 0xFFFFFFFF). */
[0001]                      Subtable Type : 0A
[0001]                             Length : 0C
[0002]              Flags (decoded below) : 0000
                                   Polarity : 0
                               Trigger Mode : 0
[0004]                      Processor UID : FFFFFFFF
[0001]               Interrupt Input LINT : 01
[0003]                           Reserved : 000000

/* LINT0 is NMI, active low, level, on processor UID 3 only. */
[0001]                      Subtable Type : 0A
[0001]                             Length : 0C
[0002]              Flags (decoded below) : 000F
                                   Polarity : 3
                               Trigger Mode : 3
[0004]                      Processor UID : 00000003
[0001]               Interrupt Input LINT : 00
[0003]                           Reserved : 000000
