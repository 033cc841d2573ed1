// bank_transfer_threads.cpp: teller threads move money between two accounts
// held in std::atomic<long>; an auditor thread checks the total.
//
// Bug (atomicity violation with atomics): a transfer is `from.store(from.load()
// - amount); to.store(to.load() + amount);`. Every access is atomic, the
// read-modify-write is not.
// Minimal interleaving (1 preemption): teller A loads `a` (100), is preempted;
// teller B loads `a` (100), stores 90; A stores 90. Ten units vanish and the
// final check `a + b == 200` fails (exit 1).
// Fix (-DFIXED): fetch_sub / fetch_add, each one atomic read-modify-write
// (the total can still look off to a reader mid-transfer, so the check is at
// the end, after join).
//
// Shape: pthread_create threads, 2 tellers x 3 transfers (about 24 atomic ops).
#include <pthread.h>

#include <atomic>
#include <cstdio>

namespace {

std::atomic<long> account_a{100};
std::atomic<long> account_b{100};
constexpr int kTransfers = 3;

void transfer(std::atomic<long>& from, std::atomic<long>& to, long amount) {
#ifdef FIXED
  from.fetch_sub(amount);
  to.fetch_add(amount);
#else
  from.store(from.load() - amount);
  to.store(to.load() + amount);
#endif
}

void* teller(void* arg) {
  const long amount = reinterpret_cast<long>(arg);
  for (int i = 0; i < kTransfers; ++i) {
    if (amount > 0)
      transfer(account_a, account_b, amount);
    else
      transfer(account_b, account_a, -amount);
  }
  return nullptr;
}

}  // namespace

int main() {
  pthread_t t[2];
  pthread_create(&t[0], nullptr, teller, reinterpret_cast<void*>(10L));
  pthread_create(&t[1], nullptr, teller, reinterpret_cast<void*>(-7L));
  for (pthread_t& x : t) pthread_join(x, nullptr);
  const long total = account_a.load() + account_b.load();
  if (total != 200) {
    std::fprintf(stderr, "bank_transfer: money %s: a=%ld b=%ld total=%ld\n", total < 200 ? "lost" : "created",
                 account_a.load(), account_b.load(), total);
    return 1;
  }
  return 0;
}
