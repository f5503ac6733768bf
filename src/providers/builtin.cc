#include "providers/builtin.h"

#include <unistd.h>

#include "term/style.h"
#include "util/fs.h"
#include "util/process.h"
#include "util/text.h"

namespace chaos {
namespace {

using nlohmann::json;

// Long enough for a CLI that syncs first (bw, op); a CLI waiting on a prompt nobody answers ends.
constexpr int kCliTimeoutMs = 120000;

const std::vector<BuiltinProviderInfo> kProviders = {
    {"bw", "Bitwarden", "bw", "--from-bw", "the item's id; the key is in its notes"},
    {"bws", "Bitwarden Secrets Manager", "bws", "--from-bws", "the secret's id"},
    {"rbw", "Bitwarden (rbw)", "rbw", "--from-rbw", "the entry's name or id; the key is in its notes"},
    {"op", "1Password", "op", "--from-op", "a secret reference: op://VAULT/ITEM/FIELD"},
    {"dp", "Doppler", "doppler", "--from-doppler", "NAME:PROJECT[:CONFIG]"},
    {"in", "Infisical", "infisical", "--from-in", "NAME[:PROJECT_ID[:ENV[:PATH]]]"},
};

std::string setting(const ProviderSettings& settings, const std::string& key, const std::string& fallback = {}) {
  auto found = settings.find(key);
  return found == settings.end() ? fallback : found->second;
}

std::string option(const ExportRequest& request, const std::string& key, const std::string& fallback = {}) {
  auto found = request.options.find(key);
  return found == request.options.end() || found->second.empty() ? fallback : found->second;
}

// One run of the provider's CLI. Secrets go in `input`, never in `args`.
Result<ProcessOutput> run_cli(const BuiltinProviderInfo& provider, std::vector<std::string> args,
                              std::string input = {}) {
  if (find_on_path(provider.program).empty()) {
    return Error(
        std::string("the ") + provider.title + " CLI (`" + provider.program + "`) is not installed or not on PATH",
        provider.program, "install it from the vendor, then log in with it");
  }
  args.insert(args.begin(), provider.program);
  RunOptions options;
  options.input = std::move(input);
  options.timeout_ms = kCliTimeoutMs;
  return run_capture(args, options);
}

// What the CLI said when it failed, in its own words.
Error cli_failure(const BuiltinProviderInfo& provider, const std::string& what, const ProcessOutput& out,
                  const std::string& hint = {}) {
  std::string said = trim(out.err.empty() ? out.out : out.err);
  if (said.size() > 2000) said = said.substr(0, 2000) + "…";
  if (said.empty()) said = describe_exit(out.status);
  return Error(std::string(provider.title) + " could not " + what + ": " + said, provider.program, hint);
}

Result<std::string> run_ok(const BuiltinProviderInfo& provider, const std::string& what, std::vector<std::string> args,
                           std::string input = {}, const std::string& hint = {}) {
  auto ran = run_cli(provider, std::move(args), std::move(input));
  if (!ran) return ran.error();
  if (!ran->status.exited_with(0)) return cli_failure(provider, what, *ran, hint);
  return std::move(ran->out);
}

std::string without_final_newline(std::string text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

Result<json> parse_json(const BuiltinProviderInfo& provider, const std::string& text, const std::string& what) {
  auto parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Error(std::string(provider.title) + " printed something that is not the JSON object expected from " + what,
                 provider.program);
  }
  return parsed;
}

std::string item_title(const ExportRequest& request) {
  std::string type = key_type_name(request.key_type);
  for (auto& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "Ch-aOS " + type + " Key: " + request.item_name;
}

std::string base64(std::string_view bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t at = 0; at < bytes.size(); at += 3) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(bytes[at])) << 16;
    if (at + 1 < bytes.size()) n |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 8;
    if (at + 2 < bytes.size()) n |= static_cast<unsigned char>(bytes[at + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += at + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=';
    out += at + 2 < bytes.size() ? alphabet[n & 63] : '=';
  }
  return out;
}

// ---- readiness and reading, per provider ----

Status bw_ready(const BuiltinProviderInfo& p) {
  auto out = run_ok(p, "report its status", {"status"});
  if (!out) return out.error();
  auto status = parse_json(p, *out, "`bw status`");
  if (!status) return status.error();
  std::string state = (*status)["status"].is_string() ? (*status)["status"].get<std::string>() : "unknown";
  if (state == "unlocked") return {};
  return Error("Bitwarden is " + state + ", so chaos cannot read the key", p.program,
               state == "unauthenticated" ? "log in: bw login, then export BW_SESSION=\"$(bw unlock --raw)\""
                                          : "unlock it: export BW_SESSION=\"$(bw unlock --raw)\"");
}

Status rbw_ready(const BuiltinProviderInfo& p) {
  auto ran = run_cli(p, {"unlocked"});
  if (!ran) return ran.error();
  // Locked on a terminal is fine: rbw asks for the master password itself (pinentry).
  if (ran->status.exited_with(0) || stream_is_terminal(STDIN_FILENO)) return {};
  return Error("rbw is locked, and there is no terminal for it to ask for the master password", p.program,
               "unlock it first: rbw unlock");
}

Status ready(const BuiltinProviderInfo& p) {
  std::string name = p.name;
  if (name == "bw") return bw_ready(p);
  if (name == "rbw") return rbw_ready(p);
  if (name == "bws" && env_or_empty("BWS_ACCESS_TOKEN").empty()) {
    return Error("BWS_ACCESS_TOKEN is not set, so bws cannot log in", p.program,
                 "export the machine account's access token as BWS_ACCESS_TOKEN");
  }
  if (name == "op") {
    auto out = run_ok(p, "find a signed-in account", {"account", "get"}, {}, "sign in: eval \"$(op signin)\"");
    if (!out) return out.error();
  }
  if (name == "dp") {
    auto out = run_ok(p, "find a login", {"me", "--json"}, {}, "log in: doppler login (or set DOPPLER_TOKEN)");
    if (!out) return out.error();
  }
  return {};
}

Result<std::string> read_item(const BuiltinProviderInfo& p, const std::string& item, const ProviderSettings& settings) {
  std::string name = p.name;
  std::string what = "read item " + item;
  if (name == "bw") return run_ok(p, what, {"get", "notes", item});
  if (name == "rbw") return run_ok(p, what, {"get", item, "--field", "notes"});
  if (name == "bws") {
    auto out = run_ok(p, what, {"secret", "get", item, "--output", "json"});
    if (!out) return out.error();
    auto secret = parse_json(p, *out, "`bws secret get`");
    if (!secret) return secret.error();
    if (!(*secret)["value"].is_string()) return Error("the bws secret " + item + " has no value", p.program);
    return (*secret)["value"].get<std::string>();
  }
  if (name == "op") {
    if (item.rfind("op://", 0) != 0) {
      return Error("a 1Password item is named by a secret reference, op://VAULT/ITEM/FIELD (got `" + item + "`)",
                   p.program);
    }
    auto out = run_ok(p, what, {"read", item});
    if (!out) return out.error();
    return without_final_newline(std::move(*out));
  }
  auto parts = split(item, ':');
  std::vector<std::string> args = {"secrets", "get", parts[0], "--plain"};
  if (name == "dp") {
    std::string project = parts.size() > 1 ? parts[1] : setting(settings, "project_name");
    std::string config = parts.size() > 2 ? parts[2] : setting(settings, "config_name");
    if (project.empty()) return Error("Doppler needs a project: name the item NAME:PROJECT[:CONFIG]", p.program);
    args.insert(args.end(), {"--project", project});
    if (!config.empty()) args.insert(args.end(), {"--config", config});
  } else {  // in: NAME[:PROJECT_ID[:ENV[:PATH]]]
    std::string project = parts.size() > 1 && !parts[1].empty() ? parts[1] : setting(settings, "project_id");
    args.insert(args.end(), {"--env", parts.size() > 2 ? parts[2] : setting(settings, "env_name", "dev")});
    args.insert(args.end(), {"--path", parts.size() > 3 ? parts[3] : setting(settings, "secret_path", "/")});
    if (!project.empty()) args.insert(args.end(), {"--projectId", project});
  }
  auto out = run_ok(p, what, args);
  if (!out) return out.error();
  return without_final_newline(std::move(*out));
}

// ---- export, per provider ----

Result<ExportResult> export_bw(const BuiltinProviderInfo& p, const ExportRequest& r) {
  std::string org = option(r, "organization-id"), collection = option(r, "collection-id");
  if (!collection.empty() && org.empty()) return Error("--collection-id needs --organization-id", p.program);
  json item = {{"type", 1},
               {"name", item_title(r)},
               {"notes", r.content},
               {"login", {{"username", "ch-aos"}, {"password", "ch-aos"}}},
               {"organizationId", org.empty() ? json(nullptr) : json(org)},
               {"collectionIds", collection.empty() ? json::array() : json::array({collection})}};
  auto out = run_ok(p, "create the item", {"create", "item"}, base64(item.dump()));
  if (!out) return out.error();
  auto created = parse_json(p, *out, "`bw create item`");
  if (!created) return created.error();
  if (!(*created)["id"].is_string()) return Error("bw created an item but printed no id", p.program);
  ExportResult result{(*created)["id"].get<std::string>(), {"Created Bitwarden item \"" + item_title(r) + "\"."}, {}};
  if (!org.empty()) result.settings.push_back({"organization_id", org});
  if (!collection.empty()) result.settings.push_back({"collection_id", collection});
  return result;
}

Result<ExportResult> export_rbw(const BuiltinProviderInfo& p, const ExportRequest& r) {
  // rbw reads the password from the first line and the notes from the rest, and drops lines
  // that start with '#' as comments: those of the key text are kept by a leading space (the
  // key parsers skip leading blanks).
  std::string input = "ch-aos\n";
  for (const auto& line : split_lines(r.content)) input += (line.rfind('#', 0) == 0 ? " " : "") + line + "\n";
  std::string title = item_title(r);
  auto added = run_ok(p, "add the entry", {"add", title, "ch-aos"}, input);
  if (!added) return added.error();
  auto listed = run_ok(p, "list its entries", {"list", "--fields", "id,name"});
  if (!listed) return listed.error();
  std::string id;
  for (const auto& line : split_lines(*listed)) {
    auto tab = line.find('\t');
    if (tab != std::string::npos && line.substr(tab + 1) == title) id = line.substr(0, tab);
  }
  if (id.empty()) return Error("rbw added \"" + title + "\" but does not list it", p.program, "run rbw sync");
  return ExportResult{id, {"Created rbw entry \"" + title + "\"."}, {}};
}

Result<ExportResult> export_op(const BuiltinProviderInfo& p, const ExportRequest& r) {
  std::string vault = option(r, "vault", "Private"), title = item_title(r);
  std::string field = option(r, "op-location", "password");
  if (field != "password" && field != "notesPlain") return Error("--op-location is password or notesPlain", p.program);
  auto existing = run_cli(p, {"item", "get", title, "--vault", vault, "--format", "json"});
  if (!existing) return existing.error();
  if (existing->status.exited_with(0)) {
    return Error("1Password already has an item \"" + title + "\" in vault " + vault, p.program,
                 "choose another name (-n), or delete the old item first");
  }
  json fields = json::array({field == "password" ? json{{"id", "password"},
                                                        {"type", "CONCEALED"},
                                                        {"purpose", "PASSWORD"},
                                                        {"label", "password"},
                                                        {"value", r.content}}
                                                 : json{{"id", "notesPlain"},
                                                        {"type", "STRING"},
                                                        {"purpose", "NOTES"},
                                                        {"label", "notesPlain"},
                                                        {"value", r.content}}});
  json item = {{"title", title}, {"category", "PASSWORD"}, {"fields", fields}};
  std::string tags = option(r, "tags");  // comma-separated, as op's own --tags
  if (!tags.empty()) {
    item["tags"] = json::array();
    for (const auto& tag : split(tags, ','))
      if (!trim(tag).empty()) item["tags"].push_back(trim(tag));
  }
  auto out = run_ok(p, "create the item", {"item", "create", "--vault", vault, "--format", "json", "-"}, item.dump());
  if (!out) return out.error();
  auto created = parse_json(p, *out, "`op item create`");
  if (!created) return created.error();
  if (!(*created)["id"].is_string()) return Error("op created an item but printed no id", p.program);
  std::string url = "op://" + vault + "/" + (*created)["id"].get<std::string>() + "/" + field;
  return ExportResult{url,
                      {"Created 1Password item \"" + title + "\" in vault " + vault + "."},
                      {{std::string(key_type_name(r.key_type)) + "_url", url}, {"field", field}}};
}

Result<ExportResult> export_doppler(const BuiltinProviderInfo& p, const ExportRequest& r,
                                    const ProviderSettings& settings) {
  std::string project = option(r, "project-name", setting(settings, "project_name"));
  std::string config = option(r, "config-name", setting(settings, "config_name"));
  if (project.empty()) return Error("Doppler needs a project: pass --project-name", p.program);
  std::vector<std::string> args = {"secrets", "set", r.item_name, "--project", project};
  if (!config.empty()) args.insert(args.end(), {"--config", config});
  args.insert(args.end(), {"--visibility", option(r, "visibility", "masked"), "--silent"});
  auto set = run_ok(p, "store the secret", args, r.content);
  if (!set) return set.error();
  std::string note = option(r, "note");
  if (!note.empty()) {
    auto noted = run_ok(p, "set the note", {"secrets", "notes", "set", r.item_name, note, "--project", project});
    if (!noted) return noted.error();
  }
  std::string id = r.item_name + ":" + project + (config.empty() ? "" : ":" + config);
  return ExportResult{id, {"Stored Doppler secret " + r.item_name + " in project " + project + "."}, {}};
}

Result<ExportResult> export_infisical(const BuiltinProviderInfo& p, const ExportRequest& r,
                                      const ProviderSettings& settings) {
  std::string env = option(r, "env-name", setting(settings, "env_name", "dev"));
  std::string path = option(r, "secret-path", setting(settings, "secret_path", "/"));
  std::string project = option(r, "project-id", setting(settings, "project_id"));
  std::string type = option(r, "secret-type", "shared");
  if (type != "shared" && type != "personal") return Error("--secret-type is shared or personal", p.program);
  std::vector<std::string> args = {"secrets", "set", r.item_name + "=@/dev/stdin", "--env", env, "--path", path,
                                   "--type",  type};
  if (!project.empty()) args.insert(args.end(), {"--projectId", project});
  auto set = run_ok(p, "store the secret", args, r.content);
  if (!set) return set.error();
  std::string id = r.item_name + ":" + project + ":" + env + ":" + path;
  return ExportResult{id, {"Stored Infisical secret " + r.item_name + " (" + env + ", " + path + ")."}, {}};
}

}  // namespace

const std::vector<BuiltinProviderInfo>& builtin_providers() { return kProviders; }

Result<std::string> read_builtin_item(const BuiltinProviderInfo& provider, const std::string& item,
                                      const ProviderSettings& settings) {
  if (auto err = ready(provider)) return *err;
  return read_item(provider, item, settings);
}

Result<ExportResult> export_builtin_item(const BuiltinProviderInfo& provider, const ExportRequest& request,
                                         const ProviderSettings& settings) {
  std::string name = provider.name;
  if (name == "bws") {
    return Error(
        "chaos does not export to Bitwarden Secrets Manager: `bws secret create` takes the value only on "
        "its command line, where every local user can read it (/proc/PID/cmdline)",
        provider.program,
        "create the secret in the Secrets Manager web app (paste the key there), then read it with "
        "--from-bws SECRET-ID age");
  }
  if (auto err = ready(provider)) return *err;
  Result<ExportResult> result = name == "bw"    ? export_bw(provider, request)
                                : name == "rbw" ? export_rbw(provider, request)
                                : name == "op"  ? export_op(provider, request)
                                : name == "dp"  ? export_doppler(provider, request, settings)
                                                : export_infisical(provider, request, settings);
  if (result && result->settings.empty()) {
    result->settings.push_back({std::string(key_type_name(request.key_type)) + "_id", result->item});
  }
  return result;
}

}  // namespace chaos
