#include "sops/files.h"

#include <sys/stat.h>

#include <yaml-cpp/yaml.h>

#include "util/fs.h"
#include "util/position.h"
#include "util/text.h"

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

std::string teams_root(const std::string& home) {
  std::string root = env_or_empty("CHAOS_TEAMS_DIR");
  if (!root.empty()) return root;
  std::string data = env_or_empty("XDG_DATA_HOME");
  return (data.empty() ? home + "/.local/share" : data) + "/chaos/teams";
}

bool stays_inside(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.front() == '~') return false;
  for (const auto& part : split(path, '/'))
    if (part == "..") return false;
  return true;
}

// -t COMPANY.TEAM[.GROUP]: both files come from the team's directory, never from elsewhere.
Status team_candidates(const SecretFileOverrides& overrides, const std::string& home, Needs needs,
                       std::optional<Candidate>& secrets, std::optional<Candidate>& sops) {
  const std::string& team = *overrides.team;
  std::vector<std::string> parts = split(team, '.');
  const char* hint = "name a team as COMPANY.TEAM or COMPANY.TEAM.GROUP";
  if (parts.size() < 2 || parts.size() > 3) return Error("`" + team + "` is not COMPANY.TEAM[.GROUP]", "-t", hint);
  for (const auto& part : parts) {
    if (part.empty() || part.find('/') != std::string::npos || part.find('\\') != std::string::npos)
      return Error("`" + team + "` has an empty or unsafe part", "-t", hint);
  }
  std::string dir = teams_root(home) + "/" + parts[0] + "/" + parts[1];
  if (!is_directory(dir)) {
    return Error("the team directory for `" + parts[0] + "." + parts[1] + "` is not at " + dir, "-t",
                 "clone the team's repository there (or set CHAOS_TEAMS_DIR to the directory that holds COMPANY/TEAM)");
  }
  std::string secrets_dir = dir + "/secrets" + (parts.size() == 3 ? "/" + parts[2] : "");
  if (!is_directory(secrets_dir)) return Error("the team has no group directory " + secrets_dir, "-t");
  for (const auto* given : {&overrides.secrets_file, &overrides.sops_config}) {
    if (*given && !stays_inside(**given)) {
      return Error(
          "with -t, -sf and -ss are relative to the team's directories and may not leave them (`" + **given + "`)",
          "-t");
    }
  }
  // A command that only needs the sops config (list, rotate-*) re-encrypts the team's secrets
  // file when there is one.
  if (needs != Needs::sops_config || overrides.secrets_file || is_regular_file(secrets_dir + "/secrets.yml"))
    secrets = Candidate{overrides.secrets_file.value_or("secrets.yml"), "team " + team, secrets_dir};
  sops = Candidate{overrides.sops_config.value_or("sops-config.yml"), "team " + team, dir};
  return {};
}

}  // namespace

Result<SecretFiles> resolve_secret_files(const GlobalConfig& config, const SecretFileOverrides& overrides,
                                         const std::string& home, Needs needs) {
  const std::string config_dir = parent_path(config.path);
  std::optional<Candidate> secrets, sops;
  if (overrides.team) {
    if (auto err = team_candidates(overrides, home, needs, secrets, sops)) return *err;
  } else {
    if (overrides.secrets_file) secrets = Candidate{*overrides.secrets_file, "-sf", ""};
    if (overrides.sops_config) sops = Candidate{*overrides.sops_config, "-ss", ""};
    if (!secrets && config.secrets_file)
      secrets = Candidate{*config.secrets_file, config.path + " (secrets_file)", config_dir};
    if (!sops && config.sops_file) sops = Candidate{*config.sops_file, config.path + " (sops_file)", config_dir};
    if (!secrets || !sops) chobolo_fallbacks(config, home, secrets, sops);
  }

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
