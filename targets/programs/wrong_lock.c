/* wrong_lock.c: a cache segment shared by a writer and a janitor process has
 * two process-shared mutexes, one per field: `entries_lock` guards `entries`,
 * `bytes_lock` guards `bytes`.
 *
 * Bug (inconsistent locking): the janitor updates `entries` holding
 * `bytes_lock`, the wrong lock, so its update and the writer's are not
 * mutually exclusive.
 * Minimal interleaving (1 preemption): the writer, holding entries_lock, loads
 * entries (n) and is preempted; the janitor, holding bytes_lock, loads n and
 * stores n-1; the writer stores n+1. The janitor's decrement is lost and the
 * parent's check `entries == INSERTS - EVICTIONS` fails (exit 1).
 * Fix (-DFIXED): the janitor takes entries_lock for `entries`.
 *
 * Shape: MAP_SHARED|MAP_ANONYMOUS memory inherited over fork, two locks,
 * 3 processes (parent checks), about 40 shared accesses.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define INSERTS 4
#define EVICTIONS 3

struct cache {
  pthread_mutex_t entries_lock;
  pthread_mutex_t bytes_lock;
  long entries;
  long bytes;
};

static void writer(struct cache* c) {
  for (int i = 0; i < INSERTS; ++i) {
    pthread_mutex_lock(&c->entries_lock);
    c->entries = c->entries + 1;
    pthread_mutex_unlock(&c->entries_lock);
    pthread_mutex_lock(&c->bytes_lock);
    c->bytes = c->bytes + 64;
    pthread_mutex_unlock(&c->bytes_lock);
  }
}

static void janitor(struct cache* c) {
  for (int i = 0; i < EVICTIONS; ++i) {
    pthread_mutex_lock(&c->bytes_lock);
    c->bytes = c->bytes - 64;
#ifdef FIXED
    pthread_mutex_unlock(&c->bytes_lock);
    pthread_mutex_lock(&c->entries_lock);
    c->entries = c->entries - 1;
    pthread_mutex_unlock(&c->entries_lock);
#else
    c->entries = c->entries - 1; /* still under bytes_lock: the wrong lock */
    pthread_mutex_unlock(&c->bytes_lock);
#endif
  }
}

static pid_t spawn(void (*fn)(struct cache*), struct cache* c) {
  pid_t p = fork();
  if (p == 0) {
    fn(c);
    _exit(0);
  }
  return p;
}

int main(void) {
  struct cache* c = mmap(NULL, sizeof *c, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (c == MAP_FAILED) {
    perror("mmap");
    return 99;
  }
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&c->entries_lock, &a);
  pthread_mutex_init(&c->bytes_lock, &a);
  /* the janitor only evicts what exists: start with EVICTIONS entries */
  c->entries = EVICTIONS;
  c->bytes = 64 * EVICTIONS;

  pid_t w = spawn(writer, c), j = spawn(janitor, c);
  if (w < 0 || j < 0) {
    perror("fork");
    return 99;
  }
  int sw = 0, sj = 0;
  waitpid(w, &sw, 0);
  waitpid(j, &sj, 0);
  if (!WIFEXITED(sw) || !WIFEXITED(sj)) return 98;
  const long want = EVICTIONS + INSERTS - EVICTIONS;
  if (c->entries != want || c->bytes != 64 * want) {
    fprintf(stderr, "wrong_lock: entries=%ld bytes=%ld, expected %ld and %ld\n", c->entries, c->bytes, want,
            64 * want);
    return 1;
  }
  return 0;
}
