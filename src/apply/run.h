// apply/run: one `chaos apply` run, from resolving tags to the report (docs/apply.md).
//
// The core resolves tags, validates the Ch-obolo and owns every prompt and every line of
// output; the role host (started first, so Python's start-up overlaps that work) loads the
// plugins and drives pyinfra in three requests: prepare (contexts and deltas), plan (stage
// operations) and execute. A dry run stops after plan.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "context/context.h"
#include "providers/providers.h"
#include "sops/files.h"

namespace chaos {

struct ApplyOptions {
  std::vector<std::string> tags;
  std::string chobolo;
  bool dry = false;
  bool yes = false;
  int v_count = 0;
  int verbose = 0;
  bool serial = false;
  bool no_wait = false;
  std::string password_file;
  std::optional<std::string> password;
  bool json = false;
  bool keep_going = false;
  bool secrets = false;  // -s: decrypt the secrets file and give roles their secrets
  SecretFileOverrides secret_files;
  ProviderRequest provider;  // -p / --from-X: the sops key from a password manager
  // --fleet: the Ch-obolo's fleet hosts over SSH instead of this machine (docs/fleet.md)
  bool fleet = false;
  std::vector<std::string> limit;       // --limit: host globs and @groups
  std::vector<std::string> exclude;     // --exclude
  int parallel = -1;                    // --parallel N (default: fleet.parallelism)
  int role_hosts = -1;                  // --role-hosts N: split the fleet across N role hosts (0: automatic)
  bool accept_new_host_keys = false;    // trust a host seen for the first time (its key is recorded)
  std::optional<std::string> max_fail;  // --max-fail N|P% (fleet/max_fail.h); unset: never stop early
  // Run records (docs/records.md)
  bool logbook = false;               // -l: the original's event lines on stdout, and nothing else there
  std::optional<std::string> limani;  // -i NAME: a chaos.limanis plugin gets the same events
  bool export_logs = false;           // -x: ./chaos_logbook.json (v1) and a copy in the logbook directory
  bool diff = false;                  // --diff: file diffs under changed operations on real runs too
  bool detailed_exitcode = false;     // --detailed-exitcode: 3 when changes were made or are pending
};

// --detailed-exitcode: the run succeeded and changed something (or, with --dry, would).
constexpr int kExitChanges = 3;

// Runs it, prints as it goes, writes the --json report and the history record; returns the
// exit status (docs/apply.md: 0, 1, 2, or 128 + the signal).
int run_apply(Context& ctx, const ApplyOptions& opts);

}  // namespace chaos
