#include "apply/history.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>

#include "util/fs.h"

namespace chaos {

namespace {

// The fields readers take from a record must have the type the writer gives them; a record
// where one does not (`{"exit_code": "0"}`, an edited or foreign line) is damaged, so no
// reader meets a type it does not expect.
bool well_typed(const nlohmann::json& record) {
  using Json = nlohmann::json;
  auto has = [&](const Json& object, const char* key, bool (Json::*is)() const noexcept) {
    auto it = object.find(key);
    return it == object.end() || ((*it).*is)();
  };
  if (!has(record, "started", &Json::is_string) || !has(record, "tags", &Json::is_array) ||
      !has(record, "hosts", &Json::is_array) || !has(record, "duration_s", &Json::is_number) ||
      !has(record, "exit_code", &Json::is_number_integer) || !has(record, "dry", &Json::is_boolean) ||
      !has(record, "interrupted", &Json::is_boolean) || !has(record, "counts", &Json::is_object)) {
    return false;
  }
  auto counts = record.find("counts");
  if (counts == record.end()) return true;
  for (const char* key : {"changed", "no_change", "failed"}) {
    if (!has(*counts, key, &Json::is_number_integer)) return false;
  }
  return true;
}

}  // namespace

std::string history_file(const std::string& state_dir) { return join_path(state_dir, "history.jsonl"); }

Status append_history(const std::string& state_dir, const nlohmann::json& record) {
  if (auto err = make_directories(state_dir)) return err;
  std::string path = history_file(state_dir);
  // O_APPEND: concurrent runs each add whole lines without locking.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Error("cannot write the run history: " + std::string(std::strerror(errno)), path);
  std::string line = record.dump() + "\n";
  ssize_t n = ::write(fd, line.data(), line.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) return Error("cannot write the run history", path);
  return std::nullopt;
}

std::vector<nlohmann::json> read_history(const std::string& state_dir, size_t limit, size_t& damaged) {
  damaged = 0;
  std::deque<nlohmann::json> records;
  auto text = read_file(history_file(state_dir));
  if (!text) return {};
  size_t pos = 0;
  while (pos < text->size()) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    std::string_view line(text->data() + pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    auto record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded() || !record.is_object() || !well_typed(record)) {
      ++damaged;
      continue;
    }
    records.push_back(std::move(record));
    if (records.size() > limit) records.pop_front();
  }
  return {records.begin(), records.end()};
}

}  // namespace chaos
