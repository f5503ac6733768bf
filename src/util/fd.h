// util/: file descriptors and directory streams with one owner each. Nothing in chaos closes a
// descriptor by hand: an early return that skipped a close once leaked a pipe into a child, and
// the sudo password's pipe must reach exactly one process (docs/coding-guidelines.md).
#pragma once

#include <dirent.h>
#include <sys/types.h>

#include <string>

#include "util/error.h"

namespace chaos {

// Owns one descriptor (as ccache's Fd): closed once, when it goes out of scope or is reset.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  // Gives the descriptor up without closing it (to a child's file actions, say).
  int release() noexcept {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes the descriptor held (if any) and holds `fd` instead. Returns close()'s result for
  // the old one, which matters for a file just written (NFS reports write errors there).
  int reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

// Both ends close-on-exec: a child gets an end only when it is mapped to it explicitly.
struct Pipe {
  Fd read;
  Fd write;
};
Result<Pipe> make_pipe();

// A directory stream, closed when it goes out of scope; empty when the directory cannot be read.
class DirStream {
 public:
  explicit DirStream(const std::string& path);
  ~DirStream();
  DirStream(const DirStream&) = delete;
  DirStream& operator=(const DirStream&) = delete;
  explicit operator bool() const { return dir_ != nullptr; }
  // The next entry, or nullptr at the end.
  const dirent* next();

 private:
  DIR* dir_ = nullptr;
};

// strerror(errno), for messages.
std::string errno_text();
// pread until `size` bytes are read; false on an error or end of file first.
bool pread_all(int fd, char* data, size_t size, off_t offset);

}  // namespace chaos
