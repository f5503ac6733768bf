#include "apply/history.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>

#include "util/fs.h"

namespace chaos {

std::string history_file(const std::string& state_dir) { return join_path(state_dir, "history.jsonl"); }

Status append_history(const std::string& state_dir, const nlohmann::json& record) {
  if (auto err = make_directories(state_dir)) return err;
  std::string path = history_file(state_dir);
  // O_APPEND: concurrent runs each add whole lines without locking.
  // O_NONBLOCK: a FIFO planted in its place fails to open (no reader) instead of blocking.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0600);
  if (fd < 0 && errno == ENXIO) return Error("refusing to write the run history: " + path + " is not a regular file", path);
  if (fd < 0) return Error("cannot write the run history: " + std::string(std::strerror(errno)), path);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error("refusing to write the run history: " + path + " is not a regular file", path);
  }
  std::string line = record.dump() + "\n";
  ssize_t n = ::write(fd, line.data(), line.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) return Error("cannot write the run history", path);
  return std::nullopt;
}

std::vector<nlohmann::json> read_history(const std::string& state_dir, size_t limit, size_t& damaged) {
  damaged = 0;
  std::deque<nlohmann::json> records;
  auto text = read_regular_file(history_file(state_dir));
  if (!text) return {};
  size_t pos = 0;
  while (pos < text->size()) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    std::string_view line(text->data() + pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    auto record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded() || !record.is_object()) {
      ++damaged;
      continue;
    }
    records.push_back(std::move(record));
    if (records.size() > limit) records.pop_front();
  }
  return {records.begin(), records.end()};
}

}  // namespace chaos
