#include "util/fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace chaos {

int Fd::reset(int fd) noexcept {
  int rc = 0;
  if (fd_ >= 0) rc = ::close(fd_);
  fd_ = fd;
  return rc;
}

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error("cannot create a pipe: " + errno_text());
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

DirStream::DirStream(const std::string& path) : dir_(::opendir(path.c_str())) {}

DirStream::~DirStream() {
  if (dir_) ::closedir(dir_);
}

const dirent* DirStream::next() { return dir_ ? ::readdir(dir_) : nullptr; }

std::string errno_text() { return std::strerror(errno); }

bool pread_all(int fd, char* data, size_t size, off_t offset) {
  while (size > 0) {
    ssize_t n = ::pread(fd, data, size, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
    offset += n;
  }
  return true;
}

}  // namespace chaos
