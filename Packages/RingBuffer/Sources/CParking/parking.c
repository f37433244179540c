#define _GNU_SOURCE
#include "CParking.h"

#if defined(__linux__)

#include <linux/futex.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// FUTEX_*_PRIVATE: the word is never shared between processes, so the kernel may skip the shared-mapping lookup.
void cparking_wait(void *word, uint32_t expected) {
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, (const struct timespec *)0, (uint32_t *)0, 0);
}

void cparking_wake(void *word, int32_t count) {
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, count, (const struct timespec *)0, (uint32_t *)0, 0);
}

int32_t cparking_register_process_barrier(void) {
    long commands = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (commands < 0 || !(commands & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return 0;
    return syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0 ? 1 : 0;
}

int32_t cparking_process_barrier(void) {
    return syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0 ? 0 : -1;
}

int32_t cparking_available_processors(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        int count = CPU_COUNT(&set);
        if (count > 0) return count;
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int32_t)online : 1;
}

#elif defined(__APPLE__)

// Untested here (Wattline runs on Linux): macOS 14.4's address wait, else a 100 µs poll, which the caller's loop
// turns into a slow spin rather than a lost wakeup.
#include <sys/sysctl.h>
#include <unistd.h>
#if __has_include(<os/os_sync_wait_on_address.h>)
#include <os/os_sync_wait_on_address.h>
#define CPARKING_HAS_OS_SYNC 1
#endif

void cparking_wait(void *word, uint32_t expected) {
#if CPARKING_HAS_OS_SYNC
    if (__builtin_available(macOS 14.4, iOS 17.4, *)) {
        os_sync_wait_on_address(word, expected, sizeof(uint32_t), OS_SYNC_WAIT_ON_ADDRESS_NONE);
        return;
    }
#endif
    if (__atomic_load_n((uint32_t *)word, __ATOMIC_RELAXED) == expected) usleep(100);
}

void cparking_wake(void *word, int32_t count) {
#if CPARKING_HAS_OS_SYNC
    if (__builtin_available(macOS 14.4, iOS 17.4, *)) {
        if (count == 1) {
            os_sync_wake_by_address_any(word, sizeof(uint32_t), OS_SYNC_WAKE_BY_ADDRESS_NONE);
        } else {
            os_sync_wake_by_address_all(word, sizeof(uint32_t), OS_SYNC_WAKE_BY_ADDRESS_NONE);
        }
    }
#endif
    (void)word;
    (void)count;
}

int32_t cparking_register_process_barrier(void) { return 0; }

int32_t cparking_process_barrier(void) { return -1; }

int32_t cparking_available_processors(void) {
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int32_t)online : 1;
}

#else
#error "CParking: no thread-parking primitive for this platform"
#endif

void cparking_compiler_barrier(void) {
    __asm__ __volatile__("" ::: "memory");
}
