#include "init/secrets_setup.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <ctime>

#include "config/config_edit.h"
#include "sops/sops.h"
#include "sops/sops_config.h"
#include "term/prompt.h"
#include "util/fs.h"
#include "util/process.h"
#include "util/text.h"

namespace chaos {
namespace {

// What a new secrets file holds before the user edits it: a shape roles commonly ask for.
constexpr const char* kSampleSecrets =
    "# Edit with `chaos secrets edit`; values are encrypted, names stay readable.\n"
    "user_secrets:\n"
    "  your_user:\n"
    "    password: change-me\n";

struct Plan {
  std::string engine;
  std::string key_file;   // age identity file (age)
  std::string recipient;  // age public key or gpg fingerprint
  std::string sops_config;
  std::string secrets_file;
};

Result<std::string> run_text(const std::vector<std::string>& argv, const std::string& what) {
  RunOptions options;
  options.timeout_ms = 60000;
  auto ran = run_capture(argv, options);
  if (!ran) return ran.error();
  if (!ran->status.exited_with(0)) return Error(what + " failed: " + ran->err.substr(0, ran->err.find('\n')), argv[0]);
  return ran->out;
}

// Moves an existing file aside (`NAME.<epoch>.bak`) so that --force never destroys anything.
Status back_up(const std::string& path) {
  std::string backup = path + "." + std::to_string(std::time(nullptr)) + ".bak";
  if (::rename(path.c_str(), backup.c_str()) != 0) return Error("cannot back up " + path + ": " + errno_text());
  std::fprintf(stderr, "Moved the existing %s to %s\n", path.c_str(), backup.c_str());
  return {};
}

Status may_write(const std::string& path, bool force, const char* flag_hint) {
  if (!stamp_of(path).exists || force) return {};
  return Error(path + " already exists", {},
               std::string("pass --force to replace it (it is backed up first)") + flag_hint);
}

Status replace(const std::string& path, std::string_view content) {
  if (stamp_of(path).exists) {
    if (auto err = back_up(path)) return err;
  }
  return write_file_atomic(path, content);
}

Status choose_age_key(Context& ctx, const SecretsSetupOptions& opts, Plan& plan) {
  plan.key_file = opts.age_key.empty() ? ctx.paths.config_dir + "/keys.txt" : opts.age_key;
  const bool exists = stamp_of(plan.key_file).exists;
  if (!opts.age_key.empty() && !exists) return Error("the age key " + opts.age_key + " does not exist");
  if (exists && opts.new_key && opts.age_key.empty()) {
    if (auto err = may_write(plan.key_file, opts.force, ", or drop --new-key to keep using it")) return err;
    if (auto err = back_up(plan.key_file)) return err;
  }
  if (!stamp_of(plan.key_file).exists) {
    if (auto err = make_directories(ctx.paths.config_dir)) return err;
    auto made = run_text({"age-keygen", "-o", plan.key_file}, "age-keygen");
    if (!made) return made.error();
    std::fprintf(stderr, "Wrote a new age key to %s: back it up; without it the secrets are lost.\n",
                 plan.key_file.c_str());
  } else {
    std::fprintf(stderr, "Using the age key in %s\n", plan.key_file.c_str());
  }
  auto recipient = run_text({"age-keygen", "-y", plan.key_file}, "age-keygen -y");
  if (!recipient) return recipient.error();
  plan.recipient = trim(*recipient);
  return {};
}

Status choose_gpg_key(Context& ctx, const SecretsSetupOptions& opts, Plan& plan) {
  std::string fpr = opts.gpg_fingerprint;
  if (fpr.empty() && !opts.yes && ::isatty(STDIN_FILENO)) {
    std::fputs(ctx.err(Tone::dim, "Your secret keys: gpg --list-secret-keys --keyid-format LONG").c_str(), stderr);
    std::fputc('\n', stderr);
    fpr = ask(STDIN_FILENO, STDERR_FILENO, "Fingerprint of the gpg key to encrypt for: ", 200).text;
  }
  auto checked = checked_recipient("pgp", fpr);
  if (!checked) {
    Error e = checked.error();
    e.hint = "pass --gpg-fingerprint FPR (gpg -K shows it)";
    return e;
  }
  const std::string& clean = *checked;
  if (!run_text({"gpg", "--batch", "--list-secret-keys", clean}, "gpg --list-secret-keys"))
    return Error("no secret gpg key " + clean + " in your keyring", {}, "gpg -K lists the keys you can decrypt with");
  plan.recipient = clean;
  return {};
}

std::string sops_config_text(const Plan& plan) {
  const char* field = plan.engine == "age" ? "age" : "pgp";
  return "# sops' rules: which files are encrypted for which keys. Written by chaos init secrets;\n"
         "# `chaos secrets list " +
         std::string(plan.engine == "age" ? "age" : "pgp") +
         "` shows the keys.\n"
         "creation_rules:\n"
         "  - path_regex: secrets[^/]*\\.(ya?ml|json)$\n"
         "    " +
         field + ": " + plan.recipient + "\n";
}

Status write_files(Context& ctx, const Plan& plan) {
  if (auto err = replace(plan.sops_config, sops_config_text(plan))) return err;
  if (auto err = replace(plan.secrets_file, kSampleSecrets)) return err;
  SopsSetup setup = sops_setup_for(ctx.paths);
  if (auto err = sops_encrypt_in_place(setup, plan.sops_config, plan.secrets_file)) {
    ::unlink(plan.secrets_file.c_str());
    return err;
  }
  return set_config_strings(ctx.paths.config_file(),
                            {{"secrets_file", plan.secrets_file}, {"sops_file", plan.sops_config}});
}

}  // namespace

int run_init_secrets(Context& ctx, const SecretsSetupOptions& opts) {
  if (auto version = sops_version(); !version) {
    ctx.print_error(Error("sops is not installed", {}, "`chaos doctor` says how to install it"));
    return kExitFailure;
  }
  Plan plan;
  plan.engine = opts.engine;
  if (plan.engine.empty()) plan.engine = find_on_path("age-keygen").empty() ? "gpg" : "age";
  if (plan.engine == "pgp") plan.engine = "gpg";
  if (plan.engine != "age" && plan.engine != "gpg") {
    ctx.print_error(Error("unknown engine `" + opts.engine + "`", {}, "use age or gpg"));
    return kExitUsage;
  }
  plan.sops_config =
      opts.sops_config.empty() ? ctx.paths.config_dir + "/sops-config.yml" : absolute_path(opts.sops_config);
  plan.secrets_file =
      opts.secrets_file.empty() ? ctx.paths.config_dir + "/secrets.yml" : absolute_path(opts.secrets_file);
  // Refused before anything is created: a half-done setup is worse than none.
  for (auto [path, hint] : {std::pair{plan.sops_config, ", or pass --sops-config FILE"},
                            std::pair{plan.secrets_file, ", or pass --secrets-file FILE"}}) {
    if (auto err = may_write(path, opts.force, hint)) return ctx.print_error(*err), kExitFailure;
  }
  Status chosen = plan.engine == "age" ? choose_age_key(ctx, opts, plan) : choose_gpg_key(ctx, opts, plan);
  if (chosen) return ctx.print_error(*chosen), kExitFailure;
  if (auto err = write_files(ctx, plan)) return ctx.print_error(*err), kExitFailure;
  std::printf(
      "Secrets are set up (%s, %s):\n  sops config   %s\n  secrets file  %s (encrypted)\n"
      "  config.yml    secrets_file and sops_file set\n"
      "Next: chaos secrets edit, then chaos check secrets.\n",
      plan.engine.c_str(), plan.recipient.c_str(), plan.sops_config.c_str(), plan.secrets_file.c_str());
  return kExitOk;
}

}  // namespace chaos
