// Fault injection for self-tests of the gate: IPCRACE_INJECT=no-lock (a
// comma-separated list) turns the scheduled locks of synchronised variants
// into no-ops, so a gate run must fail. Read once per process.
#pragma once
#include <string_view>

namespace ipcrace {
bool fault_injected(std::string_view name);
}
