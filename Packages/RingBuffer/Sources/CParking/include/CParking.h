// Parking a thread on a 32-bit word, and the CPU's spin-wait hint: the only C the ring buffer needs.
// `syscall(SYS_futex, ...)` is variadic, which Swift cannot call, hence these wrappers.
// Only RingBuffer's out-of-line slow paths call them, so no C type reaches RingBuffer's public or inlinable API.

#ifndef CPARKING_H
#define CPARKING_H

#include <stdint.h>

/// Sleeps while the 32-bit integer at `word` equals `expected`. Returns at once when the word already differs, when woken by
/// `cparking_wake`, or spuriously (signals): the caller re-checks its condition in a loop.
void cparking_wait(void *word, uint32_t expected);

/// Wakes at most `count` threads sleeping in `cparking_wait` on the 32-bit integer at `word`.
void cparking_wake(void *word, int32_t count);

/// Registers the process for `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`: 1 when `cparking_process_barrier` may be
/// used from now on, 0 when the kernel (or a seccomp filter, or the platform) does not offer it.
int32_t cparking_register_process_barrier(void);

/// A full memory barrier executed by every thread of this process that is running right now (threads that are not
/// running get one when they are next scheduled). A few microseconds: for slow paths only. 0 on success.
int32_t cparking_process_barrier(void);

/// Does nothing, out of line: a call the compiler cannot see into, so it moves no memory access across it.
/// Emits no fence instruction.
void cparking_compiler_barrier(void);

/// Processors this thread may run on (its affinity mask, so cpusets and `taskset` count), at least 1.
int32_t cparking_available_processors(void);

/// The spin-wait hint (`pause` on x86, `yield` on ARM): lets the sibling hyperthread run and saves power in spin loops.
static inline void cparking_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

#endif
