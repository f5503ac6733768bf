// Shared by the libFuzzer harnesses (tests/fuzz/*_fuzz.cc, built with -DCHAOS_FUZZ=ON and run by
// scripts/fuzz.sh). Most readers take a path, so the input is written to a file in a scratch
// directory that lives as long as the fuzzing process.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/fs.h"

namespace chaos::fuzz {

// One scratch directory per process, removed at exit.
inline const std::string& scratch_dir() {
  static const std::string dir = [] {
    const char* tmp = ::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/chaos-fuzz-XXXXXX";
    if (!::mkdtemp(pattern.data())) ::abort();
    static std::string removal = pattern;
    ::atexit([] {
      std::string command = "rm -rf '" + removal + "'";
      if (::system(command.c_str()) != 0) {
      }
    });
    return pattern;
  }();
  return dir;
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Writes `content` to scratch_dir()/name, replacing what an earlier input left there.
inline std::string put_file(const std::string& name, std::string_view content) {
  std::string path = join_path(scratch_dir(), name);
  if (write_file_atomic(path, content)) ::abort();
  return path;
}

// Splits an input into up to `count` files at lines reading exactly `--file--`: one input can
// then hold a whole cache directory (summary, part, bodies, ...). Missing pieces are empty.
inline std::vector<std::string> split_files(std::string_view text, size_t count) {
  std::vector<std::string> pieces;
  constexpr std::string_view kSeparator = "\n--file--\n";
  while (pieces.size() + 1 < count) {
    size_t at = text.find(kSeparator);
    if (at == std::string_view::npos) break;
    pieces.emplace_back(text.substr(0, at));
    text.remove_prefix(at + kSeparator.size());
  }
  pieces.emplace_back(text);
  pieces.resize(count);
  return pieces;
}

}  // namespace chaos::fuzz
