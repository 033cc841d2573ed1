// RunContext implementation: the real, uniquely named objects of one run.
#pragma once
#include <string>
#include <vector>

#include "cleanup.hpp"
#include "owned_fds.hpp"
#include "ipcrace/target.hpp"

namespace ipcrace {

class RunContextImpl final : public RunContext {
 public:
  RunContextImpl(const Params* params, int actors, uint64_t seed, std::string prefix, std::string sock_dir,
                 std::vector<std::string>* resources, detail::OwnedFds* owned = nullptr);
  ~RunContextImpl() override;
  const Params& params() const override { return *params_; }
  int actors() const override { return actors_; }
  uint64_t seed() const override { return seed_; }
  Resource resource(const char* name) override;
  std::string object_name(std::string_view base) override;
  void* shm(std::string_view base, size_t bytes) override;
  std::string socket_path(std::string_view base) override;
  void track_mqueue(const std::string& name) override;
  void track_shm_name(const std::string& name) override;
  void give_fd(int fd, int actor) override;
  void fail(std::string message) override;

  const std::string& failure() const { return failure_; }
  void release();  // unmap, unlink: idempotent

 private:
  void track(cleanup::Kind kind, const std::string& name);
  struct Tracked {
    cleanup::Kind kind;
    std::string name;
    int handle;
  };
  struct Mapping {
    void* addr;
    size_t len;
  };
  const Params* params_;
  int actors_;
  uint64_t seed_;
  std::string prefix_;
  std::string sock_dir_;
  std::vector<std::string>* resources_;
  detail::OwnedFds* owned_;
  std::vector<Tracked> tracked_;
  std::vector<Mapping> maps_;
  std::vector<std::pair<std::string, std::string>> names_;  // base -> name of this run
  std::string failure_;
};

}  // namespace ipcrace
