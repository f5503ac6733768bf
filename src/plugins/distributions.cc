#include "plugins/distributions.h"

#include <dlfcn.h>
#include <zip.h>

#include <algorithm>
#include <cctype>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "plugins/entry_points.h"
#include "util/fs.h"
#include "util/text.h"
#include "util/utf8.h"

namespace chaos {
namespace {

bool is_metadata_dir_name(const std::string& low) { return low.ends_with(".dist-info") || low.ends_with(".egg-info"); }

// importlib: name = low.rpartition(".")[0].partition("-")[0], then normalised.
std::string name_from_metadata_dir(const std::string& low) {
  std::string stem = low.substr(0, low.rfind('.'));
  return normalize_distribution_name(stem.substr(0, stem.find('-')));
}

// Only the header block of METADATA matters (name, version); descriptions can be large.
std::string header_block(const std::string& text) {
  auto end = text.find("\n\n");
  return end == std::string::npos ? text : text.substr(0, end + 1);
}

// Metadata directories in importlib's Lookup order: the order names appear, grouped by
// normalised name (dist-info and egg-info together), then an .egg's EGG-INFO.
std::vector<std::string> order_like_importlib(const std::vector<std::string>& children, bool base_is_egg) {
  std::vector<std::string> order_of_names;
  std::unordered_map<std::string, std::vector<std::string>> by_name;
  std::vector<std::string> eggs;
  for (const auto& child : children) {
    std::string low = lower(child);
    if (is_metadata_dir_name(low)) {
      std::string name = name_from_metadata_dir(low);
      auto [it, fresh] = by_name.try_emplace(name);
      if (fresh) order_of_names.push_back(name);
      it->second.push_back(child);
    } else if (base_is_egg && low == "egg-info") {
      eggs.push_back("EGG-INFO");
    }
  }
  std::vector<std::string> ordered;
  for (const auto& name : order_of_names) {
    for (auto& dir : by_name[name]) ordered.push_back(dir);
  }
  for (auto& egg : eggs) ordered.push_back(egg);
  return ordered;
}

std::string egg_name(const std::string& path_entry) {
  std::string base = lower(base_name(path_entry));
  std::string stem = base.substr(0, base.rfind('.'));
  return normalize_distribution_name(stem.substr(0, stem.find('-')));
}

void scan_directory(const PathEntry& entry, ScanResult& result) {
  bool base_is_egg = lower(base_name(entry.path)).ends_with(".egg");
  for (const auto& child : order_like_importlib(list_directory(entry.path), base_is_egg)) {
    if (!is_valid_utf8(child)) {
      result.problems.push_back({escape_invalid_utf8(join_path(entry.path, child)),
                                 "skipped: this metadata directory's name is not valid UTF-8"});
      continue;
    }
    FoundDistribution dist;
    dist.dir_name = child == "EGG-INFO" ? base_name(entry.path) : child;
    dist.normalized_name = child == "EGG-INFO" ? egg_name(entry.path) : name_from_metadata_dir(lower(child));
    dist.metadata_dir = join_path(entry.path, child);
    dist.path_entry = entry.path;
    dist.origin = entry.origin;
    result.stamps.emplace_back(dist.metadata_dir, stamp_of(dist.metadata_dir));
    std::string ep_file = join_path(dist.metadata_dir, "entry_points.txt");
    FileStamp ep_stamp = stamp_of(ep_file);
    if (ep_stamp.exists) result.stamps.emplace_back(ep_file, ep_stamp);
    if (ep_stamp.exists && !ep_stamp.is_dir) {
      auto text = read_file(ep_file);
      if (text) {
        dist.entry_points_file = ep_file;
        dist.entry_points_text = std::move(*text);
      } else {
        result.problems.push_back({ep_file, text.error().message});
      }
    }
    result.distributions.push_back(std::move(dist));
  }
}

// libzip, opened on first use. Linking it would load libcrypto and friends into every
// command, and their relocations were most of chaos's start-up time; only commands that
// meet a wheel pay for it.
struct ZipApi {
  decltype(&::zip_open) open = nullptr;
  decltype(&::zip_close) close = nullptr;
  decltype(&::zip_get_num_entries) num_entries = nullptr;
  decltype(&::zip_get_name) get_name = nullptr;
  decltype(&::zip_stat) stat = nullptr;
  decltype(&::zip_fopen) fopen = nullptr;
  decltype(&::zip_fread) fread = nullptr;
  decltype(&::zip_fclose) fclose = nullptr;
  decltype(&::zip_error_init_with_code) error_init = nullptr;
  decltype(&::zip_error_strerror) error_text = nullptr;
  decltype(&::zip_error_fini) error_fini = nullptr;
  std::string failure;  // why it could not be loaded
};

const ZipApi& zip_api() {
  static const ZipApi api = [] {
    ZipApi z;
    void* lib = nullptr;
    for (const char* name : {CHAOS_LIBZIP_SONAME, "libzip.so"}) {
      if ((lib = ::dlopen(name, RTLD_NOW | RTLD_LOCAL))) break;
    }
    if (!lib) {
      z.failure = std::string("libzip is needed to read wheels (") + CHAOS_LIBZIP_SONAME + "): " + ::dlerror();
      return z;
    }
    auto load = [&](auto& slot, const char* symbol) {
      slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(::dlsym(lib, symbol));
      if (!slot && z.failure.empty()) z.failure = std::string("libzip lacks ") + symbol;
    };
    load(z.open, "zip_open");
    load(z.close, "zip_close");
    load(z.num_entries, "zip_get_num_entries");
    load(z.get_name, "zip_get_name");
    load(z.stat, "zip_stat");
    load(z.fopen, "zip_fopen");
    load(z.fread, "zip_fread");
    load(z.fclose, "zip_fclose");
    load(z.error_init, "zip_error_init_with_code");
    load(z.error_text, "zip_error_strerror");
    load(z.error_fini, "zip_error_fini");
    return z;
  }();
  return api;
}

// What reading a wheel may cost, whatever the wheel claims (issue 8, item 13). Only small text
// members are read (entry_points.txt, METADATA), so the caps are far above any real plugin's.
constexpr zip_int64_t kMaxWheelMembers = 100000;
constexpr zip_uint64_t kMaxMemberBytes = 1u << 20;  // declared and actual, per member read
// Text deflates by 3-10x; deflate itself cannot pass ~1032x, so a member above this ratio is a
// bomb or a lie, and is refused before a byte is inflated.
constexpr zip_uint64_t kMaxCompressionRatio = 200;

// An open archive or member, closed once when it goes out of scope. libzip is reached through
// the dlopen'ed table above (an optional feature: chaos runs without libzip), so the holder is
// given the close function from that table.
template <class T>
class ZipHandle {
 public:
  ZipHandle(int (*close)(T*), T* handle) : close_(close), handle_(handle) {}
  ~ZipHandle() {
    if (handle_) close_(handle_);
  }
  ZipHandle(const ZipHandle&) = delete;
  ZipHandle& operator=(const ZipHandle&) = delete;
  T* get() const { return handle_; }

 private:
  int (*close_)(T*);
  T* handle_;
};

struct ZipMember {
  bool found = false;
  std::string text;
  std::string refused;  // why the member was not read, for a problem naming the wheel
};

// Reads one member in bounded steps: the declared size is checked before anything is
// allocated, and inflating stops at the cap whatever the declared size said.
ZipMember read_zip_member(const ZipApi& z, zip_t* archive, const std::string& name) {
  ZipMember member;
  zip_stat_t st;
  if (z.stat(archive, name.c_str(), 0, &st) != 0) return member;
  member.found = true;
  if (!(st.valid & ZIP_STAT_SIZE) || st.size > kMaxMemberBytes) {
    member.refused = name + " declares " + std::to_string(st.size) + " bytes, more than the " +
                     std::to_string(kMaxMemberBytes) + " chaos reads";
    return member;
  }
  if ((st.valid & ZIP_STAT_COMP_SIZE) && st.size > 4096 &&
      (st.comp_size == 0 || st.size / st.comp_size > kMaxCompressionRatio)) {
    member.refused = name + " would inflate " + std::to_string(st.comp_size) + " bytes to " + std::to_string(st.size) +
                     " (a compression bomb?)";
    return member;
  }
  ZipHandle<zip_file_t> file(z.fclose, z.fopen(archive, name.c_str(), 0));
  if (!file.get()) {
    member.refused = name + " cannot be opened (encrypted or damaged)";
    return member;
  }
  char buf[16384];
  for (;;) {
    zip_int64_t got = z.fread(file.get(), buf, sizeof buf);
    if (got < 0) {
      member.refused = name + " is damaged";
      break;
    }
    if (got == 0) break;
    if (member.text.size() + static_cast<size_t>(got) > st.size) {
      member.refused = name + " inflates to more than the " + std::to_string(st.size) + " bytes it declares";
      break;
    }
    member.text.append(buf, static_cast<size_t>(got));
  }
  if (!member.refused.empty()) member.text.clear();
  return member;
}

void scan_zip(const PathEntry& entry, ScanResult& result) {
  const ZipApi& z = zip_api();
  if (!z.failure.empty()) {
    result.problems.push_back({entry.path, "cannot read this wheel: " + z.failure});
    return;
  }
  int error_code = 0;
  ZipHandle<zip_t> opened(z.close, z.open(entry.path.c_str(), ZIP_RDONLY, &error_code));
  zip_t* archive = opened.get();
  if (!archive) {
    zip_error_t error;
    z.error_init(&error, error_code);
    result.problems.push_back({entry.path, std::string("cannot read this wheel: ") + z.error_text(&error)});
    z.error_fini(&error);
    return;
  }
  zip_int64_t count = z.num_entries(archive, 0);
  if (count > kMaxWheelMembers) {
    result.problems.push_back({escape_invalid_utf8(entry.path), "refusing to read this wheel: it has " +
                                                                    std::to_string(count) + " members, more than " +
                                                                    std::to_string(kMaxWheelMembers)});
    return;
  }
  // importlib: the first path component of every member, in order of first appearance.
  std::vector<std::string> children;
  std::unordered_set<std::string> seen;
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* member = z.get_name(archive, static_cast<zip_uint64_t>(i), 0);
    if (!member) continue;
    std::string top(member);
    top = top.substr(0, top.find('/'));
    if (seen.insert(top).second) children.push_back(top);
  }
  bool base_is_egg = lower(base_name(entry.path)).ends_with(".egg");
  auto refuse = [&](const std::string& why) {
    result.problems.push_back(
        {escape_invalid_utf8(entry.path), "refusing to read this wheel: " + escape_invalid_utf8(why)});
  };
  for (const auto& child : order_like_importlib(children, base_is_egg)) {
    if (!is_valid_utf8(child)) {
      refuse("its metadata directory " + child + " is not named in UTF-8");
      continue;
    }
    FoundDistribution dist;
    dist.in_zip = true;
    dist.dir_name = child;
    dist.normalized_name = child == "EGG-INFO" ? egg_name(entry.path) : name_from_metadata_dir(lower(child));
    dist.metadata_dir = entry.path + "/" + child;
    dist.path_entry = entry.path;
    dist.origin = entry.origin;
    ZipMember entry_points = read_zip_member(z, archive, child + "/entry_points.txt");
    if (!entry_points.refused.empty()) {
      refuse(entry_points.refused);
      continue;
    }
    if (!entry_points.text.empty()) {
      dist.entry_points_file = dist.metadata_dir + "/entry_points.txt";
      dist.entry_points_text = std::move(entry_points.text);
    }
    for (const char* file : {"/METADATA", "/PKG-INFO"}) {
      ZipMember metadata = read_zip_member(z, archive, child + file);
      if (!metadata.refused.empty()) refuse(metadata.refused);
      dist.metadata_text = header_block(metadata.text);
      if (!dist.metadata_text.empty()) break;
    }
    result.distributions.push_back(std::move(dist));
  }
}

}  // namespace

ScanResult scan_distributions(const std::vector<PathEntry>& entries) {
  ScanResult result;
  for (const auto& entry : entries) {
    if (!is_valid_utf8(entry.path)) {
      // Every name chaos shows or sends to the role host must be text.
      result.problems.push_back({escape_invalid_utf8(entry.path), "skipped: this path is not valid UTF-8"});
      continue;
    }
    FileStamp stamp = stamp_of(entry.path);
    result.stamps.emplace_back(entry.path, stamp);
    if (stamp.is_dir) {
      scan_directory(entry, result);
    } else if (stamp.exists) {
      scan_zip(entry, result);
    }
  }
  return result;
}

void name_and_version(const FoundDistribution& dist, std::string& name, std::string& version) {
  name.clear();
  version.clear();
  std::string text = dist.metadata_text;
  if (text.empty() && !dist.in_zip) {
    for (const char* file : {"METADATA", "PKG-INFO"}) {
      std::string path = join_path(dist.metadata_dir, file);
      if (is_regular_file(path)) {
        if (auto t = read_file(path)) text = header_block(*t);
        break;
      }
    }
    // An .egg-info may itself be the PKG-INFO file.
    if (text.empty() && is_regular_file(dist.metadata_dir)) {
      if (auto t = read_file(dist.metadata_dir)) text = header_block(*t);
    }
  }
  size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    std::string_view line(text.data() + pos, (end == std::string::npos ? text.size() : end) - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (name.empty() && line.rfind("Name:", 0) == 0) {
      name = std::string(line.substr(5));
      name.erase(0, name.find_first_not_of(' '));
    } else if (version.empty() && line.rfind("Version:", 0) == 0) {
      version = std::string(line.substr(8));
      version.erase(0, version.find_first_not_of(' '));
    }
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  // METADATA is read as bytes; what is not UTF-8 is shown escaped rather than passed on.
  name = escape_invalid_utf8(name);
  version = escape_invalid_utf8(version);
  if (name.empty() || version.empty()) {
    // Fall back to the directory name: name-version.dist-info.
    std::string stem = dist.dir_name.substr(0, dist.dir_name.rfind('.'));
    auto dash = stem.find('-');
    if (name.empty()) name = stem.substr(0, dash);
    if (version.empty() && dash != std::string::npos) {
      std::string rest = stem.substr(dash + 1);
      version = rest.substr(0, rest.find('-'));
    }
  }
}

}  // namespace chaos
