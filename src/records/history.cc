#include "records/history.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/fd.h"
#include "util/fs.h"

namespace chaos {
namespace {

using nlohmann::json;

// Records are a few hundred bytes; a "line" longer than this is damage, and is skipped without
// being held in memory.
constexpr size_t kMaxLine = 1 << 20;
constexpr size_t kBlock = 64 * 1024;

bool is_string_list(const json& j) {
  return j.is_array() && std::all_of(j.begin(), j.end(), [](const json& item) { return item.is_string(); });
}

}  // namespace

std::string history_file(const std::string& state_dir) { return join_path(state_dir, "history.jsonl"); }

bool well_formed_history_record(const json& r) {
  if (!r.is_object()) return false;
  auto field_ok = [&](const char* key, auto&& check) {
    auto it = r.find(key);
    return it == r.end() || check(*it);
  };
  auto is_string = [](const json& j) { return j.is_string(); };
  auto is_bool = [](const json& j) { return j.is_boolean(); };
  auto is_number = [](const json& j) { return j.is_number(); };
  auto is_integer = [](const json& j) { return j.is_number_integer(); };
  auto is_counts = [](const json& j) {
    return j.is_object() && std::all_of(j.begin(), j.end(), [](const json& v) { return v.is_number_integer(); });
  };
  return field_ok("started", is_string) && field_ok("tags", is_string_list) && field_ok("hosts", is_string_list) &&
         field_ok("counts", is_counts) && field_ok("duration_s", is_number) && field_ok("exit_code", is_integer) &&
         field_ok("dry", is_bool) && field_ok("interrupted", is_bool) &&
         field_ok("chobolo", [](const json& j) { return j.is_string() || j.is_null(); });
}

Status append_history(const std::string& state_dir, const json& record) {
  if (auto err = make_directories(state_dir)) return err;
  std::string path = history_file(state_dir);
  // Every write lands at the end, never through a planted link or into a FIFO (util/fs.h).
  auto opened = open_for_append(path, 0600);
  if (!opened) return Error("cannot write the run history: " + opened.error().message, path, opened.error().hint);
  Fd fd = std::move(*opened);
  struct stat st {};
  // Concurrent runs append one after the other, so cutting back a short write below cannot
  // cut another run's record.
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return Error("cannot lock the run history: " + errno_text(), path);
  }
  if (::fstat(fd.get(), &st) != 0) return Error("cannot write the run history: " + errno_text(), path);
  std::string line = record.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  char last = '\n';
  if (st.st_size > 0 && !pread_all(fd.get(), &last, 1, st.st_size - 1)) last = '\n';
  if (last != '\n') line.insert(line.begin(), '\n');  // the last line was torn: start afresh
  ssize_t n;
  do {
    n = ::write(fd.get(), line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(line.size())) return std::nullopt;
  int saved = n < 0 ? errno : ENOSPC;  // a short write is the disk filling up
  if (n > 0) (void)::ftruncate(fd.get(), st.st_size);
  return Error("cannot write the run history: " + std::string(std::strerror(saved)) + "; this run is not recorded",
               path, saved == ENOSPC ? "free some space on that file system" : "");
}

HistoryRead read_history(const std::string& state_dir, size_t limit) {
  HistoryRead out;
  std::string path = history_file(state_dir);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (fd.get() < 0) {
    if (errno != ENOENT) out.error = "cannot read the run history: " + errno_text();
    return out;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    out.error = "cannot read the run history: it is not a regular file";
    return out;
  }
  std::vector<json> newest_first;
  // `pending` is the start of the line that ends where the block read before begins; once it
  // passes kMaxLine it is dropped and the line counted as damaged when its start is found.
  std::string pending;
  bool overlong = false;
  bool last_line = true;  // the next line completed is the bytes after the file's final newline
  auto finish_line = [&](std::string_view head) {
    bool damaged = overlong || head.size() + pending.size() > kMaxLine;
    std::string line = damaged ? std::string() : std::string(head) + pending;
    pending.clear();
    overlong = false;
    if (last_line) {
      last_line = false;
      out.torn_tail = damaged || !line.empty();
      return;
    }
    if (damaged) {
      ++out.damaged;
      return;
    }
    if (line.empty()) return;
    json record = json::parse(line, nullptr, false);
    if (record.is_discarded() || !well_formed_history_record(record)) {
      ++out.damaged;
      return;
    }
    newest_first.push_back(std::move(record));
  };
  off_t pos = st.st_size;
  std::string block;
  while (pos > 0 && newest_first.size() < limit) {
    size_t n = static_cast<size_t>(std::min<off_t>(static_cast<off_t>(kBlock), pos));
    pos -= static_cast<off_t>(n);
    block.resize(n);
    if (!pread_all(fd.get(), block.data(), n, pos)) {
      out.error = "cannot read the run history: " + errno_text();
      out.records.clear();
      return out;
    }
    size_t end = n;  // block[end, n) + pending is the line being assembled
    while (end > 0 && newest_first.size() < limit) {
      size_t nl = block.rfind('\n', end - 1);
      if (nl == std::string::npos) break;
      finish_line(std::string_view(block).substr(nl + 1, end - nl - 1));
      end = nl;
    }
    if (newest_first.size() >= limit) break;
    if (!overlong) {
      if (pending.size() + end > kMaxLine) {
        overlong = true;
        pending.clear();
      } else {
        pending.insert(0, block, 0, end);
      }
    }
  }
  if (pos == 0 && newest_first.size() < limit && (!pending.empty() || overlong || last_line)) {
    if (!(last_line && pending.empty() && !overlong)) finish_line({});  // the file's first line
  }
  out.records.assign(newest_first.rbegin(), newest_first.rend());
  return out;
}

std::vector<json> read_history(const std::string& state_dir, size_t limit, size_t& damaged) {
  HistoryRead read = read_history(state_dir, limit);
  damaged = read.damaged + (read.torn_tail ? 1 : 0);
  return std::move(read.records);
}

}  // namespace chaos
