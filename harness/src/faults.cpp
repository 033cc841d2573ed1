#include "ipcrace/faults.hpp"

#include <cstdlib>
#include <string>

namespace ipcrace {

bool fault_injected(std::string_view name) {
  static const std::string faults = [] {
    const char* v = std::getenv("IPCRACE_INJECT");
    return "," + std::string(v ? v : "") + ",";
  }();
  return faults.find("," + std::string(name) + ",") != std::string::npos;
}

}  // namespace ipcrace
