// The ThreadSanitizer instrumentation ABI (clang-14 -fsanitize=thread),
// implemented by ipcrace: every load, store and atomic of the program calls
// here. An access to private memory costs one compare; an access to shared
// memory (rt.hpp: shared_key) is a point, with its size and memory order.
#include "rt.hpp"

using namespace ipcrace;
using namespace ipcrace::rt;

namespace {

inline MemOrder order_of(int mo) {
  switch (mo) {  // __tsan_memory_order: relaxed, consume, acquire, release, acq_rel, seq_cst
    case 0: return MemOrder::relaxed;
    case 1:
    case 2: return MemOrder::acquire;
    case 3: return MemOrder::release;
    case 4: return MemOrder::acq_rel;
    default: return MemOrder::seq_cst;
  }
}

// `sync`: an atomic or volatile access, for which a flag in a thread's own
// frame that other threads set is shared too (rt.hpp: shared_key); a spin on
// it was no point at all and hung the run.
inline void access(const volatile void* p, uint32_t size, OpKind k, MemOrder o, const void* pc, bool sync = false) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(p);
  if (__builtin_expect(!maybe_shared(a), 1)) return;
  shm_access(k, a, size, o, pc, sync);
}

}  // namespace

extern "C" {

void __tsan_init() {}
void __tsan_func_entry(void*) {}
void __tsan_func_exit() {}
void __tsan_ignore_thread_begin() {}
void __tsan_ignore_thread_end() {}
void __tsan_vptr_read(void**) {}
void __tsan_vptr_update(void**, void*) {}

#define IPCRACE_ACCESS(n)                                                                                   \
  void __tsan_read##n(void* p) { access(p, n, OpKind::shm_load, MemOrder::plain, IPCRACE_PC); }            \
  void __tsan_write##n(void* p) { access(p, n, OpKind::shm_store, MemOrder::plain, IPCRACE_PC); }          \
  void __tsan_unaligned_read##n(void* p) { access(p, n, OpKind::shm_load, MemOrder::plain, IPCRACE_PC); }  \
  void __tsan_unaligned_write##n(void* p) { access(p, n, OpKind::shm_store, MemOrder::plain, IPCRACE_PC); } \
  void __tsan_volatile_read##n(void* p) { access(p, n, OpKind::shm_load, MemOrder::plain, IPCRACE_PC, true); } \
  void __tsan_volatile_write##n(void* p) { access(p, n, OpKind::shm_store, MemOrder::plain, IPCRACE_PC, true); } \
  void __tsan_read##n##_pc(void* p, void* pc) { access(p, n, OpKind::shm_load, MemOrder::plain, pc); }     \
  void __tsan_write##n##_pc(void* p, void* pc) { access(p, n, OpKind::shm_store, MemOrder::plain, pc); }
IPCRACE_ACCESS(1)
IPCRACE_ACCESS(2)
IPCRACE_ACCESS(4)
IPCRACE_ACCESS(8)
IPCRACE_ACCESS(16)
#undef IPCRACE_ACCESS

void __tsan_read_range(void* p, unsigned long n) { access(p, uint32_t(n), OpKind::shm_load, MemOrder::plain, IPCRACE_PC); }
void __tsan_write_range(void* p, unsigned long n) {
  access(p, uint32_t(n), OpKind::shm_store, MemOrder::plain, IPCRACE_PC);
}

#define IPCRACE_ATOMICS(bits, T)                                                                         \
  T __tsan_atomic##bits##_load(const volatile T* a, int mo) {                                            \
    access(a, sizeof(T), OpKind::shm_load, order_of(mo), IPCRACE_PC, true);                              \
    return __atomic_load_n(a, __ATOMIC_SEQ_CST);                                                          \
  }                                                                                                      \
  void __tsan_atomic##bits##_store(volatile T* a, T v, int mo) {                                         \
    access(a, sizeof(T), OpKind::shm_store, order_of(mo), IPCRACE_PC, true);                             \
    __atomic_store_n(a, v, __ATOMIC_SEQ_CST);                                                             \
  }                                                                                                      \
  T __tsan_atomic##bits##_exchange(volatile T* a, T v, int mo) {                                         \
    access(a, sizeof(T), OpKind::shm_rmw, order_of(mo), IPCRACE_PC, true);                               \
    return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST);                                                   \
  }                                                                                                      \
  T __tsan_atomic##bits##_fetch_add(volatile T* a, T v, int mo) {                                        \
    access(a, sizeof(T), OpKind::shm_rmw, order_of(mo), IPCRACE_PC, true);                               \
    return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST);                                                    \
  }                                                                                                      \
  T __tsan_atomic##bits##_fetch_sub(volatile T* a, T v, int mo) {                                        \
    access(a, sizeof(T), OpKind::shm_rmw, order_of(mo), IPCRACE_PC, true);                               \
    return __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST);                                                    \
  }                                                                                                      \
  T __tsan_atomic##bits##_fetch_and(volatile T* a, T v, int mo) {                                        \
    access(a, sizeof(T), OpKind::shm_rmw, order_of(mo), IPCRACE_PC, true);                               \
    return __atomic_fetch_and(a, v, __ATOMIC_SEQ_CST);                                                    \
  }                                                                                                      \
  T __tsan_atomic##bits##_fetch_or(volatile T* a, T v, int mo) {                                         \
    access(a, sizeof(T), OpKind::shm_rmw, order_of(mo), IPCRACE_PC, true);                               \
    return __atomic_fetch_or(a, v, __ATOMIC_SEQ_CST);                                                     \
  }                                                                                                      \
  T __tsan_atomic##bits##_fetch_xor(volatile T* a, T v, int mo) {                                        \
    access(a, sizeof(T), OpKind::shm_rmw, order_of(mo), IPCRACE_PC, true);                               \
    return __atomic_fetch_xor(a, v, __ATOMIC_SEQ_CST);                                                    \
  }                                                                                                      \
  T __tsan_atomic##bits##_fetch_nand(volatile T* a, T v, int mo) {                                       \
    access(a, sizeof(T), OpKind::shm_rmw, order_of(mo), IPCRACE_PC, true);                               \
    return __atomic_fetch_nand(a, v, __ATOMIC_SEQ_CST);                                                   \
  }                                                                                                      \
  int __tsan_atomic##bits##_compare_exchange_strong(volatile T* a, T* c, T v, int mo, int) {             \
    access(a, sizeof(T), OpKind::shm_rmw, order_of(mo), IPCRACE_PC, true);                               \
    return __atomic_compare_exchange_n(a, c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);               \
  }                                                                                                      \
  int __tsan_atomic##bits##_compare_exchange_weak(volatile T* a, T* c, T v, int mo, int) {               \
    access(a, sizeof(T), OpKind::shm_rmw, order_of(mo), IPCRACE_PC, true);                               \
    return __atomic_compare_exchange_n(a, c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);               \
  }                                                                                                      \
  T __tsan_atomic##bits##_compare_exchange_val(volatile T* a, T c, T v, int mo, int) {                   \
    access(a, sizeof(T), OpKind::shm_rmw, order_of(mo), IPCRACE_PC, true);                               \
    __atomic_compare_exchange_n(a, &c, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);                     \
    return c;                                                                                            \
  }
IPCRACE_ATOMICS(8, uint8_t)
IPCRACE_ATOMICS(16, uint16_t)
IPCRACE_ATOMICS(32, uint32_t)
IPCRACE_ATOMICS(64, uint64_t)
#undef IPCRACE_ATOMICS

void __tsan_atomic_thread_fence(int) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
void __tsan_atomic_signal_fence(int) { __atomic_signal_fence(__ATOMIC_SEQ_CST); }

}  // extern "C"
