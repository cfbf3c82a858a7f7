/* SPDX-License-Identifier: MIT */
/* What lib/part's MBR and GPT readers share (lib/part only). */
#pragma once

#include <lib/part/part.h>

/* Block 0 in dev->buf: whether it is an MBR (signature, sane status bytes). */
bool mbr_valid(const uint8_t *b);
/* Whether the MBR in @b has a protective (0xEE) entry: the disk is GPT. */
bool mbr_protective(const uint8_t *b);
/* Read the MBR in dev->buf (and its extended chain) into @t. */
int mbr_parse(const struct part_dev *dev, struct part_table *t);
/* Read the GPT of @dev into @t: the primary, or the backup. */
int gpt_parse(const struct part_dev *dev, struct part_table *t);
