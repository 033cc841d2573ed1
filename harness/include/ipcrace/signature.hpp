// The signature of a finding: what makes two findings the same bug, beyond
// their kind. The minimiser accepts a smaller schedule only when its run has
// the same signature as the input's (issue 13, item 15).
//   deadlock   the multiset of blocked ops (op kind, resource, label) of the
//              live actors, actor indices left out
//   assertion  the oracle's (or actor's) message with every number replaced
//              by '#' (a "(then deadlock: ...)" tail dropped: the stall is
//              a consequence)
//   race       the pair of access sites the finding names (race_site_pair)
//              and its resource
//   crash      how the actor ended (signal or status), the actor index left out
//   hang, step_limit, tsan: the kind alone
#pragma once
#include <string>

#include "ipcrace/finding.hpp"

namespace ipcrace {

std::string finding_signature(const RunResult& r);

// Every run of digits (and every 0x... hex number) replaced by '#'.
std::string normalise_numbers(const std::string& s);

}  // namespace ipcrace
