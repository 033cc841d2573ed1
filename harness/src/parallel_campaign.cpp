#include "ipcrace/parallel_campaign.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "cleanup.hpp"
#include "ipcrace/portfolio.hpp"
#include "ipcrace/rng.hpp"

namespace ipcrace {
namespace {

// Shared between the parent and its workers: live counters for progress, and
// the lowest finding index so far (stop_at_first: nobody runs past it).
struct Shared {
  std::atomic<int64_t> stop_index;
  std::atomic<bool> abandon;  // a worker died: the others stop after their run
  struct alignas(64) Counters {
    std::atomic<uint64_t> runs;
    std::atomic<uint64_t> findings;
  } worker[256];
};

void write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += size_t(n);
  }
}

// Worker w of n in the epoch [begin, end) of this shard's runs: its runs
// k = begin+w, begin+w+n, ..., each the global run index i = global_index(k)
// (without shards, k == i), and describe what happened. Lines: "F <index> <kind>" per finding,
// "C <index> <bytes>\n<schedule text>" for the first finding of each kind in
// this worker, "P <index> <pair hashes...>" per run under auto (its
// interleaving coverage), "R <runs> <pruned>", "S <summary>", or "E <error>".
std::string worker_body(const TargetInfo& target, CampaignOptions opts, int w, int n, uint64_t begin, uint64_t end,
                        Shared* sh) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  std::ostringstream out;
  Engine engine(target, opts.overrides, opts.run);
  StrategyOptions so = opts.strategy;
  prepare_strategy(engine, so);
  auto strategy = make_strategy(so);
  const bool portfolio = so.name == "auto";
  uint64_t runs = 0, pruned = 0;
  std::array<bool, kFindingKinds> kind_seen{};
  std::vector<RaceFinding> races;
  for (uint64_t k = begin + uint64_t(w); k < end; k += uint64_t(n)) {
    if (opts.runs && k >= opts.shard_runs()) break;
    const uint64_t i = opts.global_index(k);
    if (opts.seconds > 0 && std::chrono::duration<double>(clock::now() - t0).count() >= opts.seconds) break;
    if (opts.stop_at_first && int64_t(k) > sh->stop_index.load(std::memory_order_relaxed)) break;
    if (sh->abandon.load(std::memory_order_relaxed)) break;
    if (!strategy->new_run(i)) break;
    const uint64_t rs = run_seed(so.seed, i);
    RunResult r = engine.run(*strategy, rs);
    ++runs;
    sh->worker[w].runs.fetch_add(1, std::memory_order_relaxed);
    if (r.pruned) ++pruned;
    if (portfolio) {
      out << "P " << i;
      for (uint64_t h : interleaving_pairs(r)) out << ' ' << h;
      out << '\n';
    }
    if (!r.found()) continue;
    sh->worker[w].findings.fetch_add(1, std::memory_order_relaxed);
    out << "F " << i << ' ' << int(r.kind) << '\n';
    note_races(races, i, r, [&] {
      return schedule_from_run(target.name, engine.params(), opts.run.mode, so.name, so.seed, i, rs, r);
    });
    const auto kind = size_t(r.kind);
    if (!kind_seen[kind]) {
      kind_seen[kind] = true;
      std::string text =
          format_schedule(schedule_from_run(target.name, engine.params(), opts.run.mode, so.name, so.seed, i, rs, r));
      out << "C " << i << ' ' << text.size() << '\n' << text;
    }
    if (opts.stop_at_first) {
      int64_t cur = sh->stop_index.load(std::memory_order_relaxed);
      while (int64_t(k) < cur && !sh->stop_index.compare_exchange_weak(cur, int64_t(k))) {
      }
      break;
    }
  }
  for (const RaceFinding& f : races) {  // "X <run> <runs> <bytes>\n<schedule text>" per site pair
    const std::string text = format_schedule(f.schedule);
    out << "X " << f.run << ' ' << f.runs << ' ' << text.size() << '\n' << text;
  }
  out << "R " << runs << ' ' << pruned << '\n';
  out << "S " << strategy->summary() << '\n';
  return out.str();
}

struct WorkerReport {
  uint64_t runs = 0, pruned = 0;
  std::string summary;
  std::string error;
  int error_errno = 0;
  std::vector<std::pair<uint64_t, FindingKind>> findings;
  std::map<uint64_t, std::string> schedules;  // run index -> schedule text
  std::vector<RaceFinding> races;              // this worker's, by site pair
  std::vector<std::pair<uint64_t, std::vector<uint64_t>>> pairs;  // auto: per run, its coverage
};

WorkerReport parse_report(const std::string& s) {
  WorkerReport rep;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t eol = s.find('\n', pos);
    if (eol == std::string::npos) eol = s.size();
    std::string line = s.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty()) continue;
    std::istringstream in(line.substr(1));
    switch (line[0]) {
      case 'F': {
        uint64_t i;
        int k;
        in >> i >> k;
        rep.findings.emplace_back(i, static_cast<FindingKind>(k));
        break;
      }
      case 'C': {
        uint64_t i;
        size_t len;
        in >> i >> len;
        rep.schedules[i] = s.substr(pos, len);
        pos += len;
        break;
      }
      case 'X': {
        RaceFinding f;
        size_t len;
        in >> f.run >> f.runs >> len;
        std::string err;
        auto sch = parse_schedule(s.substr(pos, len), &err);
        pos += len;
        if (!sch) throw std::runtime_error("parallel campaign: bad race schedule from a worker: " + err);
        f.pair = sch->race_pair;
        f.schedule = std::move(*sch);
        rep.races.push_back(std::move(f));
        break;
      }
      case 'P': {
        uint64_t i, h;
        in >> i;
        std::vector<uint64_t> hs;
        while (in >> h) hs.push_back(h);
        rep.pairs.emplace_back(i, std::move(hs));
        break;
      }
      case 'R':
        in >> rep.runs >> rep.pruned;
        break;
      case 'S':
        rep.summary = line.size() > 2 ? line.substr(2) : "";
        break;
      case 'E': {  // "E <errno> <message>"
        in >> rep.error_errno;
        std::string msg;
        std::getline(in >> std::ws, msg);
        rep.error = msg.empty() ? "worker failed" : msg;
        break;
      }
    }
  }
  return rep;
}

}  // namespace

std::vector<int> allowed_cpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
  return cpus;
}

namespace {

// One epoch [begin, end) over `jobs` worker processes; their reports.
std::vector<WorkerReport> run_epoch(const TargetInfo& target, const CampaignOptions& opts, int jobs, uint64_t begin,
                                    uint64_t end, Shared* sh, uint64_t runs_before, uint64_t findings_before,
                                    double seconds_before) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  for (auto& c : sh->worker) c.runs = 0, c.findings = 0;

  // Worker w runs on the w-th allowed CPU after the one the campaign was given.
  std::vector<int> cpus = allowed_cpus();
  size_t base = 0;
  if (opts.run.cpu >= 0)
    if (auto it = std::find(cpus.begin(), cpus.end(), opts.run.cpu); it != cpus.end()) base = size_t(it - cpus.begin());

  cleanup::install_signal_handlers();  // SIGINT/SIGTERM: forwarded to the workers, which clean up
  cleanup::Registry* regs = cleanup::shared_registries(jobs);
  std::vector<pid_t> pids;
  std::vector<int> worker_handles;
  std::vector<int> fds;
  const pid_t parent = getpid();
  for (int w = 0; w < jobs; ++w) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      // A parent killed outright (SIGKILL) still gets its workers cleaned up:
      // SIGTERM runs the worker's cleanup handler.
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      cleanup::become_worker(cleanup::registry_at(regs, w));
      if (getppid() != parent) _exit(1);
      ::close(p[0]);
      for (int fd : fds) ::close(fd);
      std::string report;
      try {
        CampaignOptions o = opts;
        o.progress = {};
        if (opts.run.cpu >= 0 && !cpus.empty()) o.run.cpu = cpus[(base + size_t(w)) % cpus.size()];
        report = worker_body(target, o, w, jobs, begin, end, sh);
      } catch (const std::system_error& e) {
        report = "E " + std::to_string(e.code().value()) + " " + e.what() + "\n";
      } catch (const std::exception& e) {
        report = std::string("E 0 ") + e.what() + "\n";
      }
      write_all(p[1], report);
      _exit(0);
    }
    ::close(p[1]);
    worker_handles.push_back(cleanup::add_worker(pid, cleanup::registry_at(regs, w)));
    pids.push_back(pid);
    fds.push_back(p[0]);
  }

  // Collect every worker's report; call progress about every 100 ms meanwhile.
  std::vector<std::string> bufs(static_cast<size_t>(jobs));
  std::vector<bool> open(size_t(jobs), true);
  int n_open = jobs;
  auto last_progress = t0;
  while (n_open > 0) {
    std::vector<pollfd> pfds;
    std::vector<int> idx;
    for (int w = 0; w < jobs; ++w)
      if (open[size_t(w)]) pfds.push_back({fds[size_t(w)], POLLIN, 0}), idx.push_back(w);
    int rc = poll(pfds.data(), pfds.size(), 100);
    if (rc < 0 && errno != EINTR) break;
    for (size_t k = 0; rc > 0 && k < pfds.size(); ++k) {
      if (!(pfds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t got = ::read(pfds[k].fd, buf, sizeof buf);
      if (got > 0) {
        bufs[size_t(idx[k])].append(buf, size_t(got));
      } else if (got == 0 || errno != EINTR) {
        open[size_t(idx[k])] = false;
        --n_open;
        // A worker gone without its report died (killed, crashed): the epoch
        // is lost, so the others stop now rather than at the end of their runs.
        if (bufs[size_t(idx[k])].empty()) sh->abandon.store(true);
      }
    }
    if (opts.progress && clock::now() - last_progress > std::chrono::milliseconds(100)) {
      last_progress = clock::now();
      uint64_t runs = runs_before, findings = findings_before;
      for (int w = 0; w < jobs; ++w) runs += sh->worker[w].runs, findings += sh->worker[w].findings;
      opts.progress({&target, runs, opts.shard_runs(),
                     seconds_before + std::chrono::duration<double>(clock::now() - t0).count(), opts.seconds,
                     findings});
    }
  }
  for (int fd : fds) ::close(fd);
  std::string failure;
  for (size_t w = 0; w < pids.size(); ++w) {
    int status = 0;
    while (waitpid(pids[w], &status, 0) < 0 && errno == EINTR) {
    }
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) failure = WIFSIGNALED(status) ? "a campaign worker was killed by signal " + std::to_string(WTERMSIG(status))
                                    : "a campaign worker died";
    cleanup::clean_after(cleanup::registry_at(regs, int(w)));  // what a crashed worker left
  }
  for (int h : worker_handles) cleanup::remove_worker(h);
  cleanup::free_registries(regs, jobs);

  std::vector<WorkerReport> reps;
  for (const auto& b : bufs) reps.push_back(parse_report(b));
  for (const auto& r : reps)
    if (!r.error.empty()) {
      if (r.error_errno) throw std::system_error(r.error_errno, std::generic_category(), "campaign worker: " + r.error);
      throw std::runtime_error(r.error);
    }
  if (!failure.empty()) throw std::runtime_error(failure);
  return reps;
}

}  // namespace

CampaignResult run_campaign_jobs(const TargetInfo& target, const CampaignOptions& opts0, int jobs) {
  if (jobs <= 1 || !make_strategy(opts0.strategy)->independent_runs()) return run_campaign(target, opts0);
  if (opts0.runs == 0 && opts0.seconds <= 0) throw std::invalid_argument("a campaign needs a budget: runs or seconds");
  if (jobs > 256) throw std::invalid_argument("--jobs is at most 256");
  if (opts0.shard_count == 0 || opts0.shard_index >= opts0.shard_count)
    throw std::invalid_argument("shard index must be below the shard count");
  if (opts0.runs && uint64_t(jobs) > opts0.shard_runs()) jobs = int(std::max<uint64_t>(1, opts0.shard_runs()));
  if (jobs <= 1) return run_campaign(target, opts0);
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(clock::now() - t0).count(); };

  // The probe runs once, here; every worker gets its figures.
  CampaignOptions opts = opts0;
  if (strategy_uses_probe(opts.strategy.name) && opts.run.mode != ActorMode::free) {
    Engine engine(target, opts.overrides, opts.run);
    prepare_strategy(engine, opts.strategy);
  }
  const bool portfolio = auto_adapts(opts);
  PortfolioLedger ledger;

  void* mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) throw std::runtime_error(std::string("mmap: ") + std::strerror(errno));
  auto* sh = new (mem) Shared;
  sh->stop_index.store(std::numeric_limits<int64_t>::max());
  sh->abandon.store(false);

  // Epochs (auto: the ledger's; otherwise one), each merged in run-index
  // order before the next starts, exactly as one process would have seen them.
  std::vector<std::pair<uint64_t, FindingKind>> all;
  std::map<uint64_t, std::string> schedules;
  std::vector<RaceFinding> race_all;
  uint64_t total_runs = 0, total_pruned = 0;
  std::string summary;
  uint64_t cutoff = std::numeric_limits<uint64_t>::max();
  try {
    for (uint64_t begin = 0;;) {
      uint64_t end = portfolio ? ledger.epoch_end() : std::numeric_limits<uint64_t>::max();
      if (opts.runs) end = std::min(end, opts.shard_runs());
      if (begin >= end) break;
      CampaignOptions eo = opts;
      if (portfolio) eo.strategy.auto_weights = ledger.weights;
      if (opts.seconds > 0) {
        eo.seconds = opts.seconds - elapsed();
        if (eo.seconds <= 0) break;
      }
      auto reps = run_epoch(target, eo, jobs, begin, end, sh, total_runs, all.size(), elapsed());
      std::vector<std::pair<uint64_t, FindingKind>> found;
      for (const auto& r : reps) found.insert(found.end(), r.findings.begin(), r.findings.end());
      std::sort(found.begin(), found.end());
      if (opts.stop_at_first && !found.empty()) cutoff = found.front().first;
      const uint64_t cutoff_k = cutoff == std::numeric_limits<uint64_t>::max()
                                    ? cutoff
                                    : (cutoff - opts.shard_index) / opts.shard_count;  // the same run, counted in this shard
      bool short_epoch = false;
      for (int w = 0; w < jobs; ++w) {
        const auto& r = reps[size_t(w)];
        const uint64_t first = begin + uint64_t(w);
        const uint64_t last = std::min(end, cutoff_k == std::numeric_limits<uint64_t>::max() ? end : cutoff_k + 1);
        const uint64_t planned = first < last ? (last - 1 - first) / uint64_t(jobs) + 1 : 0;
        short_epoch |= r.runs < planned;
        total_runs += std::min<uint64_t>(r.runs, planned);
        total_pruned += r.pruned;
        for (const auto& [i, text] : r.schedules) schedules.emplace(i, text);
        for (const auto& f : r.races) race_all.push_back(f);
      }
      all.insert(all.end(), found.begin(), found.end());
      summary = reps[0].summary;
      if (portfolio) {
        std::vector<std::pair<uint64_t, std::vector<uint64_t>>> pairs;
        for (auto& r : reps) pairs.insert(pairs.end(), r.pairs.begin(), r.pairs.end());
        std::sort(pairs.begin(), pairs.end());
        for (const auto& [i, hs] : pairs) ledger.record(i, hs);
        ledger.next_epoch();
      }
      if (cutoff != std::numeric_limits<uint64_t>::max() || short_epoch || !portfolio) break;
      begin = end;
    }
  } catch (...) {
    munmap(mem, sizeof(Shared));
    throw;
  }
  munmap(mem, sizeof(Shared));

  CampaignResult res;
  res.target = target.name;
  res.expect = target.expect();
  res.strategy = opts.strategy.name;
  res.mode = opts.run.mode;
  res.seed = opts.strategy.seed;
  res.runs = total_runs;
  res.pruned = total_pruned;
  for (const auto& [i, kind] : all) {
    if (i > cutoff) break;
    ++res.findings;
    res.finding_runs.push_back(i);
    ++res.by_kind[size_t(kind)];
    bool first = res.first_finding_run < 0;
    bool new_kind = res.by_kind[size_t(kind)] == 1;
    if (first) res.first_finding_run = int64_t(i);
    if (!(first || new_kind)) continue;
    auto it = schedules.find(i);
    if (it == schedules.end()) throw std::runtime_error("parallel campaign: no schedule for run " + std::to_string(i));
    std::string err;
    auto s = parse_schedule(it->second, &err);
    if (!s) throw std::runtime_error("parallel campaign: bad schedule from a worker: " + err);
    if (!opts.out_dir.empty() && int(res.schedule_files.size()) < opts.max_saved)
      res.schedule_files.push_back(save_schedule(*s, opts.out_dir));
    res.kind_firsts.push_back(*s);
    if (first) res.first = std::move(*s);
  }
  for (auto& f : race_all)
    if (f.run <= cutoff) merge_race_finding(res.race_findings, std::move(f));
  save_race_findings(res.race_findings, opts.out_dir);
  res.strategy_summary = summary;
  res.seconds = elapsed();
  if (opts.progress) opts.progress({&target, res.runs, opts.shard_runs(), res.seconds, opts.seconds, res.findings});
  return res;
}

}  // namespace ipcrace
