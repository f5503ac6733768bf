#include "sops/sops.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/fd.h"
#include "util/fs.h"
#include "util/signals.h"
#include "util/text.h"

namespace chaos {
namespace {

// Where the age keys appear in sops: /dev/fd/3.
constexpr int kAgeKeyChildFd = 3;
// A private GNUPGHOME lives here: RAM-backed, so nothing of the key touches a disk.
constexpr const char* kRamDirectory = "/dev/shm";

// A directory only we can read, in RAM, removed with everything in it when this goes: where a
// private GNUPGHOME lives, and where sops writes the decrypted file it hands to the editor.
class RamDirectory {
 public:
  RamDirectory() = default;
  RamDirectory(const RamDirectory&) = delete;
  RamDirectory& operator=(const RamDirectory&) = delete;
  ~RamDirectory() {
    if (!path_.empty()) remove_tree(path_);
  }
  Status create(const char* prefix) {
    std::string pattern = std::string(kRamDirectory) + "/" + prefix + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {  // mode 0700
      return Error("cannot create a private directory in " + std::string(kRamDirectory) + ": " + errno_text(), {},
                   "chaos keeps decrypted material in RAM only; /dev/shm must be writable");
    }
    path_ = pattern;
    return {};
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// What one run of sops gets beyond our own environment; removes what it created when it goes.
class KeyEnvironment {
 public:
  KeyEnvironment() = default;
  KeyEnvironment(const KeyEnvironment&) = delete;
  KeyEnvironment& operator=(const KeyEnvironment&) = delete;
  ~KeyEnvironment() {
    if (gnupg_home_.path().empty()) return;  // (vault_home_ goes by itself: it starts no agent)
    // gpg started an agent for the private home; it would outlive us holding the key.
    RunOptions kill;
    kill.env = {{"GNUPGHOME", gnupg_home_.path()}};
    kill.timeout_ms = 5000;
    (void)run_capture({"gpgconf", "--kill", "gpg-agent"}, kill);
  }

  Status prepare(const SopsSetup& setup) {
    if (!setup.keys.age_identities.empty()) {
      if (auto err = prepare_age(setup.keys.age_identities)) return err;
    } else if (env_or_empty("SOPS_AGE_KEY_FILE").empty() && env_or_empty("SOPS_AGE_KEY").empty() &&
               !setup.chaos_age_key_file.empty() && is_regular_file(setup.chaos_age_key_file)) {
      env.push_back({"SOPS_AGE_KEY_FILE", setup.chaos_age_key_file});
    }
    if (!setup.keys.vault_token.empty()) {
      if (auto err = prepare_vault(setup.keys.vault_token)) return err;
    }
    if (!setup.keys.gpg_secret_keys.empty()) return prepare_gpg(setup.keys.gpg_secret_keys);
    return {};
  }

  EnvChanges env;
  std::vector<ChildFd> fds;

 private:
  // A memfd, not a pipe: sops opens SOPS_AGE_KEY_FILE again for each age recipient it tries,
  // and a pipe is empty after the first (a file with two recipients, the key for the second,
  // would fail). Each open of /dev/fd/N of a memfd starts at its beginning; it lives in RAM and
  // has no name on any filesystem.
  Status prepare_age(const std::string& identities) {
    Fd memory(::memfd_create("chaos-age-identities", MFD_CLOEXEC));
    if (!memory) return Error("cannot hold the age key in memory: " + errno_text());
    if (auto err = write_all(memory.get(), identities, "the age key")) return err;
    age_keys_ = std::move(memory);
    fds.push_back({age_keys_.get(), kAgeKeyChildFd});
    env.push_back({"SOPS_AGE_KEY_FILE", "/dev/fd/" + std::to_string(kAgeKeyChildFd)});
    return {};
  }

  Status prepare_gpg(const std::string& secret_keys) {
    if (auto err = gnupg_home_.create("chaos-gnupg")) return err;
    RunOptions import;
    import.input = secret_keys;
    import.env = {{ "GNUPGHOME", gnupg_home_.path() }};
    import.timeout_ms = 60000;
    auto ran = run_capture({"gpg", "--batch", "--quiet", "--import"}, import);
    if (!ran) return ran.error();
    if (!ran->status.exited_with(0)) return Error("gpg could not import the key: " + trim(ran->err));
    env.push_back({"GNUPGHOME", gnupg_home_.path()});
    return {};
  }

  // sops reads a Vault token from VAULT_TOKEN (an environment variable: not for a secret) or
  // $HOME/.vault-token: so sops gets a HOME of its own, in RAM, holding only that file. What
  // sops would have found through the real HOME (its age key file, the gpg home) is pointed at
  // explicitly, so nothing else changes for it.
  Status prepare_vault(const std::string& token) {
    if (auto err = vault_home_.create("chaos-vault")) return err;
    std::string real_home = env_or_empty("HOME");
    if (auto err = write_file_atomic(vault_home_.path() + "/.vault-token", token + "\n")) return err;
    env.push_back({"HOME", vault_home_.path()});
    if (!real_home.empty() && env_or_empty("XDG_CONFIG_HOME").empty())
      env.push_back({"XDG_CONFIG_HOME", real_home + "/.config"});
    if (!real_home.empty() && env_or_empty("GNUPGHOME").empty()) env.push_back({"GNUPGHOME", real_home + "/.gnupg"});
    return {};
  }

  Fd age_keys_;
  RamDirectory gnupg_home_;
  RamDirectory vault_home_;
};

// sops' own words, and what to do about the failures users meet.
Error sops_failure(const std::string& what, const std::string& file, const ProcessOutput& out) {
  std::string said = trim(out.err);
  std::string hint;
  if (said.find("MAC mismatch") != std::string::npos) {
    hint =
        "the file was changed after sops encrypted it (edited by hand, or tampered with); restore it from a "
        "copy you trust";
  } else if (said.find("Vault") != std::string::npos || said.find("vault") != std::string::npos) {
    hint =
        "Vault refused the token or could not be reached: log in (vault login, ~/.vault-token), or pass -p with an "
        "item holding a Vault token";
  } else if (said.find("Failed to get the data key") != std::string::npos ||
             said.find("no identity matched") != std::string::npos) {
    hint =
        "none of the keys available here can decrypt it: check $SOPS_AGE_KEY_FILE or the key chaos init secrets "
        "wrote, your gpg keys, or pass -p to read the key from a password manager";
  } else if (said.find("no matching creation rules") != std::string::npos) {
    hint = "the sops config has no creation rule whose path_regex matches this file name";
  }
  if (said.empty()) said = "sops failed (" + describe_exit(out.status) + ")";
  return Error("sops could not " + what + ": " + said, file, hint);
}

// Checked before running it, so that "not installed" is known, not read out of a message.
Status require_sops(const std::string& program) {
  if (!find_on_path(program).empty()) return {};
  return Error("sops is not installed (or not on PATH)", program,
               "install it: scripts/install-sops.sh in the chaos source, or your distribution's package; "
               "`chaos doctor` checks it");
}

Result<ProcessOutput> run_sops(const SopsSetup& setup, std::vector<std::string> args, RunOptions options = {}) {
  if (auto err = require_sops(setup.program)) return *err;
  KeyEnvironment keys;
  if (auto err = keys.prepare(setup)) return *err;
  options.env.insert(options.env.end(), keys.env.begin(), keys.env.end());
  options.fds = keys.fds;
  args.insert(args.begin(), setup.program);
  ScopedSignalHandling signals;  // a Ctrl-C ends sops; the private key home is removed all the same
  return run_capture(args, options);
}

// Waits for `child`, or for a signal (util/signals.h): then sops is asked to stop (SIGTERM), and
// killed if it does not within two seconds.
ExitStatus wait_unless_signalled(ChildProcess& child) {
  pollfd wake{signal_wake_fd(), POLLIN, 0};
  while (!child.poll()) {
    if (pending_signal()) {
      child.signal(SIGTERM);
      for (int i = 0; i < 40 && !child.poll(); ++i) ::usleep(50000);
      return child.poll() ? *child.status() : child.kill_and_wait();
    }
    (void)::poll(&wake, 1, 50);
  }
  return *child.status();
}

std::vector<std::string> with_config(const std::string& sops_config, std::vector<std::string> args) {
  if (!sops_config.empty()) args.insert(args.begin(), {"--config", sops_config});
  return args;
}

}  // namespace

Result<std::string> sops_decrypt(const SopsSetup& setup, const SecretFiles& files) {
  auto ran = run_sops(setup, with_config(files.sops_config, {"decrypt", "--", files.secrets_file}));
  if (!ran) return ran.error();
  if (!ran->status.exited_with(0)) return sops_failure("decrypt the secrets", files.secrets_file, *ran);
  return std::move(ran->out);
}

Status sops_encrypt_in_place(const SopsSetup& setup, const std::string& sops_config, const std::string& file) {
  auto ran = run_sops(setup, with_config(sops_config, {"encrypt", "--in-place", "--", file}));
  if (!ran) return ran.error();
  if (!ran->status.exited_with(0)) return sops_failure("encrypt", file, *ran);
  return {};
}

Status sops_updatekeys(const SopsSetup& setup, const std::string& sops_config, const std::string& file) {
  auto ran = run_sops(setup, with_config(sops_config, {"updatekeys", "--yes", "--", file}));
  if (!ran) return ran.error();
  if (!ran->status.exited_with(0)) return sops_failure("update the keys of", file, *ran);
  return {};
}

Result<bool> sops_edit(const SopsSetup& setup, const SecretFiles& files) {
  if (auto err = require_sops(setup.program)) return *err;
  KeyEnvironment keys;
  if (auto err = keys.prepare(setup)) return *err;
  // sops hands the editor a plaintext copy in $TMPDIR (/tmp, a disk, by default): here it is a
  // private directory in RAM, removed when editing ends, however it ends.
  RamDirectory scratch;
  if (auto err = scratch.create("chaos-edit")) return *err;
  keys.env.push_back({"TMPDIR", scratch.path()});
  std::vector<std::string> args = with_config(files.sops_config, {"edit", "--", files.secrets_file});
  args.insert(args.begin(), setup.program);
  // The terminal stays sops' (and the editor's): stdin, stdout and stderr are inherited.
  ScopedSignalHandling signals;
  become_subreaper();  // an editor left behind by sops becomes ours, to be stopped
  auto child = ChildProcess::spawn(args, keys.fds, /*search_path=*/true, keys.env);
  if (!child) return child.error();
  ExitStatus status = wait_unless_signalled(*child);
  if (int sig = pending_signal()) {
    // Ctrl-C reached sops and the editor from the terminal; a SIGTERM to chaos alone did not.
    // Either way nothing of the edit goes on: the plaintext copy goes with `scratch`.
    kill_every_child();
    return Error(ErrorKind::interrupted, "editing stopped by signal " + std::to_string(sig) + "; nothing was saved",
                 files.secrets_file);
  }
  // sops exits 200 when the editor saved nothing new.
  if (status.exited_with(200)) return false;
  if (!status.exited_with(0)) return Error("sops editing failed (" + describe_exit(status) + ")", files.secrets_file);
  return true;
}

SopsSetup sops_setup_for(const Paths& paths) {
  SopsSetup setup;
  setup.chaos_age_key_file = paths.config_dir + "/keys.txt";
  return setup;
}

Result<SecretsDocument> decrypt_configured_secrets(const GlobalConfig& config, const Paths& paths,
                                                   const SecretFileOverrides& overrides, SopsKeys keys) {
  auto files = resolve_secret_files(config, overrides, paths.home, Needs::secrets_file);
  if (!files) return files.error();
  SopsSetup setup = sops_setup_for(paths);
  setup.keys = std::move(keys);
  auto text = sops_decrypt(setup, *files);
  if (!text) return text.error();
  return parse_secrets(std::move(*text), files->secrets_file);
}

Result<std::string> sops_version(const std::string& program) {
  RunOptions options;
  options.timeout_ms = 10000;
  auto ran = run_capture({program, "--version", "--disable-version-check"}, options);
  if (!ran || !ran->status.exited_with(0)) return Error("sops is not installed (or does not run)", program);
  std::string first = ran->out.substr(0, ran->out.find('\n'));
  auto space = first.find(' ');
  if (space != std::string::npos) first = first.substr(space + 1);
  return trim(first.substr(0, first.find(' ')));
}

}  // namespace chaos
