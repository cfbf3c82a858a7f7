/* SPDX-License-Identifier: MIT */
/*
 * Private to kernel/drivers/virtio/: the modern PCI transport's register
 * layout (virtio 1.2, 4.1.4), the device status bits (2.1), the built-in
 * device drivers and the transport's helpers the queue code shares.
 */
#pragma once

#include <stdint.h>

#include "drivers/virtio/virtio.h"

/* The vendor-specific capability that locates each structure (4.1.4). */
#define VIRTIO_PCI_CAP_ID          0x09u /* PCI 3.0, 6.7: vendor specific */
#define VIRTIO_PCI_CAP_CFG_TYPE    3u    /* u8 cfg_type */
#define VIRTIO_PCI_CAP_BAR         4u    /* u8 bar */
#define VIRTIO_PCI_CAP_OFFSET      8u    /* le32 offset within the BAR */
#define VIRTIO_PCI_CAP_LENGTH      12u   /* le32 length */
#define VIRTIO_PCI_CAP_NOTIFY_MULT 16u   /* le32 notify_off_multiplier (4.1.4.4) */

#define VIRTIO_PCI_CAP_COMMON_CFG 1u
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2u
#define VIRTIO_PCI_CAP_ISR_CFG    3u
#define VIRTIO_PCI_CAP_DEVICE_CFG 4u

/* struct virtio_pci_common_cfg (4.1.4.3), byte offsets. */
#define VIRTIO_COMMON_DFSELECT 0x00u /* le32 device_feature_select */
#define VIRTIO_COMMON_DF       0x04u /* le32 device_feature */
#define VIRTIO_COMMON_GFSELECT 0x08u /* le32 driver_feature_select */
#define VIRTIO_COMMON_GF       0x0Cu /* le32 driver_feature */
#define VIRTIO_COMMON_MSIX     0x10u /* le16 config_msix_vector */
#define VIRTIO_COMMON_NUMQ     0x12u /* le16 num_queues */
#define VIRTIO_COMMON_STATUS   0x14u /* u8 device_status */
#define VIRTIO_COMMON_CFGGEN   0x15u /* u8 config_generation */
#define VIRTIO_COMMON_Q_SELECT 0x16u /* le16 queue_select */
#define VIRTIO_COMMON_Q_SIZE   0x18u /* le16 queue_size */
#define VIRTIO_COMMON_Q_MSIX   0x1Au /* le16 queue_msix_vector */
#define VIRTIO_COMMON_Q_ENABLE 0x1Cu /* le16 queue_enable */
#define VIRTIO_COMMON_Q_NOFF   0x1Eu /* le16 queue_notify_off */
#define VIRTIO_COMMON_Q_DESC   0x20u /* le64 queue_desc */
#define VIRTIO_COMMON_Q_DRIVER 0x28u /* le64 queue_driver (the available ring) */
#define VIRTIO_COMMON_Q_DEVICE 0x30u /* le64 queue_device (the used ring) */
#define VIRTIO_COMMON_MIN_LEN  0x38u /* everything above */
#define VIRTIO_MSI_NO_VECTOR   0xffffu

/* device_status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER      2u
#define VIRTIO_STATUS_DRIVER_OK   4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED      128u

/* ISR status bits (4.1.4.5). */
#define VIRTIO_ISR_QUEUE  1u
#define VIRTIO_ISR_CONFIG 2u

/* The built-in device drivers (virtio_pci.c's table). */
extern const struct virtio_driver virtio_blk_driver;
extern const struct virtio_driver virtio_net_driver;

/* Status register access (virtio_pci.c). */
uint8_t virtio_get_status(struct virtio_dev *vd);
void virtio_set_status(struct virtio_dev *vd, uint8_t status);
/* Reset the device and wait (bounded) for it to read back 0 (4.1.4.3.2). 0 or -ETIMEDOUT. */
int __must_check virtio_reset(struct virtio_dev *vd);

/* Queues (virtqueue.c). */
/* Finish what the device completed on @vq (interrupt context). */
void virtqueue_drain(struct virtqueue *vq);
/* Fail the device when a queue has waited too long (the watchdog). */
void virtqueue_check_stalled(struct virtqueue *vq, uint64_t now);
/* Complete every request still on @vq with -EIO (after a reset). */
void virtqueue_cancel_all(struct virtqueue *vq);
/* Free the queues' memory and vectors (the device is reset). */
void virtio_free_queues(struct virtio_dev *vd);
