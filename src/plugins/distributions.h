#pragma once

#include <string>
#include <vector>

#include "util/error.h"
#include "util/fs.h"

namespace chaos {

// One place on the import path that may hold distributions: a directory or a zip (wheel).
struct PathEntry {
  std::string path;
  std::string origin;  // "CHAOS_DEV_PATH", "CHAOS_PLUGIN_DIR", "/usr/share/chaos/plugins", "python"
};

// A distribution's metadata directory as importlib.metadata finds it.
struct FoundDistribution {
  std::string normalized_name;  // from the directory name, importlib's normalisation
  std::string metadata_dir;     // filesystem path, or "<wheel>/<dir>" inside a zip
  std::string path_entry;
  std::string origin;
  bool in_zip = false;
  std::string dir_name;           // e.g. my_plugin-1.0.dist-info
  std::string entry_points_file;  // where entry_points.txt is, "" if it has none
  std::string entry_points_text;  // its content
  std::string metadata_text;      // head of METADATA / PKG-INFO (name and version)
};

struct ScanProblem {
  std::string path;
  std::string message;
};

struct ScanResult {
  std::vector<FoundDistribution> distributions;  // importlib order, duplicates included
  std::vector<ScanProblem> problems;
  // Every path entry, metadata directory and entry_points.txt with its stamp, taken before
  // it was read: a change made while scanning still shows as a change the next time.
  std::vector<std::pair<std::string, FileStamp>> stamps;
};

// Lists every *.dist-info, *.egg-info (and an .egg's EGG-INFO) in the path entries, in the
// order importlib.metadata.distributions() yields them, reading entry_points.txt and the
// head of METADATA for each.
ScanResult scan_distributions(const std::vector<PathEntry>& entries);

// Reads name and version from METADATA/PKG-INFO headers (or the directory name).
void name_and_version(const FoundDistribution& dist, std::string& name, std::string& version);

}  // namespace chaos
