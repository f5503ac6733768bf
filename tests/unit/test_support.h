// Scratch directories and files for unit tests; each test gets its own directory, removed
// afterwards.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <string>

#include "util/fs.h"
#include "util/process.h"

namespace chaos::testing {

class ScratchDir {
 public:
  ScratchDir() {
    char pattern[] = "/tmp/chaos-unit-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~ScratchDir() { (void)run_capture({"rm", "-rf", path_}); }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return join_path(path_, rel); }

 private:
  std::string path_;
};

inline void write(const std::string& path, const std::string& content) {
  ASSERT_FALSE(make_directories(parent_path(path)).has_value());
  ASSERT_FALSE(write_file_atomic(path, content).has_value());
}

// A dist-info directory as pip leaves it.
inline void install_dist(const std::string& site, const std::string& name, const std::string& version,
                         const std::string& entry_points) {
  std::string dir = join_path(site, name + "-" + version + ".dist-info");
  write(join_path(dir, "METADATA"), "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n\nbody\n");
  if (!entry_points.empty()) write(join_path(dir, "entry_points.txt"), entry_points);
}

}  // namespace chaos::testing
