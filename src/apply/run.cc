#include "apply/run.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "apply/chobolo.h"
#include "apply/fleet_board.h"
#include "apply/host_split.h"
#include "apply/limani_sink.h"
#include "apply/logbook_events.h"
#include "apply/record.h"
#include "apply/report.h"
#include "apply/sudo_password.h"
#include "apply/tags.h"
#include "context/plugin_manifest.h"
#include "context/provider_host.h"
#include "fleet/boats.h"
#include "fleet/inventory.h"
#include "fleet/max_fail.h"
#include "host/launch.h"
#include "runview/render.h"
#include "sops/redact.h"
#include "sops/sops.h"
#include "term/escape.h"
#include "term/prompt.h"
#include "term/style.h"
#include "util/fs.h"
#include "util/signals.h"
#include "util/text.h"

namespace chaos {
namespace {

using nlohmann::json;

class ApplyRun {
 public:
  ApplyRun(Context& ctx, const ApplyOptions& opts)
      : ctx_(ctx),
        opts_(opts),
        human_(machine_stdout(opts) ? stderr : stdout),
        paint_(machine_stdout(opts) ? ctx.err : ctx.out),
        human_is_terminal_(stream_is_terminal(machine_stdout(opts) ? STDERR_FILENO : STDOUT_FILENO)) {
    report_.tags = opts.tags;
    report_.dry = opts.dry;
  }

  int run() {
    // From here a signal is a step of the run, not its end: the role host and everything it
    // started are stopped, and the run is reported and recorded as interrupted.
    ScopedSignalHandling signals;
    if (machine_stdout(opts_)) keep_stdout_for_the_report();
    int code = pipeline();
    finish(code);
    bool changes = report_.counts_changed() > 0;
    return opts_.detailed_exitcode && code == kExitOk && changes ? kExitChanges : code;
  }

 private:
  // --json and -l keep standard output for what machines read: the report, or the event lines.
  static bool machine_stdout(const ApplyOptions& opts) { return opts.json || opts.logbook; }
  int machine_fd() const { return report_fd_ ? report_fd_.get() : STDOUT_FILENO; }

  void say(const std::string& text) {
    std::fputs(text.c_str(), human_);
    std::fflush(human_);
  }

  // In --json mode stdout carries exactly one document. Everything else that would reach it
  // (what plugins print, from their import to their last operation, and anything the role
  // host's interpreter writes) goes to stderr: the real stdout is kept on a private
  // descriptor for the report, and fd 1, which the role host inherits, becomes stderr.
  void keep_stdout_for_the_report() {
    std::fflush(stdout);
    report_fd_.reset(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3));
    if (report_fd_) ::dup2(STDERR_FILENO, STDOUT_FILENO);
  }

  void write_report(const std::string& text) {
    std::fflush(stdout);
    // A closed or full stdout loses the report; the history record below still has the run.
    (void)write_all(report_fd_ ? report_fd_.get() : STDOUT_FILENO, text, "standard output");
    if (report_fd_) {
      ::dup2(report_fd_.get(), STDOUT_FILENO);
      report_fd_.reset();
    }
  }

  // What is happening while facts are gathered: on a terminal one line redrawn in place
  // (spinner, role, operation), otherwise a plain line per role.
  void progress(const std::string& text, bool plain_line) {
    if (human_is_terminal_) {
      static const char* const kFrames[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
      std::string line =
          "\r\x1b[K" + paint_(Tone::cyan, kFrames[spinner_frame_++ % 10]) + " " + paint_(Tone::dim, text);
      say(line);
      progress_line_open_ = true;
    } else if (plain_line) {
      say(paint_(Tone::dim, text) + "\n");
    }
  }

  void end_progress() {
    if (progress_line_open_) say("\r\x1b[K");
    progress_line_open_ = false;
  }

  // A step that failed because a signal stopped it is an interruption, not an error.
  int fail(const Error& e, int code = kExitFailure) {
    if (pending_signal()) return interrupted();
    report_.errors.push_back({{"kind", "error"}, {"message", e.message}, {"where", e.where}});
    ctx_.print_error(e);
    return code;
  }

  int interrupted() {
    report_.interrupted = true;
    say("\n" + paint_(Tone::yellow, "Interrupted.") + " What had completed is summarised below.\n");
    return exit_status_for_signal(pending_signal() ? pending_signal() : SIGINT);
  }

  // The run's steps check this between them: 0, or the exit status of an interrupted run.
  int stop_if_signalled() { return pending_signal() ? interrupted() : 0; }

  // What a step returns when the run goes on; anything else is the run's exit status.
  static constexpr int kGoOn = -1;

  int pipeline() {
    if (int code = resolve(); code != kGoOn) return code;
    begin_record();
    std::optional<std::string> password;
    if (int code = sudo_and_handshake(password); code != kGoOn) return code;
    if (int code = prepare(password); code != kGoOn) return code;
    return plan_and_execute();
  }

  // Starts the role host, then resolves the tags and validates the Ch-obolo while it starts.
  int resolve() {
    if (!opts_.secrets && opts_.provider.any()) {
      return fail(Error("-p and --from-X name the key that decrypts the secrets; they need -s"), kExitUsage);
    }
    if (opts_.json && opts_.logbook) {
      return fail(Error("--json and -l both want standard output: one JSON document, or event lines; pick one", {},
                        "the -l lines end with the run's summary, and `chaos log show --json` has the rest"),
                  kExitUsage);
    }
    if (!opts_.fleet && (!opts_.limit.empty() || !opts_.exclude.empty() || opts_.parallel >= 0 || opts_.max_fail)) {
      return fail(Error("--limit, --exclude, --parallel and --max-fail work on fleet hosts; they need --fleet"),
                  kExitUsage);
    }
    if (opts_.max_fail) {
      auto max_fail = parse_max_fail(*opts_.max_fail);
      if (!max_fail) return fail(max_fail.error(), kExitUsage);
      max_fail_ = max_fail->param();
    }
    const auto& config = ctx_.config();
    if (!config) return fail(config.error());
    auto launch = ctx_.host_launch();
    if (!launch) return fail(launch.error());
    // Start Python now; it imports pyinfra while we resolve tags and read the Ch-obolo.
    auto started = RoleHost::start(*launch);
    if (!started) return fail(started.error());
    host_ = std::move(*started);
    interpreter_ = launch->interpreter;

    const auto& index = ctx_.plugin_index();
    if (!index) return fail(index.error());
    if (int code = stop_if_signalled()) return code;
    AliasTable aliases = merge_aliases(*index, *config);
    for (const auto& w : aliases.warnings) ctx_.print_warning(w);
    // An alias cycle is a broken installation or config (1); an unknown tag is a usage error (2).
    auto tags = expand_tags(aliases, opts_.tags);
    if (!tags) return fail(tags.error());
    auto roles = resolve_roles(*index, aliases, *tags, launch->interpreter);
    if (!roles) return fail(roles.error(), kExitUsage);
    report_.roles = *roles;

    std::string chobolo = opts_.chobolo.empty() ? config->chobolo_file.value_or("") : opts_.chobolo;
    if (!chobolo.empty()) {
      auto valid = validate_chobolo(chobolo);
      if (!valid) return fail(valid.error());
      report_.chobolo = *valid;
    }
    if (int code = stop_if_signalled()) return code;
    if (int code = target_hosts(); code != kGoOn) return code;
    if (int code = start_limani(*config); code != kGoOn) return code;
    if (int code = offer_secrets(); code != kGoOn) return code;
    if (int code = decrypt_secrets(*config); code != kGoOn) return code;
    say(paint_(Tone::dim, "Ch-obolo: ") +
        (report_.chobolo.empty() ? paint_(Tone::dim, "none (class roles get an empty one)")
                                 : visible(report_.chobolo)) +
        "\n");
    return kGoOn;
  }

  // -s: decrypt once, in memory, while the host starts. From here on every line the host sends
  // has the decrypted values replaced (RoleHost::set_line_filter), so no output, --json report
  // or history record can carry one.
  int decrypt_secrets(const GlobalConfig& config) {
    if (!decrypt_) return kGoOn;
    // A plugin provider answers on the role host that is starting anyway.
    auto keys = requested_provider_keys(ctx_, opts_.provider, provider_call_on(ctx_, *host_));
    if (!keys) return fail(keys.error());
    auto doc = decrypt_configured_secrets(config, ctx_.paths, opts_.secret_files, std::move(*keys));
    if (!doc) return fail(doc.error());
    redactor_.add_all(secret_values(doc->data));
    host_->set_line_filter([this](std::string_view line) { return redactor_.apply(line); });
    secrets_ = std::move(*doc);
    return kGoOn;
  }

  // --fleet: the Ch-obolo's hosts, narrowed by --limit / --exclude. Without a fleet to work on
  // the run stops: changing this machine instead of the fleet is never a silent fallback.
  int target_hosts() {
    if (!opts_.fleet) return kGoOn;
    if (report_.chobolo.empty()) {
      return fail(Error("--fleet needs a Ch-obolo with a `fleet:` block", {},
                        "pass -c FILE, or set chobolo_file with `chaos set chobolo FILE`"),
                  kExitUsage);
    }
    auto text = read_regular_file(report_.chobolo);
    if (!text) return fail(text.error());
    auto fleet = read_fleet(*text, report_.chobolo);
    if (!fleet) return fail(fleet.error());
    // Boats add the hosts they find now, before any selection: --limit and groups see them.
    const auto& index = ctx_.plugin_index();
    if (!index) return fail(index.error());
    auto boats = sail_boats(*fleet, *index, *host_, report_.chobolo);
    if (!boats) return fail(boats.error());
    int from_boats = 0;
    for (const auto& b : *boats) from_boats += b.added;
    restrictions_ = fleet->restrictions;
    if (fleet->hosts.empty()) {
      Error none(fleet->present ? "the fleet has no hosts" : "the Ch-obolo has no `fleet:` block", report_.chobolo,
                 "list them under fleet.hosts (`chaos explain fleet`), or run without --fleet");
      // Asked on a terminal (default No); under -y or without a terminal it is an error.
      if (opts_.yes || !stream_is_terminal(STDIN_FILENO)) return fail(none);
      Answer answer = confirm(none.message + " (" + report_.chobolo + "): apply to this machine instead?", false);
      if (answer == Answer::interrupted) return interrupted();
      if (answer == Answer::no) return fail(none);
      return kGoOn;
    }
    auto selected = select_hosts(*fleet, opts_.limit, opts_.exclude);
    if (!selected) return fail(selected.error(), kExitUsage);
    hosts_param_ = json::array();
    for (auto& host : *selected) {
      bool ssh = host.name.front() != '@' || host.name.rfind("@ssh/", 0) == 0;
      // pyinfra trusts a first-seen host key by default; chaos checks known_hosts unless told.
      if (ssh && !host.data.contains("ssh_strict_host_key_checking"))
        host.data["ssh_strict_host_key_checking"] = opts_.accept_new_host_keys ? "accept-new" : "yes";
      hosts_param_.push_back(json::array({host.name, json(host.data)}));
    }
    parallel_ = opts_.parallel >= 0 ? opts_.parallel : fleet->parallelism;
    say(paint_(Tone::dim, "Fleet: ") + std::to_string(selected->size()) + " of " + std::to_string(fleet->hosts.size()) +
        " hosts" + (boats->empty() ? "" : " (" + std::to_string(from_boats) + " from boats)") + "\n");
    return kGoOn;
  }

  // What to do about the SSH failures users meet (pyinfra's wording around paramiko's).
  std::string connect_hint(const std::string& host, const std::string& error) const {
    std::string address = host.rfind("@ssh/", 0) == 0 ? host.substr(5) : host;
    std::string port;
    for (const auto& h : hosts_param_) {
      if (!h.is_array() || h.size() != 2 || h[0] != host || !h[1].is_object()) continue;
      if (h[1].contains("ssh_hostname") && h[1]["ssh_hostname"].is_string()) address = h[1]["ssh_hostname"];
      if (h[1].contains("ssh_port") && h[1]["ssh_port"].is_number_integer() && h[1]["ssh_port"] != 22)
        port = std::to_string(h[1]["ssh_port"].get<int>());
    }
    std::string entry = port.empty() ? address : "[" + address + "]:" + port;
    if (error.find("found in known_hosts") != std::string::npos) {
      return "its SSH host key is not known here. Compare the fingerprint ssh-keyscan shows with the host's own "
             "(ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on it), then record it: ssh-keyscan -H " +
             (port.empty() ? "" : "-p " + port + " ") + address +
             " >> ~/.ssh/known_hosts  (or trust first-seen keys: --accept-new-host-keys)";
    }
    if (error.find("does not match") != std::string::npos) {
      return "its SSH host key CHANGED since it was recorded: someone may be in the middle. Only if the host was "
             "reinstalled: ssh-keygen -R '" +
             entry + "', then record the new key after checking it";
    }
    if (error.find("Authentication error") != std::string::npos) {
      return "the host refused the login: check ssh_user and ssh_key (or your ssh-agent) in its fleet entry";
    }
    return {};
  }

  // Roles that need secrets, run without -s on a terminal: asked once, naming them and the keys
  // they need. Under -y, a dry run or without a terminal they are skipped with a message
  // instead (the role host reports them), never run without their secrets.
  int offer_secrets() {
    if (decrypt_ || opts_.yes || opts_.dry || !stream_is_terminal(STDIN_FILENO)) return kGoOn;
    ManifestOptions request;
    auto manifest = load_plugin_manifest(ctx_, request);
    if (!manifest) return kGoOn;  // the host reports those roles when it meets them
    std::vector<std::string> needing;
    for (const auto& r : report_.roles) {
      const RoleInfo* info = manifest->role(r.tag);
      if (info == nullptr || !info->needs_secrets) continue;
      const auto& keys = info->necessary_secret_dict_keys;
      needing.push_back(visible(r.tag) + (keys.empty() ? "" : " (" + visible(join(keys, ", ")) + ")"));
    }
    if (needing.empty()) return kGoOn;
    Answer answer = confirm((needing.size() == 1 ? "role " : "roles ") + join(needing, ", ") +
                            (needing.size() == 1 ? " needs" : " need") + " secrets: decrypt now?");
    if (answer == Answer::interrupted) return interrupted();
    decrypt_ = answer == Answer::yes;
    return kGoOn;
  }

  int sudo_and_handshake(std::optional<std::string>& password_out) {
    bool stdin_tty = stream_is_terminal(STDIN_FILENO);
    skip_confirm_ = opts_.yes || !stdin_tty;
    if (opts_.password) {
      ctx_.print_warning(
          "-ps/--password puts the password in the process list and shell history; prefer -pf FILE, "
          "the prompt, or standard input");
    }
    // Only a non-root user whose sudo asks for a password needs one. On a terminal it is asked
    // now (facts may need sudo); from standard input it is read once an operation needs sudo.
    bool have_source = !opts_.password_file.empty() || opts_.password.has_value();
    std::vector<std::string> names;
    for (const auto& h : hosts_param_)
      names.push_back(h.is_string() ? h.get<std::string>() : h.at(0).get<std::string>());
    SudoRoutes routes = sudo_routes(names);
    if (!routes.none.empty()) {
      // pyinfra hands sudo its password in a command line there, readable by other users.
      if (have_source) {
        ctx_.print_warning("the sudo password is not sent: " + visible(join(routes.none, ", ")) +
                           (routes.none.size() == 1 ? " uses a connector" : " use connectors") +
                           " that would expose it in a process list; give passwordless sudo there, or use SSH");
      }
    } else {
      // Whether a fleet host's sudo asks cannot be told from here: for SSH hosts standard input
      // is read once an operation needs sudo, but nothing is asked on the terminal up front.
      bool local_asks = routes.local && ::geteuid() != 0 && !have_source && sudo_requires_password();
      sudo_asks_ = local_asks || (routes.ssh && !have_source);
      auto password = obtain_sudo_password({opts_.password_file, opts_.password, stdin_tty}, local_asks);
      if (!password) return fail(password.error());
      if (int code = stop_if_signalled()) return code;
      password_sent_ = password->has_value();
      if (*password) redactor_.add(**password);  // never in the logbook, nor in a line of output
      password_out = std::move(*password);
    }

    auto hello = host_->handshake();
    if (!hello) return fail(hello.error());
    if (int code = stop_if_signalled()) return code;
    if (!host_->handshake_reply().value("pyinfra", json()).is_string()) {
      std::string why = host_->handshake_reply().value("pyinfra_error", json()).is_string()
                            ? host_->handshake_reply()["pyinfra_error"].get<std::string>()
                            : "it is not installed";
      return fail(Error("pyinfra cannot be imported in the plugin environment: " + why, interpreter_,
                        "install it: " + interpreter_ + " -m pip install 'pyinfra>=3.8,<4'  (see `chaos doctor`)"));
    }
    return kGoOn;
  }

  // apply.prepare: contexts and deltas, shown as they arrive; then the one confirmation.
  int prepare(const std::optional<std::string>& password) {
    bool stdin_tty = stream_is_terminal(STDIN_FILENO);
    json roles_param = json::array();
    for (const auto& r : report_.roles)
      roles_param.push_back({{"tag", r.tag}, {"target", r.target}, {"plugin", r.plugin}});
    json prepare_params = {{"roles", roles_param},
                           {"chobolo_path", report_.chobolo.empty() ? json(nullptr) : json(report_.chobolo)},
                           {"hosts", hosts_param_},
                           {"parallel", parallel_},
                           {"verbosity", verbosity()},
                           // A dry run asks nothing, legacy roles' own prompts included.
                           {"skip_confirm", skip_confirm_ || opts_.dry},
                           {"dry", opts_.dry},
                           {"keep_going", opts_.keep_going},
                           {"diff", true}};
    prepare_params["command_log"] = true;  // the logbook keeps every run's facts and commands
    // With -y the host skips predicting changes: it gathers every operation's facts a second
    // time (+50% on 50 operations, bench/bench_logbook.py). --diff asks for the diffs that
    // prediction gives; -l and -x do not, so recording a run costs next to nothing.
    if (opts_.diff) prepare_params["detect_changes"] = true;
    if (password) prepare_params["sudo_password"] = *password;
    if (!restrictions_.is_null()) prepare_params["restrictions"] = json(restrictions_);
    if (!max_fail_.is_null()) prepare_params["max_fail"] = max_fail_;
    if (secrets_) prepare_params["secrets_document"] = {{"data", json(secrets_->data)}, {"text", secrets_->text}};

    if (int code = split_fleet(); code != kGoOn) return code;
    auto prepared = call_all("apply.prepare", prepare_params);
    end_progress();
    if (!prepared) return host_failure(prepared.error());
    if (int code = stop_if_signalled()) return code;
    for (const auto& r : prepared->value("roles", json::array())) {
      ReportRoleInfo info{r.value("tag", ""), r.value("kind", ""), std::nullopt};
      if (r.contains("name")) info.name = r["name"];
      report_.roles_info.push_back(std::move(info));
    }
    record_errors(prepared->value("errors", json::array()));
    report_.take_outcome(*prepared);
    // Without --keep-going a failed role means nothing will run: there is nothing to confirm.
    bool blocked = report_.any_failed_roles() && !opts_.keep_going;
    for (const auto& h : prepared->value("hosts", json::array())) {
      ReportHost& host = report_.host(h.value("name", "?"));
      host.connected = h.value("connected", false);
      if (h.contains("error")) host.error = h["error"];
    }

    bool deltas_to_apply = false;
    for (const auto& d : prepared->value("deltas", json::array()))
      deltas_to_apply = deltas_to_apply || !d.value("empty", true);
    bool legacy_roles = false;
    for (const auto& r : report_.roles_info) legacy_roles = legacy_roles || r.kind != "class";
    if ((deltas_to_apply || legacy_roles) && !opts_.yes && !stdin_tty && !opts_.dry && !blocked) {
      ctx_.print_warning("standard input is not a terminal: nothing can be confirmed, so -y is implied");
    }
    if (deltas_to_apply && !skip_confirm_ && !opts_.dry && !blocked) {
      Answer answer = confirm("Apply the changes above?");
      if (answer == Answer::interrupted) return interrupted();
      if (answer == Answer::no) {
        report_.aborted = true;
        say(paint_(Tone::yellow, "Nothing was changed.") + "\n");
        return kExitFailure;
      }
    }
    return kGoOn;
  }

  // apply.plan, then (unless a dry run, or nothing was staged) apply.execute.
  int plan_and_execute() {
    auto planned = call_all("apply.plan", json::object());
    end_progress();
    if (!planned) return host_failure(planned.error());
    planned_ = *planned;
    if (int code = stop_if_signalled()) return code;
    record_errors(planned->value("errors", json::array()));
    report_.take_outcome(*planned);
    show_role_failures();

    if (opts_.dry) {
      show_dry_run(*planned);
      return report_.errors.empty() && !report_.any_host_unreached() ? kExitOk : kExitFailure;
    }
    bool anything = false;
    bool needs_sudo = false;
    for (const auto& [name, ops] : member(*planned, "hosts").items()) {
      anything = anything || !ops.empty();
      for (const auto& op : ops) needs_sudo = needs_sudo || (op.is_object() && op.value("sudo", false));
    }
    if (!anything) {
      show_nothing_staged(*planned);
      return report_.errors.empty() && !report_.any_secrets_missing() && !report_.any_host_unreached() ? kExitOk
                                                                                                       : kExitFailure;
    }

    json execute_params = {{"serial", opts_.serial}, {"no_wait", opts_.no_wait}};
    // For the logbook: each host's load and memory before and after the operations.
    execute_params["health"] = true;
    if (needs_sudo && sudo_asks_ && !password_sent_ && !stream_is_terminal(STDIN_FILENO)) {
      // Now, and only now, is the password on standard input needed: one bounded line.
      auto line = read_password_line(STDIN_FILENO);
      if (!line) return fail(line.error());
      if (*line) execute_params["sudo_password"] = **line;
    }
    start_fleet_progress(*planned);
    auto executed = call_all("apply.execute", execute_params);
    end_fleet_progress();
    if (!executed) return host_failure(executed.error());
    if (int code = stop_if_signalled()) return code;
    take_execution(*executed);
    report_.take_outcome(*executed);
    if (logbook_events_) {
      for (const auto& snapshot : report_.health) logbook_events_->health_check(snapshot);
      for (const auto& entry : report_.command_log) logbook_events_->fact(entry);
    }
    bool failed_ops = report_.any_failed_operations();
    // pyinfra's own reason for stopping ("No hosts remaining!") only matters when no failed
    // operation already explains it; --max-fail stopping the run always does.
    bool max_fail_reached = executed->value("max_fail_reached", false);
    if ((!failed_ops || max_fail_reached) && executed->contains("error") && (*executed)["error"].is_string()) {
      const std::string message = (*executed)["error"];
      report_.errors.push_back({{"kind", max_fail_reached ? "max_fail" : "execute"}, {"message", message}});
      ctx_.print_error(Error(max_fail_reached ? "stopped: " + message : "pyinfra stopped: " + message));
    }
    // A role skipped because the secrets file lacks what it needs failed what -s asked for.
    bool clean = report_.errors.empty() && !failed_ops && !report_.any_secrets_missing();
    return clean && !report_.any_host_unreached() ? kExitOk : kExitFailure;
  }

  // A fleet's execution: on a terminal one line per host redrawn in place (FleetBoard), else
  // one plain line per operation naming its host.
  void start_fleet_progress(const json& planned) {
    if (!fleet_on_terminal()) return;
    std::vector<FleetBoard::HostLine> lines;
    for (const auto& [name, ops] : member(planned, "hosts").items()) {
      FleetBoard::HostLine line;
      line.name = name;
      line.total = ops.is_array() ? static_cast<int>(ops.size()) : 0;
      lines.push_back(std::move(line));
    }
    int fd = opts_.json ? STDERR_FILENO : STDOUT_FILENO;
    board_.emplace(std::move(lines), paint_, terminal_width(fd), terminal_height(fd));
    say(board_->draw(true));
  }

  void end_fleet_progress() {
    if (!board_) return;
    say(board_->draw(true));
    board_.reset();
  }

  bool many_hosts() const { return hosts_param_.size() > 1; }
  // A fleet's execution is shown on the board (a terminal) or as one line per operation.
  bool fleet_on_terminal() const { return many_hosts() && human_is_terminal_; }
  bool fleet_lines() const { return many_hosts() && !human_is_terminal_; }

  // Output that is not the board's, while the board is on screen: above it.
  void beside_board(const std::function<void()>& print) {
    if (board_) say(board_->erase());
    print();
    if (board_) say(board_->draw(true));
  }

  // One finished operation as shown during execution (not on the board).
  std::string operation_line(const std::string& host, const json& op) {
    if (!many_hosts()) return render_operation(op, paint_);
    return paint_(Tone::bold, visible(host)) + ":" + render_operation(op, paint_);
  }

  void show_role_failures() {
    for (const auto& [name, host] : report_.hosts) {
      say(render_role_failures(name, json(host.failed_roles), json(host.not_run_roles), opts_.keep_going, opts_.dry,
                               paint_));
    }
  }

  // No operation was staged anywhere: say why, truthfully. "Already in the desired state" is
  // only what every role's own delta said; a role that ran and staged nothing says less.
  void show_nothing_staged(const json& planned) {
    if (report_.any_failed_roles()) {
      say(paint_(Tone::yellow, "Nothing was executed.") + "\n");
      return;
    }
    bool skipped = report_.any_skipped_roles();
    std::vector<std::string> staged_nothing;
    for (const auto& r : planned.value("results", json::array())) {
      if (r.is_object() && r.value("ops", 0) == 0)
        staged_nothing.push_back(r.value("role", "?") + " on " + r.value("host", "?"));
    }
    if (staged_nothing.empty() && !skipped) {
      say(paint_(Tone::green, "Nothing to do: every role is already in the desired state.") + "\n");
      return;
    }
    for (const auto& what : staged_nothing) say(paint_(Tone::dim, "- ") + what + ": no operations staged\n");
    say(paint_(Tone::yellow, "Nothing was executed.") + "\n");
  }

  int verbosity() const { return opts_.verbose > 0 ? opts_.verbose : std::min(opts_.v_count, 3); }

  enum class Answer { yes, no, interrupted };

  // Ctrl-C (or any signal) at the prompt acts at once (term/prompt.h).
  Answer confirm(const std::string& question, bool default_yes = true) {
    std::fflush(stdout);
    end_progress();
    LineInput line =
        ask(STDIN_FILENO, STDERR_FILENO, paint_(Tone::bold, question) + (default_yes ? " [Y/n] " : " [y/N] "), 64);
    if (line.status == LineInput::Status::interrupted) return Answer::interrupted;
    if (line.status != LineInput::Status::line) return Answer::no;
    std::string answer = line.text;
    while (!answer.empty() && (answer.back() == '\r' || answer.back() == ' ')) answer.pop_back();
    bool yes = (answer.empty() && default_yes) || answer == "y" || answer == "Y" || answer == "yes" || answer == "Yes";
    return yes ? Answer::yes : Answer::no;
  }

  Result<json> call(const std::string& method, const json& params) {
    return host_->call(method, params, [this](const HostEvent& event) { on_event(event); });
  }

  // A big fleet: its inventory split across several role hosts (apply/host_split.h), started
  // and handshaken here, so that pyinfra's one-core-per-process limit does not hold the run.
  // Not when a role could prompt (they would share one terminal), nor with --serial or
  // --max-fail, whose order and count span the whole fleet.
  int split_fleet() {
    std::string why_single = opts_.serial                    ? "--serial"
                             : opts_.max_fail                ? "--max-fail"
                             : !(skip_confirm_ || opts_.dry) ? "prompts"
                                                             : "";
    size_t count =
        role_hosts_for(hosts_param_.size(), role_hosts_requested(), std::thread::hardware_concurrency(), why_single);
    if (count < 2) return kGoOn;
    auto launch = ctx_.host_launch();
    if (!launch) return fail(launch.error());
    for (size_t i = 1; i < count; ++i) {
      auto started = RoleHost::start(*launch);
      if (!started) return fail(started.error());
      more_hosts_.push_back(std::move(*started));
    }
    for (auto& host : more_hosts_) {
      auto hello = host->handshake();
      if (!hello) return fail(hello.error());
      if (secrets_) host->set_line_filter([this](std::string_view line) { return redactor_.apply(line); });
    }
    parts_ = split_inventory(hosts_param_, count);
    part_alive_.assign(parts_.size(), true);
    say(paint_(Tone::dim, "Role hosts: " + std::to_string(parts_.size()) + ", one per " +
                              std::to_string(parts_.front().size()) + " hosts or so\n"));
    return kGoOn;
  }

  // --role-hosts N, else CHAOS_FLEET_SPLIT (for benchmarks), else 0: automatic.
  int role_hosts_requested() const {
    if (opts_.role_hosts >= 0) return opts_.role_hosts;
    const char* env = std::getenv("CHAOS_FLEET_SPLIT");
    if (env == nullptr) return 0;
    std::string_view text(env);
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size() && value >= 0 && value <= 1024 ? value : 0;
  }

  std::vector<RoleHost*> role_hosts() const {
    std::vector<RoleHost*> all = {host_.get()};
    for (const auto& h : more_hosts_) all.push_back(h.get());
    return all;
  }

  // apply.* on every role host at once, one thread each; their events are handled one at a
  // time, and their replies merged into the one a single host would have sent. A part none of
  // whose hosts could be connected drops out (its connect events already said so); any other
  // failure is the run's, after the parts that finished have been taken into the report.
  Result<json> call_all(const std::string& method, const json& params) {
    if (more_hosts_.empty()) return call(method, params);
    auto hosts = role_hosts();
    std::vector<std::optional<Result<json>>> replies(hosts.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < hosts.size(); ++i) {
      if (!part_alive_[i]) continue;
      json part = params;
      if (method == "apply.prepare") part["hosts"] = parts_[i];
      threads.emplace_back([this, &replies, &hosts, &method, i, part = std::move(part)] {
        replies[i] = hosts[i]->call(method, part, [this](const HostEvent& event) {
          std::lock_guard<std::mutex> lock(events_);
          on_event(event);
        });
      });
    }
    for (auto& thread : threads) thread.join();
    return merge_parts(method, hosts, replies);
  }

  Result<json> merge_parts(const std::string& method, const std::vector<RoleHost*>& hosts,
                           std::vector<std::optional<Result<json>>>& replies) {
    std::vector<json> finished;
    std::optional<Error> failure;
    failed_parts_.clear();
    for (size_t i = 0; i < hosts.size(); ++i) {
      if (!replies[i]) continue;
      if (*replies[i]) {
        finished.push_back(std::move(**replies[i]));
        continue;
      }
      const HostError& e = hosts[i]->last_error();
      bool unreachable = method == "apply.prepare" && e.wire_kind == "connect" && !pending_signal();
      // The last part left standing fails the run as a single role host would.
      if (unreachable && std::count(part_alive_.begin(), part_alive_.end(), true) > 1) {
        part_alive_[i] = false;
        for (const auto& err : e.details.value("errors", json::array()))
          if (err.is_object() && err.contains("host"))
            report_.host(err.value("host", "?")).error = err.value("message", "");
        continue;
      }
      failed_parts_.push_back(hosts[i]);
      if (!failure) failure = replies[i]->error();
    }
    if (failure) {
      if (method == "apply.execute")
        for (const auto& result : finished) take_execution(result);
      return *failure;
    }
    return merge_replies(finished);
  }

  void record_errors(const json& errors) {
    for (const auto& e : errors) {
      // Role errors were shown as their events arrived; keep them for the report.
      bool seen = false;
      for (const auto& known : report_.errors) seen = seen || known == e;
      if (!seen) report_.errors.push_back(e);
    }
  }

  // Events arrive decoded and checked (host/messages.h): each kind's fields are typed.
  void on_event(const HostEvent& event) {
    using K = HostEventKind;
    if (event.kind == K::role_start) {
      const auto& start = event.as<RoleStartEvent>();
      std::string where = start.role + " on " + start.host;
      if (start.phase == "prepare") {
        progress("reading facts: " + where, true);
      } else if (start.phase == "plan" && start.kind == "class") {
        progress("planning: " + where, true);
      } else {
        // A legacy role may print and prompt: the terminal is its own while it plans.
        end_progress();
      }
      role_planning_on_[start.host] = where;
      return;
    }
    if (event.kind == K::op_staged) {
      if (human_is_terminal_ && progress_line_open_)
        progress("planning: " + role_planning_on_[event.as<OpEvent>().host] + ": " + event.as<OpEvent>().op, false);
      return;
    }
    if (event.kind != K::log && event.kind != K::op_start) end_progress();
    switch (event.kind) {
      case K::role_skipped:
        say(render_skipped_role(event.body, paint_));
        break;
      case K::delta:
        show_delta(event.as<DeltaEvent>(), event.body);
        break;
      case K::role_error:
        report_.errors.push_back(event.as<RoleErrorEvent>().error);
        beside_board(
            [&] { std::fputs(render_host_error(event.as<RoleErrorEvent>().error, ctx_.err).c_str(), stderr); });
        break;
      case K::op_start:
        end_progress();
        if (board_) {
          board_->op_started(event.as<OpEvent>().host, event.as<OpEvent>().op);
          say(board_->draw());
        } else if (human_is_terminal_) {
          say("  " + paint_(Tone::dim, "… " + visible(event.as<OpEvent>().op)));
          progress_line_open_ = true;
        }
        break;
      case K::op_done:
        show_operation(event.as<OpEvent>().host, event.body);
        if (logbook_events_)
          logbook_events_->progress(event.as<OpEvent>().host, event.body,
                                    planned_op(event.as<OpEvent>().host, event.body));
        break;
      case K::connect:
        if (const auto& connect = event.as<ConnectEvent>(); !connect.ok) {
          report_.host(connect.host).connected = false;
          ctx_.print_error(Error("cannot connect to " + visible(connect.host) + ": " + visible(connect.error), {},
                                 connect_hint(connect.host, connect.error)));
        }
        break;
      case K::log:
        beside_board([&] { show_log(event.as<LogEvent>()); });
        break;
      default:
        break;
    }
  }

  void show_operation(const std::string& host, const json& op) {
    if (board_) {
      std::string status = op.value("status", "");
      bool ignored = op.value("ignored", false);
      board_->op_done(host, status, ignored);
      // A failure is shown as it happens, whole; the rest only moves the board.
      if (status == "failed" && !ignored) {
        beside_board([&] { say(operation_line(host, op)); });
      } else {
        say(board_->draw());
      }
      return;
    }
    if (fleet_lines()) {
      say(operation_line(host, op));
      return;
    }
    if (printed_host_header_.insert(host).second) say(paint_(Tone::bold, visible(host)) + "\n");
    say(render_operation(op, paint_));
    if (opts_.diff && op.value("status", "") == "changed") {
      const json& planned = planned_op(host, op);
      if (planned.contains("diff") && planned["diff"].is_string()) {
        for (const auto& l : split_lines(planned["diff"].get<std::string>())) say("      " + visible(l) + "\n");
      }
    }
  }

  // The plan's entry for an executed operation (same host, same hash): its diff and arguments.
  const json& planned_op(const std::string& host, const json& op) const {
    static const json kNone = json::object();
    if (!op.contains("hash") || !planned_.is_object() || !planned_.contains("hosts")) return kNone;
    const json& hosts = planned_["hosts"];
    if (!hosts.is_object() || !hosts.contains(host) || !hosts[host].is_array()) return kNone;
    for (const auto& p : hosts[host]) {
      if (p.is_object() && p.contains("hash") && p["hash"] == op["hash"]) return p;
    }
    return kNone;
  }

  void show_delta(const DeltaEvent& delta, const json& body) {
    report_.host(delta.host).deltas.push_back({delta.role, delta.to_add, delta.to_remove, delta.empty});
    std::string head = paint_(Tone::bold, visible(delta.role)) + " on " + visible(delta.host);
    if (delta.empty) {
      say(paint_(Tone::green, "✓ ") + head + paint_(Tone::green, ": already in the desired state") + "\n");
    } else {
      say(paint_(Tone::yellow, "~ ") + head + " would change:\n" + render_delta(body, paint_));
    }
  }

  // The host filters by level: warnings at 0 (docs/apply.md §6).
  void show_log(const LogEvent& log) {
    std::string text = "[" + log.level + "] ";
    if (log.host) text += visible(*log.host) + ": ";
    text += visible(log.message);
    end_progress();
    std::fputs((ctx_.err(Tone::dim, text) + "\n").c_str(), stderr);
  }

  void show_dry_run(const json& planned) {
    say("\n" + paint_(Tone::bold, "Dry run: nothing was executed. These operations would run:") + "\n");
    for (const auto& [name, ops] : member(planned, "hosts").items()) {
      say(paint_(Tone::bold, visible(name)) + "\n");
      if (ops.empty()) say("  " + paint_(Tone::dim, "(none)") + "\n");
      for (const auto& op : ops) say(render_planned_operation(op, paint_));
    }
    report_.take_dry_run(planned);
  }

  void take_execution(const json& result) {
    // Operations that never ran had no op_done event: they are shown here. After the board,
    // what changed on each host is listed too (the board only counted it).
    for (const auto& [name, h] : member(result, "hosts").items()) {
      std::vector<const json*> changed, skipped;
      for (const auto& op : array_member(h, "ops")) {
        std::string status = op.is_object() ? op.value("status", "") : "";
        if (status == "skipped" && !interrupted_) skipped.push_back(&op);
        if (status == "changed" && fleet_on_terminal()) changed.push_back(&op);
      }
      for (const json* op : changed) say(operation_line(name, *op));
      if (many_hosts() && skipped.size() > 1) {
        say(paint_(Tone::bold, visible(name)) + ": " +
            paint_(Tone::dim, std::to_string(skipped.size()) + " operations not started (skipped)") + "\n");
        continue;
      }
      for (const json* op : skipped) say(operation_line(name, *op));
    }
    report_.take_execution(result);
    report_.attach_plan(planned_);
  }

  int host_failure(const Error& failure) {
    end_progress();
    // Split across role hosts: each failed part's partial results, the first one's error.
    std::vector<RoleHost*> failed = failed_parts_.empty() ? std::vector<RoleHost*>{host_.get()} : failed_parts_;
    const HostError& e = failed.front()->last_error();
    interrupted_ = e.kind == ErrorKind::interrupted;
    for (RoleHost* part : failed) {
      interrupted_ = interrupted_ || part->interrupted();
      // What had completed when execution stopped (member() makes a malformed one a no-op).
      if (part->last_error().details.contains("partial")) take_execution(part->last_error().details["partial"]);
    }
    if (interrupted_ || pending_signal()) return interrupted();
    if (e.kind == ErrorKind::host_died) {
      // No reply at all: the host died, and `failure` says how.
      return fail(failure);
    }
    json errors = e.details.value("errors", json::array());
    if (errors.empty()) errors.push_back(e.details);
    for (const auto& err : errors) {
      report_.errors.push_back(err);
      std::fputs(render_host_error(err, ctx_.err).c_str(), stderr);
    }
    return kExitFailure;
  }

  void begin_record() {
    recorder_.begin(report_, run_inputs());
    if ((opts_.logbook || limani_) && !logbook_events_) {
      LogbookEvents::Forward forward;
      if (limani_) forward = [this](const json& event) { limani_->deliver(event); };
      logbook_events_.emplace(opts_.logbook ? machine_fd() : -1, redactor_, std::move(forward));
      logbook_events_->run_start(recorder_.start());
    }
  }

  // -i NAME (or config.yml's `limani` with -l): its role host starts now, beside the run's.
  int start_limani(const GlobalConfig& config) {
    std::optional<std::string> name = opts_.limani;
    if (!name && opts_.logbook) name = config.limani;
    if (!name || *name == kBuiltinLimani) return kGoOn;
    auto sink = LimaniSink::start(ctx_, *name);
    if (!sink) return fail(sink.error(), kExitUsage);
    limani_ = std::move(*sink);
    return kGoOn;
  }

  void end_record() {
    recorder_.finish(report_, redactor_);
    std::optional<json> v1 = opts_.export_logs ? recorder_.export_v1() : std::nullopt;
    if (!logbook_events_) return;
    std::string status = report_.interrupted ? "interrupted" : report_.exit_code == 0 ? "success" : "failure";
    json summary = json(report_)["counts"];
    summary["change_kind"] = report_.change_kind;
    summary["exit_code"] = report_.exit_code;
    logbook_events_->run_end(recorder_.start().run_id, status, summary);
    if (v1) logbook_events_->logbook(*v1);
    if (limani_) limani_->finish();
  }

  // What the logbook fingerprints: where the run goes and what its roles read.
  RunInputs run_inputs() const {
    RunInputs inputs;
    for (const auto& h : hosts_param_) {
      const json& name = h.is_array() && !h.empty() ? h[0] : h;
      if (name.is_string()) inputs.hosts.push_back(name.get<std::string>());
    }
    if (!report_.chobolo.empty()) {
      auto text = read_regular_file(report_.chobolo);
      if (text) inputs.chobolo_text = *text;
    }
    if (secrets_) {
      inputs.secrets_text = secrets_->text;
      inputs.secrets_required = secret_key_paths(secrets_->data);
    }
    return inputs;
  }

  void finish(int code) {
    report_.duration_s = report_.elapsed();
    report_.exit_code = code;
    // A run stopped before it knew its hosts (a bad tag, say) is recorded too.
    if (!recorder_.begun()) begin_record();
    report_.change_kind = recorder_.change_kind(report_);
    end_progress();
    say(render_summary(report_, paint_));
    for (auto& more : more_hosts_) more->shutdown();
    if (host_) host_->shutdown();
    end_record();
    if (opts_.json) write_report(json(report_).dump(2) + "\n");
  }

  Context& ctx_;
  const ApplyOptions& opts_;
  RunRecorder recorder_{ctx_};
  bool decrypt_ = opts_.secrets;                // -s, or a yes to offer_secrets()
  json hosts_param_ = json::array({"@local"});  // apply.prepare's hosts: @local, or the fleet's
  int parallel_ = 0;
  nlohmann::ordered_json restrictions_;  // fleet.restrictions (or the top level's), for the host
  json max_fail_;                        // --max-fail as the host's parameter; null: not given
  FILE* human_;
  const Painter& paint_;
  ApplyReport report_;
  // Before host_: the host's line filter uses the redactor until the host is gone.
  std::optional<SecretsDocument> secrets_;
  Redactor redactor_;
  std::unique_ptr<RoleHost> host_;
  // A fleet split across role hosts (split_fleet): host_ works parts_[0], more_hosts_[i] parts_[i + 1].
  std::vector<std::unique_ptr<RoleHost>> more_hosts_;
  std::vector<json> parts_;
  std::vector<bool> part_alive_;
  std::vector<RoleHost*> failed_parts_;
  std::mutex events_;        // role hosts' events are handled one at a time
  std::string interpreter_;  // the plugin environment's, for errors that name it
  bool skip_confirm_ = false;
  bool progress_line_open_ = false;
  bool human_is_terminal_ = false;
  bool interrupted_ = false;
  bool sudo_asks_ = false;  // sudo may ask (here, or on an SSH host): standard input is read once an op needs it
  bool password_sent_ = false;
  Fd report_fd_;  // the real stdout while it is reserved for the --json report
  unsigned spinner_frame_ = 0;
  // host -> "role on host" it is planning: the hosts of a fleet plan at the same time, so their
  // events interleave.
  std::map<std::string, std::string> role_planning_on_;
  std::set<std::string> printed_host_header_;
  std::optional<FleetBoard> board_;              // a fleet's execution on a terminal
  json planned_;                                 // apply.plan's result: diffs and arguments per operation
  std::unique_ptr<LimaniSink> limani_;           // -i
  std::optional<LogbookEvents> logbook_events_;  // -l, -i
};

}  // namespace

int run_apply(Context& ctx, const ApplyOptions& opts) { return ApplyRun(ctx, opts).run(); }

}  // namespace chaos
