#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace chaos {

// What a cache needs to know to tell whether a file or directory changed.
struct FileStamp {
  bool exists = false;
  bool is_dir = false;
  int64_t mtime_ns = 0;
  int64_t size = 0;
  uint64_t inode = 0;

  bool operator==(const FileStamp&) const = default;
};

FileStamp stamp_of(const std::string& path);
bool is_directory(const std::string& path);
bool is_regular_file(const std::string& path);
bool is_executable_file(const std::string& path);

Result<std::string> read_file(const std::string& path);
// The same for files chaos keeps itself (caches, state): anything but a regular file (a FIFO
// or a device planted in its place) is refused, never blocked on.
Result<std::string> read_regular_file(const std::string& path);
// Writes through a temporary file and rename(), so a reader never sees half a file and a
// crash never leaves a corrupt one. Parent directories are created with mode 0700.
Status write_file_atomic(const std::string& path, std::string_view content);
// Writes all of `content` to fd (retrying interrupted writes); errors name `path`.
Status write_all(int fd, std::string_view content, const std::string& path);
Status make_directories(const std::string& path, unsigned mode = 0700);

// Entries of a directory in the order the kernel returns them (the order os.listdir sees,
// which importlib.metadata's precedence depends on). Missing directory: empty list.
std::vector<std::string> list_directory(const std::string& path);

std::string join_path(std::string_view a, std::string_view b);
std::string parent_path(std::string_view path);
std::string base_name(std::string_view path);
std::string absolute_path(const std::string& path);
// Follows symlinks; returns the input unchanged when the path does not exist.
std::string real_path(const std::string& path);
// Directory holding the running executable (from /proc/self/exe).
std::string executable_directory();
// First executable called `name` on $PATH, or empty.
std::string find_on_path(std::string_view name);

}  // namespace chaos
