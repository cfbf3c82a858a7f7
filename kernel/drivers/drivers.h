/* SPDX-License-Identifier: MIT */
/*
 * The built-in device drivers. pci_init() calls drivers_init() once the
 * buses are enumerated; each driver family registers its drivers there.
 */
#pragma once

/* Let every built-in driver family register (task context, once). Returns 0. */
int drivers_init(void);
