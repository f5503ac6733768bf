#include "sops/files.h"

#include <sys/stat.h>

#include <yaml-cpp/yaml.h>

#include "util/fs.h"
#include "util/position.h"

namespace chaos {
namespace {

struct Candidate {
  std::string path;
  std::string source;  // "-sf", "config.yml (secrets_file)", ...
  std::string base;    // directory a relative path is taken from; empty: the working directory
};

std::string expand(const Candidate& c, const std::string& home) {
  if (c.path == "~") return home;
  if (c.path.rfind("~/", 0) == 0) return home + c.path.substr(1);
  if (c.path.front() == '/' || c.base.empty()) return c.path;
  return c.base + "/" + c.path;
}

// The default Ch-obolo's `secrets:` block, the last place looked at. A Ch-obolo that cannot be
// read gives nothing here: `chaos apply` reports it properly, and secrets commands say which
// file they could not find.
void chobolo_fallbacks(const GlobalConfig& config, const std::string& home, std::optional<Candidate>& secrets,
                       std::optional<Candidate>& sops) {
  if (!config.chobolo_file || config.chobolo_file->empty()) return;
  const std::string chobolo = expand({*config.chobolo_file, "", parent_path(config.path)}, home);
  auto text = read_regular_file(chobolo);
  if (!text) return;
  YAML::Node block;
  try {
    block = YAML::Load(*text)["secrets"];
  } catch (const YAML::Exception&) {
    return;
  }
  if (!block.IsMap()) return;
  auto take = [&](const char* key, std::optional<Candidate>& slot) {
    const YAML::Node value = block[key];
    if (!slot && value.IsScalar() && !value.Scalar().empty())
      slot = Candidate{value.Scalar(), chobolo + " (secrets." + key + ")", parent_path(chobolo)};
  };
  take("sec_file", secrets);
  take("sec_sops", sops);
}

Result<std::string> checked(const std::optional<Candidate>& c, const std::string& home, const char* what,
                            const char* flag, const char* config_key) {
  if (!c) {
    return Error(std::string("no ") + what + " is configured", {},
                 std::string("pass ") + flag + " FILE, or run `chaos set " + config_key +
                     " FILE` (or `chaos init secrets` to create one)");
  }
  for (unsigned char ch : c->path) {
    if (ch < 0x20 || ch == 0x7f) return Error(std::string("the ") + what + " path has a control character", c->source);
  }
  std::string path = expand(*c, home);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Error(std::string("cannot use ") + what + " " + path + ": " + errno_text(), c->source,
                 std::string("fix the path, or pass ") + flag + " FILE");
  }
  if (!S_ISREG(st.st_mode)) {
    return Error(std::string("the ") + what + " " + path + " is " + file_type_name(st.st_mode) + ", not a regular file",
                 c->source);
  }
  return path;
}

}  // namespace

Result<SecretFiles> resolve_secret_files(const GlobalConfig& config, const SecretFileOverrides& overrides,
                                         const std::string& home, Needs needs) {
  const std::string config_dir = parent_path(config.path);
  std::optional<Candidate> secrets, sops;
  if (overrides.secrets_file) secrets = Candidate{*overrides.secrets_file, "-sf", ""};
  if (overrides.sops_config) sops = Candidate{*overrides.sops_config, "-ss", ""};
  if (!secrets && config.secrets_file)
    secrets = Candidate{*config.secrets_file, config.path + " (secrets_file)", config_dir};
  if (!sops && config.sops_file) sops = Candidate{*config.sops_file, config.path + " (sops_file)", config_dir};
  if (!secrets || !sops) chobolo_fallbacks(config, home, secrets, sops);

  SecretFiles files;
  if (needs != Needs::sops_config || secrets) {
    auto path = checked(secrets, home, "secrets file", "-sf", "secrets");
    if (!path) return path.error();
    files.secrets_file = std::move(*path);
  }
  if (needs != Needs::secrets_file || sops) {
    auto path = checked(sops, home, "sops config", "-ss", "sops");
    if (!path) return path.error();
    files.sops_config = std::move(*path);
  }
  return files;
}

}  // namespace chaos
