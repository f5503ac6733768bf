// chaos apply TAG...: the arguments; the run itself is apply/run.h.
#include "apply/run.h"
#include "cli/commands.h"
#include "cli/provider_options.h"

namespace chaos {

namespace {

// --fleet and the options that choose and pace its hosts (docs/fleet.md).
void add_fleet_options(CLI::App* cmd, ApplyOptions& options) {
  auto* opts = &options;
  const char* fleet = "Fleets (docs/fleet.md)";
  cmd->add_flag("-f,--fleet", opts->fleet, "Apply to the hosts of the Ch-obolo's `fleet:` block, over SSH")
      ->group(fleet);
  cmd->add_option("--limit", opts->limit, "Only these hosts: names, globs (web-*) or @group")->group(fleet);
  cmd->add_option("--exclude", opts->exclude, "Not these hosts (names, globs or @group)")->group(fleet);
  cmd->add_option("--parallel", opts->parallel, "Hosts worked on at once (default: fleet.parallelism, else all)")
      ->check(CLI::Range(0, 100000).description(""))
      ->type_name("N")
      ->group(fleet);
  cmd->add_option("--role-hosts", opts->role_hosts,
                  "Split the fleet across N role hosts, one Python process (and core) each; 0: one per 20 hosts, at "
                  "most one per core (the default)")
      ->check(CLI::Range(0, 1024).description(""))
      ->type_name("N")
      ->group(fleet);
  cmd->add_option("--max-fail", opts->max_fail,
                  "Stop starting new work once more than N hosts (or P% of them) have failed; what runs finishes")
      ->type_name("N|P%")
      ->group(fleet);
  cmd->add_flag("--accept-new-host-keys", opts->accept_new_host_keys,
                "Trust a host's SSH key the first time it is seen and record it in known_hosts (a changed key is "
                "still refused)")
      ->group(fleet);
}

// The run's record beyond the logbook entry every run gets (docs/records.md).
void add_record_options(CLI::App* cmd, ApplyOptions& opts) {
  const char* records = "Records (docs/records.md)";
  cmd->add_flag("-l,--logbook", opts.logbook,
                "Print the run as it happens as CHAOS_RUN_ID:: / CHAOS_EVENT::{json} / CHAOS_RUN_ENDED:: lines on "
                "stdout (what you would read goes to stderr); for tools that follow a run")
      ->group(records);
  cmd->add_option("-i,--limani", opts.limani,
                  "Also send the run's events to this chaos.limanis plugin (`chaos check limanis`; default with "
                  "-l: `limani` in config.yml); the built-in logbook records every run anyway")
      ->type_name("NAME")
      ->group(records);
  cmd->add_flag("-x,--export-logs", opts.export_logs,
                "Write the run to ./chaos_logbook.json in the original Ch-aOS v1 format (and a copy in the logbook "
                "directory); with -l also as a CHAOS_LOGBOOK:: line")
      ->group(records);
  cmd->add_flag("--diff", opts.diff,
                "Show file diffs under changed operations on real runs too (a dry run always does)")
      ->group(records);
  cmd->add_flag("--detailed-exitcode", opts.detailed_exitcode,
                "Exit 3 when the run changed something (with --dry: when changes are pending), 0 when all was already "
                "in the desired state; 1 stays an error. For cron and CI drift checks")
      ->group(records);
}

}  // namespace

void define_apply_command(CLI::App* cmd, Context& ctx, int& exit_code) {
  auto opts = std::make_shared<ApplyOptions>();
  cmd->add_option("tags", opts->tags, "Role tags or aliases, applied in order (duplicates run once)")->required();
  cmd->add_option("-c,--chobolo", opts->chobolo, "The Ch-obolo (default: `chobolo_file` in config.yml)");
  cmd->add_flag("-d,--dry", opts->dry,
                "Compute deltas and plans, list every operation that would run with the changes pyinfra predicts, "
                "execute nothing, ask nothing");
  cmd->add_flag("-y,--i-know-what-im-doing", opts->yes, "Do not ask for confirmation (also -ikwid)");
  cmd->add_flag("-v", opts->v_count,
                "More logs from pyinfra: -v info, -vv also what operations report while planned, -vvv debug "
                "(warnings are always shown)");
  cmd->add_option("--verbose", opts->verbose, "Log level 1-3, as -v repeated")->check(CLI::Range(1, 3));
  cmd->add_flag("-e,--serial", opts->serial, "Run one host at a time for each operation");
  cmd->add_flag("--no-wait", opts->no_wait, "Hosts do not wait for each other between operations (also -nw)");
  cmd->add_option("--sudo_password_file", opts->password_file, "Read the sudo password from this file (also -pf)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--password", opts->password,
                  "The sudo password (also -ps). Visible to other users in the process list: prefer -pf or the prompt");
  cmd->add_flag("--json", opts->json,
                "Print one JSON document describing the run on stdout; human output and whatever plugins print "
                "go to stderr");
  cmd->add_flag("--keep-going", opts->keep_going,
                "When a role fails before execution, still run the other roles' operations (never the failed "
                "role's); without it nothing runs on that host");
  cmd->add_flag("-s,--secrets", opts->secrets,
                "Decrypt the secrets file (sops) and give each role its secrets: class roles the keys they name, "
                "legacy roles with a fifth parameter the decrypted text");
  cmd->add_option("--secrets-file", opts->secret_files.secrets_file,
                  "With -s: the secrets file (also -sf; default: secrets_file in config.yml)");
  cmd->add_option("--sops-file", opts->secret_files.sops_config, "With -s: the sops config (also -ss)");
  cmd->add_option("--team", opts->secret_files.team,
                  "With -s: COMPANY.TEAM[.GROUP], the team repository's secrets (docs/secrets.md)");
  add_provider_options(cmd, opts->provider);
  add_fleet_options(cmd, *opts);
  add_record_options(cmd, *opts);
  cmd->footer(R"(Examples:
  chaos apply my-role                     apply one role
  chaos apply users packages -c host.yml  several roles, in this order, with a Ch-obolo
  chaos apply mr --dry                    what would change, without changing anything
  chaos apply base -y --json > run.json   no questions; a machine-readable report
  chaos apply users -s                    roles that need secrets get them (docs/secrets.md)
  chaos apply users -s -p bw.age          the sops key from Bitwarden (docs/secrets-providers.md)
  chaos apply base -f --limit 'web-*'     the fleet's web hosts, over SSH (docs/fleet.md)
  chaos apply base -f --max-fail 10%      stop starting new work once over 10% of hosts failed
  chaos apply base --dry --detailed-exitcode   exit 3 if the machine drifted (docs/records.md)

Class-based roles show what they would change (their delta) and are skipped when already in
the desired state; you are asked once before anything changes unless -y is given or standard
input is not a terminal. A role that fails before execution (raises, exits non-zero, returns
success=False, or a fact it reads fails) contributes no operations, and unless --keep-going
is given nothing runs on that host. A role that declares needs_secrets runs only with -s, and
only when the secrets file has every key it names; otherwise it is skipped. Decrypted values
never reach a file, argv or the environment, and are shown as [redacted] in everything chaos
prints or records (what a plugin prints itself is its own). The sudo password is needed only when chaos does not run as root and
sudo asks for one: it comes from -pf, a prompt on the terminal, or one line of standard input
(read only when an operation needs sudo; at most 4096 bytes).

Exit status: 0 success, 1 a role or operation failed, 2 bad arguments or unknown role,
3 changes made or pending (only with --detailed-exitcode), 130 interrupted (143 SIGTERM,
129 SIGHUP). Every run is recorded in the logbook; see `chaos log`.)");
  cmd->callback([&ctx, &exit_code, opts] { exit_code = run_apply(ctx, *opts); });
}

}  // namespace chaos
