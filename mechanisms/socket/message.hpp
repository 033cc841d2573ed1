// The socket family's self-checking messages: the shared format in common/message.hpp.
#pragma once
#include "common/message.hpp"

namespace ipcrace::sockets {
using namespace ipcrace::framing;
}  // namespace ipcrace::sockets
