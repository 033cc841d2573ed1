// The mechanism: a bank account in POSIX shared memory that several processes
// withdraw from. Withdrawing checks the balance, then stores the new one.
//  - racy:   check-then-act with nothing held (two withdrawals both pass the
//            check: the balance goes negative);
//  - locked: the check and the store under a process-shared pthread mutex.
// Every shared access goes through the harness (Cell, blocking), so ipcrace
// decides which process runs at each of them.
#pragma once
#include <pthread.h>

#include <optional>

#include "ipcrace/actor.hpp"
#include "ipcrace/faults.hpp"
#include "ipcrace/target.hpp"

namespace example {

struct AccountShared {
  long balance;
  long withdrawn;
  pthread_mutex_t mutex;
};

class Account {
 public:
  Account() = default;
  Account(ipcrace::RunContext& ctx, long balance, bool locked) : locked_(locked) {
    s_ = static_cast<AccountShared*>(ctx.shm("account", sizeof(AccountShared)));
    s_->balance = balance;
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_setpshared(&at, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&s_->mutex, &at);
    pthread_mutexattr_destroy(&at);
    balance_ = ipcrace::Cell<long>(&s_->balance, ctx.resource("account.balance"));
    withdrawn_ = ipcrace::Cell<long>(&s_->withdrawn, ctx.resource("account.withdrawn"));
    lock_ = ctx.resource("account.lock");
  }

  // Withdraw `amount` if the balance covers it; true when it did.
  bool withdraw(long amount) {
    lock();
    bool ok = balance_.load("balance.check") >= amount;
    if (ok) {
      balance_.store(balance_.load("balance.load") - amount, "balance.store");
      withdrawn_.store(withdrawn_.load("withdrawn.load") + amount, "withdrawn.store");
    }
    unlock();
    return ok;
  }
  long balance() const { return s_->balance; }
  long withdrawn() const { return s_->withdrawn; }
  void destroy() {
    if (s_) pthread_mutex_destroy(&s_->mutex);
  }

 private:
  // The gate's self-test (IPCRACE_INJECT=no-lock) removes the lock.
  bool use_lock() const { return locked_ && !ipcrace::fault_injected("no-lock"); }
  void lock() {
    if (!use_lock()) return;
    ipcrace::this_actor().blocking(ipcrace::OpKind::lock, lock_, "account.lock", [this]() -> std::optional<bool> {
      if (pthread_mutex_trylock(&s_->mutex) == 0) return true;
      return std::nullopt;
    });
  }
  void unlock() {
    if (!use_lock()) return;
    ipcrace::this_actor().point(ipcrace::OpKind::unlock, lock_, "account.unlock");
    pthread_mutex_unlock(&s_->mutex);
  }

  AccountShared* s_ = nullptr;
  bool locked_ = false;
  ipcrace::Cell<long> balance_, withdrawn_;
  ipcrace::Resource lock_;
};

}  // namespace example
