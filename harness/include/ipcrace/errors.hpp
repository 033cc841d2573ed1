// Errors that mean "the machine ran out of something", not "ipcrace is wrong":
// no space in /dev/shm, the file size limit, the descriptor limit, memory,
// processes. The command reports them in one line with kExitResource.
#pragma once
#include <system_error>

namespace ipcrace {

bool is_resource_errno(int e);  // ENOSPC, EFBIG, EMFILE, ENFILE, ENOMEM, EAGAIN, EDQUOT
bool is_resource_error(const std::system_error& e);
// Inside a catch block: rethrow the current exception if it is a resource error
// (so a minimiser or campaign that tolerates failing candidates does not hide it).
void rethrow_if_resource_error();

}  // namespace ipcrace
