/* tally.c: two worker processes add their counts to a tally in
 * MAP_SHARED|MAP_ANONYMOUS memory with a plain read-modify-write: a lost
 * update (1 preemption: between a worker's load and its store). -DFIXED: a
 * process-shared mutex. Exit status 1 when the tally is wrong. */
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct tally {
  pthread_mutex_t lock;
  long total;
};

int main(void) {
  struct tally* t = mmap(NULL, sizeof *t, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&t->lock, &a);
  for (int w = 0; w < 2; ++w) {
    if (fork() == 0) {
      for (int i = 0; i < 2; ++i) {
#ifdef FIXED
        pthread_mutex_lock(&t->lock);
#endif
        long v = t->total;
        t->total = v + 1;
#ifdef FIXED
        pthread_mutex_unlock(&t->lock);
#endif
      }
      _exit(0);
    }
  }
  while (wait(NULL) > 0) {
  }
  if (t->total != 4) {
    printf("lost update: tally %ld, expected 4\n", t->total);
    return 1;
  }
  return 0;
}
