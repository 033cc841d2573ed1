/* A child publishes a value in shared memory and raises a flag; the parent
 * spins on the flag with sched_yield() and then reads the value. The racy
 * build raises the flag before writing the value (exit status 1 when the
 * parent reads it too early). -DFIXED: value first, then the flag (C11
 * release/acquire). The spin loop parks instead of running to the step limit. */
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct shared {
  atomic_int flag;
  int value;
};

int main(void) {
  struct shared* s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (fork() == 0) {
#ifdef FIXED
    s->value = 42;
    atomic_store_explicit(&s->flag, 1, memory_order_release);
#else
    atomic_store_explicit(&s->flag, 1, memory_order_release);
    s->value = 42;
#endif
    _exit(0);
  }
  while (!atomic_load_explicit(&s->flag, memory_order_acquire)) sched_yield();
  int v = s->value;
  wait(NULL);
  if (v != 42) printf("read %d before it was published\n", v);
  return v == 42 ? 0 : 1;
}
