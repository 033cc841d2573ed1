/* Two processes increment a counter in MAP_SHARED|MAP_ANONYMOUS memory with
 * a plain read-modify-write: a lost update. -DFIXED: a process-shared mutex.
 * Exit status 1 when the final count is wrong. Minimal interleaving: one
 * preemption (between the child's load and its store). */
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct shared {
  pthread_mutex_t lock;
  long counter;
};

int main(void) {
  struct shared* s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&s->lock, &a);
  enum { kProcs = 2, kIncs = 2 };
  for (int p = 0; p < kProcs; ++p) {
    if (fork() == 0) {
      for (int i = 0; i < kIncs; ++i) {
#ifdef FIXED
        pthread_mutex_lock(&s->lock);
#endif
        long v = s->counter;
        s->counter = v + 1;
#ifdef FIXED
        pthread_mutex_unlock(&s->lock);
#endif
      }
      _exit(0);
    }
  }
  for (int p = 0; p < kProcs; ++p) wait(NULL);
  if (s->counter != kProcs * kIncs) {
    printf("lost update: counter %ld, expected %d\n", s->counter, kProcs * kIncs);
    return 1;
  }
  return 0;
}
