/* sleep_handoff.c: a sampler process writes a reading into shared memory
 * every 50 ms; a reporter process collects ROUNDS readings. Their only
 * synchronisation is time: nanosleep, a polling loop with timed sleeps, and
 * an alarm() watchdog. (The virtual-time benchmark: the program sleeps
 * ROUNDS x 50 ms per process, 150 ms, on every run.)
 *
 * Bug (sleep used as synchronisation): the reporter sleeps as long as the
 * sampler does and then reads, assuming the sample is there by then ("the
 * sampler needs far less than 50 ms").
 * Minimal interleaving (1 preemption): both sleeps end at the same instant;
 * the reporter runs first and reads the previous round's reading: exit 1.
 * Fix (-DFIXED): the sampler publishes a round number with the reading
 * (release store); the reporter polls it with 5 ms timed sleeps until the
 * round it wants is there (acquire load). The watchdog (alarm(5)) turns a
 * sampler that never delivers into exit 2.
 *
 * Shape: MAP_SHARED|MAP_ANONYMOUS, nanosleep, clock_gettime, alarm(),
 * fork/waitpid, 2 processes + the parent.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 3
#define PERIOD_MS 50

struct sample {
  int round;   /* the round the reading belongs to */
  long value;  /* the reading: round * 7 */
};

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0) {
  }
}

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "sleep_handoff: watchdog: no sample\n";
  write(2, msg, sizeof msg - 1);
  _exit(2);
}

int main(void) {
  struct sample* s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (s == MAP_FAILED) return 99;
  pid_t sampler = fork();
  if (sampler == 0) {
    for (int r = 1; r <= ROUNDS; ++r) {
      sleep_ms(PERIOD_MS);
      __atomic_store_n(&s->value, (long)r * 7, __ATOMIC_RELAXED);
      __atomic_store_n(&s->round, r, __ATOMIC_RELEASE);
    }
    _exit(0);
  }
  pid_t reporter = fork();
  if (reporter == 0) {
    signal(SIGALRM, on_alarm);
    alarm(5);
    for (int r = 1; r <= ROUNDS; ++r) {
#ifdef FIXED
      while (__atomic_load_n(&s->round, __ATOMIC_ACQUIRE) < r) sleep_ms(5);
#else
      sleep_ms(PERIOD_MS); /* "the sample is there by now" */
#endif
      long v = __atomic_load_n(&s->value, __ATOMIC_RELAXED);
      if (v < (long)r * 7) {
        fprintf(stderr, "sleep_handoff: round %d: read a stale sample %ld\n", r, v);
        _exit(1);
      }
    }
    _exit(0);
  }
  int ss = 0, sr = 0;
  waitpid(sampler, &ss, 0);
  waitpid(reporter, &sr, 0);
  if (!WIFEXITED(sr)) return 2;
  return WEXITSTATUS(sr);
}
