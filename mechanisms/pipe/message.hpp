// The pipe family's self-checking messages: the shared format in common/message.hpp.
#pragma once
#include "common/message.hpp"

namespace ipcrace::pipe {
using namespace ipcrace::framing;
}  // namespace ipcrace::pipe
