#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"
#include "util/fd.h"

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
// "a symbolic link", "a FIFO", "a device", ... for an st_mode, in errors about what is at a name.
const char* file_type_name(unsigned mode);
bool is_directory(const std::string& path);
bool is_regular_file(const std::string& path);
bool is_executable_file(const std::string& path);

Result<std::string> read_file(const std::string& path);
// For caches and state: like read_file, but anything other than a regular file (a FIFO, a
// device, a directory planted at the name) is an error at once, never blocked on.
Result<std::string> read_regular_file(const std::string& path);
// Writes through a temporary file and rename(), so a reader never sees half a file and a
// crash never leaves a corrupt one. The temporary file is created exclusively under an
// unpredictable name beside `path` (never through a link planted there) and rename() replaces
// the name itself, never what a symlink at `path` points to. Parent directories are created
// with mode 0700.
Status write_file_atomic(const std::string& path, std::string_view content);

// A new file beside `path` ("<path>.tmp.<random>"), created with O_EXCL|O_NOFOLLOW and
// `mode` less the umask. The caller writes to fd, then renames or links `name` into place.
struct TempFile {
  Fd fd;
  std::string name;
};
Result<TempFile> create_temp_beside(const std::string& path, unsigned mode);
// Writes `content` to the temporary file and closes it; on failure the file is removed and the
// error names `path` (the file it stands in for).
Status fill_temp_file(TempFile& tmp, std::string_view content, const std::string& path);

// Opens a log-like file for appending (creating it with `mode`) without following a symlink
// at its name and without blocking on a FIFO: anything but a regular file is an error. Opened
// for reading too, so a writer can look at what the file ends with (history: a torn last line).
Result<Fd> open_for_append(const std::string& path, unsigned mode = 0600);

// Removes a directory tree without following symlinks inside it.
void remove_tree(const std::string& path);
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
