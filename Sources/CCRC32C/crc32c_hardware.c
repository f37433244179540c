// CRC-32C with the SSE4.2 `crc32` instruction, which Swift cannot emit itself: eight bytes per instruction, about
// five times the table-driven Swift code. Compiled for SSE4.2 through the function's target attribute only (no
// package-wide flags), and called only after `wattline_crc32c_hardware_available` said the CPU has it.
#include "crc32c_hardware.h"

#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>

int wattline_crc32c_hardware_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

__attribute__((target("sse4.2")))
uint32_t wattline_crc32c_hardware_update(uint32_t crc, const uint8_t *bytes, size_t count) {
    uint64_t c = crc;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);  // unaligned load
        c = _mm_crc32_u64(c, word);
        bytes += 8;
        count -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (count > 0) {
        c32 = _mm_crc32_u8(c32, *bytes);
        bytes += 1;
        count -= 1;
    }
    return c32;
}

#else

int wattline_crc32c_hardware_available(void) { return 0; }

uint32_t wattline_crc32c_hardware_update(uint32_t crc, const uint8_t *bytes, size_t count) {
    (void)bytes;
    (void)count;
    return crc;  // never called: not available
}

#endif
