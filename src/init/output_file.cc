#include "init/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/fs.h"

namespace chaos {
namespace {

constexpr const char* kExists = "already exists";

// Something other than a regular file at `path`: never replaced, never written through.
Status refuse_special(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return std::nullopt;
  return Error(path + " is " + file_type_name(st.st_mode) + "; chaos replaces only regular files, even with --force",
               path, "remove it first, or write elsewhere with -o PATH");
}

}  // namespace

Status require_parent_directory(const std::string& path) {
  std::string parent = parent_path(absolute_path(path));
  if (parent.empty() || is_directory(parent)) return std::nullopt;
  return Error("cannot write " + path + ": the directory " + parent + " does not exist", path,
               "create it first (mkdir -p " + parent + "), or choose another path");
}

Status write_user_file(const std::string& path, std::string_view content, bool overwrite) {
  if (auto err = require_parent_directory(path)) return err;
  if (auto err = refuse_special(path)) return err;
  auto tmp = create_temp_beside(path, 0666);
  if (!tmp) return tmp.error();
  if (auto err = fill_temp_file(*tmp, content, path)) return err;
  if (overwrite) {
    // rename() replaces the name itself: whatever was swapped in since the check above is
    // replaced, never written through.
    if (::rename(tmp->name.c_str(), path.c_str()) == 0) return std::nullopt;
    Error e("cannot write " + path + ": " + errno_text(), path);
    ::unlink(tmp->name.c_str());
    return e;
  }
  int rc = ::link(tmp->name.c_str(), path.c_str());
  int link_errno = errno;
  ::unlink(tmp->name.c_str());
  if (rc == 0) return std::nullopt;
  if (link_errno == EEXIST) return Error(path + " " + kExists, path);
  // A filesystem without hard links: create exclusively in place instead.
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666));
  if (!fd) {
    return errno == EEXIST ? Error(path + " " + kExists, path)
                           : Error("cannot write " + path + ": " + errno_text(), path);
  }
  Status written = write_all(fd.get(), content, path);
  if (fd.reset() != 0 && !written) written = Error("cannot write " + path + ": " + errno_text(), path);
  return written;
}

bool is_exists_error(const Error& error) {
  const std::string suffix = std::string(" ") + kExists;
  return error.message.size() >= suffix.size() &&
         error.message.compare(error.message.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace chaos
