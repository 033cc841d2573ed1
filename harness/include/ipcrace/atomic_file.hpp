// Creating output files safely: every file ipcrace writes (schedules, reports,
// JUnit, SARIF, histories) goes through an exclusive temp file made in the
// destination folder (mkostemp: O_CREAT|O_EXCL, never through a planted
// symlink), is fsynced and renamed into place. rename replaces a symlink at
// the destination; it never writes through it.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace ipcrace {

// Throws std::system_error (with the path) on any failure; no temp file stays.
void write_file_atomic(const std::string& path, std::string_view data);

// Can files be created in `dir`, or (if it does not exist yet) in the nearest
// folder above it? Empty string if so, else why not. Creates nothing.
std::string check_writable_dir(const std::string& dir);

// Input files (schedules, crash files): at most this many bytes.
inline constexpr size_t kMaxInputBytes = 64u << 20;

// Empty string if `path` is a regular file of at most `cap` bytes, else why
// not (a FIFO, a device such as /dev/zero, a directory, too large). Never blocks.
std::string check_input_file(const std::string& path, size_t cap);

}  // namespace ipcrace
