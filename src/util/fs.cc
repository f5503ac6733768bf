#include "util/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace chaos {
namespace {

// An fd opened with O_NONBLOCK (so a FIFO cannot block the open): regular files only, and
// blocking again for them.
Status require_regular(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Error("cannot read " + path + ": " + errno_text(), path);
  if (!S_ISREG(st.st_mode)) {
    return Error(path + " is " + file_type_name(st.st_mode) + ", not a regular file; chaos does not use it", path,
                 "remove it (chaos recreates the file)");
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return std::nullopt;
}

std::string random_suffix() {
  unsigned char bytes[8];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out;
  for (unsigned char b : bytes) out.push_back(digits[b % 36]);
  // No entropy at all (getrandom unavailable): the pid still differs, and O_EXCL keeps it safe.
  if (got == 0) out = std::to_string(::getpid());
  return out;
}

}  // namespace

const char* file_type_name(unsigned mode) {
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISSOCK(mode)) return "a socket";
  return S_ISREG(mode) ? "a regular file" : "not a regular file";
}

FileStamp stamp_of(const std::string& path) {
  struct stat st {};
  FileStamp s;
  if (::stat(path.c_str(), &st) != 0) return s;
  s.exists = true;
  s.is_dir = S_ISDIR(st.st_mode);
  s.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  s.size = static_cast<int64_t>(st.st_size);
  s.inode = static_cast<uint64_t>(st.st_ino);
  return s;
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_executable_file(const std::string& path) { return is_regular_file(path) && ::access(path.c_str(), X_OK) == 0; }

namespace {

// Reads fd to its end.
Result<std::string> read_all(const Fd& fd, const std::string& path) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error("cannot read " + path + ": " + errno_text(), path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

Result<std::string> read_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error("cannot read " + path + ": " + errno_text(), path);
  return read_all(fd, path);
}

Status make_directories(const std::string& path, unsigned mode) {
  if (path.empty() || is_directory(path)) return std::nullopt;
  std::string parent = parent_path(path);
  if (!parent.empty() && parent != path) {
    if (auto err = make_directories(parent, mode)) return err;
  }
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return Error("cannot create directory " + path + ": " + errno_text(), path);
  }
  return std::nullopt;
}

Status write_all(int fd, std::string_view content, const std::string& path) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error("cannot write " + path + ": " + errno_text(), path);
    done += static_cast<size_t>(n);
  }
  return std::nullopt;
}

Result<TempFile> create_temp_beside(const std::string& path, unsigned mode) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = path + ".tmp." + random_suffix();
    Fd fd(::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
    if (fd) return TempFile{std::move(fd), name};
    if (errno != EEXIST) return Error("cannot write " + path + ": " + errno_text(), path);
  }
  return Error("cannot write " + path + ": no free temporary name beside it", path);
}

Status fill_temp_file(TempFile& tmp, std::string_view content, const std::string& path) {
  Status written = write_all(tmp.fd.get(), content, path);
  // close() reports what a write could not (NFS, a full quota): it counts as the write's error.
  if (tmp.fd.reset() != 0 && !written) written = Error("cannot write " + path + ": " + errno_text(), path);
  if (written) ::unlink(tmp.name.c_str());
  return written;
}

Status write_file_atomic(const std::string& path, std::string_view content) {
  if (auto err = make_directories(parent_path(path))) return err;
  auto tmp = create_temp_beside(path, 0600);
  if (!tmp) return tmp.error();
  if (auto err = fill_temp_file(*tmp, content, path)) return err;
  if (::rename(tmp->name.c_str(), path.c_str()) != 0) {
    Error e("cannot write " + path + ": " + errno_text(), path);
    ::unlink(tmp->name.c_str());
    return e;
  }
  return std::nullopt;
}

Result<Fd> open_for_append(const std::string& path, unsigned mode) {
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode));
  if (!fd) {
    if (errno == ELOOP) {
      return Error(path + " is a symbolic link; chaos does not write through it", path,
                   "remove the link (chaos recreates the file)");
    }
    // ENXIO: a FIFO nobody reads (O_NONBLOCK kept the open from waiting for one).
    struct stat st {};
    if (errno == ENXIO && ::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      return Error(path + " is " + file_type_name(st.st_mode) + ", not a regular file; chaos does not use it", path,
                   "remove it (chaos recreates the file)");
    }
    return Error("cannot write " + path + ": " + errno_text(), path);
  }
  if (auto err = require_regular(fd.get(), path)) return *err;
  return fd;
}

Result<std::string> read_regular_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return Error("cannot read " + path + ": " + errno_text(), path);
  if (auto err = require_regular(fd.get(), path)) return *err;
  return read_all(fd, path);
}

void remove_tree(const std::string& path) {
  ::nftw(
      path.c_str(),
      [](const char* p, const struct stat*, int type, struct FTW*) {
        if (type == FTW_DP) {
          ::rmdir(p);
        } else {
          ::unlink(p);
        }
        return 0;
      },
      16, FTW_DEPTH | FTW_PHYS);
}

std::vector<std::string> list_directory(const std::string& path) {
  std::vector<std::string> names;
  DirStream dir(path);
  while (const dirent* ent = dir.next()) {
    if (std::strcmp(ent->d_name, ".") == 0 || std::strcmp(ent->d_name, "..") == 0) continue;
    names.emplace_back(ent->d_name);
  }
  return names;
}

std::string join_path(std::string_view a, std::string_view b) {
  return (std::filesystem::path(a) / std::filesystem::path(b)).string();
}

// parent_path and base_name stay hand-written: they follow dirname(1) and basename(1), which
// ignore trailing slashes ("a/b/" -> "a", "b"), where std::filesystem::path sees an empty last
// element ("a/b/" -> "a/b", "").
std::string parent_path(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string base_name(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/") return "/";
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string absolute_path(const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  char buf[PATH_MAX];
  if (!::getcwd(buf, sizeof buf)) return path;
  return join_path(buf, path);
}

std::string real_path(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return path;
  return buf;
}

std::string executable_directory() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  buf[n] = '\0';
  return parent_path(buf);
}

std::string find_on_path(std::string_view name) {
  if (name.find('/') != std::string_view::npos) {
    std::string p(name);
    return is_executable_file(p) ? p : "";
  }
  const char* env = std::getenv("PATH");
  std::string_view path = env ? env : "/usr/local/bin:/usr/bin:/bin";
  while (!path.empty()) {
    auto colon = path.find(':');
    std::string_view dir = path.substr(0, colon);
    std::string candidate = join_path(dir.empty() ? "." : dir, name);
    if (is_executable_file(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    path.remove_prefix(colon + 1);
  }
  return "";
}

}  // namespace chaos
