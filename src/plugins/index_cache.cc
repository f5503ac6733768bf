#include "plugins/index_cache.h"

#include <charconv>

namespace chaos {
namespace {

constexpr std::string_view kHeader = "chaos-plugin-index\t2";

void put_field(std::string& out, std::string_view field) {
  out.push_back('\t');
  for (char c : field) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out.push_back(c);
    }
  }
}

void put_number(std::string& out, long long n) { put_field(out, std::to_string(n)); }

std::string unescape(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      out.push_back(field[i]);
      continue;
    }
    char next = field[++i];
    out.push_back(next == 't' ? '\t' : next == 'n' ? '\n' : next == 'r' ? '\r' : next);
  }
  return out;
}

// Splits one line into its tab-separated fields (still escaped).
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  return fields;
}

template <class T>
bool to_number(std::string_view text, T& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string serialize_index_cache(const PluginIndex& index,
                                  const std::vector<std::pair<std::string, FileStamp>>& stamps) {
  std::string out(kHeader);
  out += '\n';
  for (const auto& e : index.path) {
    out += 'E';
    put_field(out, e.path);
    put_field(out, e.origin);
    out += '\n';
  }
  for (const auto& [path, s] : stamps) {
    out += 'S';
    put_number(out, s.exists ? 1 : 0);
    put_number(out, s.mtime_ns);
    put_number(out, s.size);
    put_field(out, std::to_string(s.inode));
    put_field(out, path);
    out += '\n';
  }
  for (const auto& d : index.distributions) {
    out += 'D';
    put_number(out, d.shadowed_by);
    for (const std::string* f : {&d.name, &d.version, &d.metadata_dir, &d.origin, &d.entry_points_file})
      put_field(out, *f);
    out += '\n';
  }
  for (const auto& r : index.registrations) {
    out += 'R';
    put_number(out, static_cast<int>(r.group));
    put_number(out, r.distribution);
    put_number(out, r.line);
    put_field(out, r.name);
    put_field(out, r.value);
    out += '\n';
  }
  for (const auto& p : index.problems) {
    out += 'P';
    put_field(out, p.kind);
    put_field(out, p.where);
    put_field(out, p.message);
    out += '\n';
  }
  out += "end\n";
  return out;
}

CacheVerdict parse_index_cache(std::string_view text, const std::vector<PathEntry>& path, PluginIndex& index) {
  PluginIndex result;
  result.path = path;
  size_t entry = 0;
  bool ended = false;
  bool header = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return CacheVerdict::damaged;  // every line ends with \n
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    if (!header) {
      if (line != kHeader) return CacheVerdict::damaged;
      header = true;
      continue;
    }
    if (line == "end") {
      ended = true;
      break;
    }
    auto f = split_fields(line);
    if (f[0] == "E") {
      if (f.size() != 3) return CacheVerdict::damaged;
      // A different search path (another interpreter, CHAOS_PLUGIN_DIR, ...) is another index.
      if (entry >= path.size() || unescape(f[1]) != path[entry].path || unescape(f[2]) != path[entry].origin) {
        return CacheVerdict::stale;
      }
      ++entry;
    } else if (f[0] == "S") {
      if (entry != path.size()) return CacheVerdict::stale;
      FileStamp cached;
      int exists = 0;
      if (f.size() != 6 || !to_number(f[1], exists) || !to_number(f[2], cached.mtime_ns) ||
          !to_number(f[3], cached.size) || !to_number(f[4], cached.inode)) {
        return CacheVerdict::damaged;
      }
      FileStamp now = stamp_of(unescape(f[5]));
      if (now.exists != (exists == 1) || now.mtime_ns != cached.mtime_ns || now.size != cached.size ||
          now.inode != cached.inode) {
        return CacheVerdict::stale;
      }
    } else if (f[0] == "D") {
      PluginDistribution d;
      if (f.size() != 7 || !to_number(f[1], d.shadowed_by)) return CacheVerdict::damaged;
      d.name = unescape(f[2]);
      d.version = unescape(f[3]);
      d.metadata_dir = unescape(f[4]);
      d.origin = unescape(f[5]);
      d.entry_points_file = unescape(f[6]);
      result.distributions.push_back(std::move(d));
    } else if (f[0] == "R") {
      Registration r;
      int group = 0;
      if (f.size() != 6 || !to_number(f[1], group) || !to_number(f[2], r.distribution) || !to_number(f[3], r.line) ||
          group < 0 || group >= static_cast<int>(kGroupCount) || r.distribution < 0 ||
          r.distribution >= static_cast<int>(result.distributions.size())) {
        return CacheVerdict::damaged;
      }
      r.group = static_cast<Group>(group);
      r.name = unescape(f[4]);
      r.value = unescape(f[5]);
      result.registrations.push_back(std::move(r));
    } else if (f[0] == "P") {
      if (f.size() != 4) return CacheVerdict::damaged;
      result.problems.push_back({unescape(f[1]), unescape(f[2]), unescape(f[3])});
    } else {
      return CacheVerdict::damaged;
    }
  }
  if (!ended || entry != path.size()) return ended ? CacheVerdict::stale : CacheVerdict::damaged;
  for (const auto& d : result.distributions) {
    if (d.shadowed_by >= static_cast<int>(result.distributions.size())) return CacheVerdict::damaged;
  }
  result.from_cache = true;
  index = std::move(result);
  return CacheVerdict::current;
}

}  // namespace chaos
