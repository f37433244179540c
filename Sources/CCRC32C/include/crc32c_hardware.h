#ifndef WATTLINE_CRC32C_HARDWARE_H
#define WATTLINE_CRC32C_HARDWARE_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has the SSE4.2 `crc32` instruction (x86-64), else 0: `wattline_crc32c_hardware_update` may be
/// called only then.
int wattline_crc32c_hardware_available(void);

/// Continues a CRC-32C over `count` bytes at `bytes`. `crc` is the raw register (already inverted: the caller
/// does the initial and final XOR), so the result equals the table-driven code's inner loop.
uint32_t wattline_crc32c_hardware_update(uint32_t crc, const uint8_t *bytes, size_t count);

#endif
