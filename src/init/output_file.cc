#include "init/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/fs.h"

namespace chaos {
namespace {

constexpr const char* kExists = "already exists";

}  // namespace

Status write_user_file(const std::string& path, std::string_view content, bool overwrite) {
  if (auto err = make_directories(parent_path(absolute_path(path)), 0755)) return err;
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return Error("cannot write " + path + ": " + std::strerror(errno), path);
  Status written = write_all(fd, content, path);
  if (::close(fd) != 0 && !written) written = Error("cannot write " + path + ": " + std::strerror(errno), path);
  if (written) {
    ::unlink(tmp.c_str());
    return written;
  }
  if (overwrite) {
    if (::rename(tmp.c_str(), path.c_str()) == 0) return std::nullopt;
    Error e("cannot write " + path + ": " + std::strerror(errno), path);
    ::unlink(tmp.c_str());
    return e;
  }
  int rc = ::link(tmp.c_str(), path.c_str());
  int link_errno = errno;
  ::unlink(tmp.c_str());
  if (rc == 0) return std::nullopt;
  if (link_errno == EEXIST) return Error(path + " " + kExists, path);
  // A filesystem without hard links: create exclusively in place instead.
  fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    return errno == EEXIST ? Error(path + " " + kExists, path)
                           : Error("cannot write " + path + ": " + std::strerror(errno), path);
  }
  written = write_all(fd, content, path);
  ::close(fd);
  return written;
}

bool is_exists_error(const Error& error) {
  const std::string suffix = std::string(" ") + kExists;
  return error.message.size() >= suffix.size() &&
         error.message.compare(error.message.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace chaos
