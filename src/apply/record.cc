#include "apply/record.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <pwd.h>
#include <unistd.h>

#include <ctime>

#include "apply/logbook_events.h"
#include "records/logbook_export.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace chaos {
namespace {

using nlohmann::json;

// The original's ids: chaos-YYYY/MM/DD-HH:MM:SS (UTC) for people, chaos-<epoch>-<ns> unique.
void run_ids(LogbookRunStart& start) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm parts{};
  gmtime_r(&ts.tv_sec, &parts);
  char human[40];
  std::strftime(human, sizeof human, "chaos-%Y/%m/%d-%H:%M:%S", &parts);
  start.run_id = human;
  start.started = iso_utc(ts.tv_sec, ts.tv_nsec);
  start.uggly_run_id = "chaos-" + std::to_string(ts.tv_sec) + "-" + std::to_string(ts.tv_nsec);
}

// The first IPv4 address that is not loopback: the "boatswain" of the original's hailer.
json local_address() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return nullptr;
  json found;
  for (ifaddrs* a = list; a && found.is_null(); a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
    char text[INET_ADDRSTRLEN] = {};
    auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text) && std::string(text).rfind("127.", 0) != 0) {
      found = text;
    }
  }
  ::freeifaddrs(list);
  return found;
}

json hailer() {
  const passwd* pw = ::getpwuid(::getuid());
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return {{"user", pw ? json(pw->pw_name) : json(nullptr)}, {"boatswain", local_address()}, {"hostname", host}};
}

}  // namespace

json redact_json(const json& doc, const Redactor& redactor) {
  if (redactor.empty()) return doc;
  if (doc.is_string()) return redactor.apply(doc.get_ref<const std::string&>());
  if (doc.is_array()) {
    json out = json::array();
    for (const auto& item : doc) out.push_back(redact_json(item, redactor));
    return out;
  }
  if (doc.is_object()) {
    json out = json::object();
    for (const auto& [key, value] : doc.items()) out[redactor.apply(key)] = redact_json(value, redactor);
    return out;
  }
  return doc;
}

void RunRecorder::begin(const ApplyReport& report, const RunInputs& inputs) {
  if (id_ || began_) return;
  began_ = true;
  run_ids(start_);
  start_.tags = report.tags;
  start_.hosts = inputs.hosts;
  if (!report.chobolo.empty()) start_.chobolo = report.chobolo;
  start_.dry = report.dry;
  start_.hailer = hailer();
  start_.secrets_required = inputs.secrets_required;
  start_.chobolo_hash = sha256_hex(inputs.chobolo_text);
  auto book = Logbook::open(ctx_.paths.logbook_dir, ctx_.paths.state_dir);
  if (!book) {
    ctx_.print_warning("this run is not recorded: " + book.error().message + " (" + book.error().where + ")");
    return;
  }
  book_ = std::move(*book);
  std::string warning = history_import_warning(*book_, ctx_.paths.state_dir);
  if (!warning.empty()) ctx_.print_warning(warning);
  // What the roles are given: which code (tag, plugin, entry point), the Ch-obolo, and the
  // decrypted secrets (salted: the hash of a short secret must not be guessable).
  Sha256 roles;
  for (const auto& role : report.roles) roles.update(role.tag + "\n" + role.plugin + "\n" + role.target + "\n");
  roles.update(start_.chobolo_hash);
  if (inputs.secrets_text) {
    auto salt = book_->salt();
    roles.update(salt ? *salt : std::string()).update(*inputs.secrets_text);
  }
  start_.inputs_hash = roles.hex_digest();
  auto unchanged = book_->inputs_unchanged(start_);
  inputs_unchanged_ = unchanged && *unchanged;
  auto id = book_->begin_run(start_);
  if (!id) {
    ctx_.print_warning("this run is not recorded: " + id.error().message);
    book_.reset();
    return;
  }
  id_ = *id;
}

std::string RunRecorder::change_kind(const ApplyReport& report) const {
  bool changes = false;
  for (const auto& [name, host] : report.hosts) changes = changes || host.counts.changed > 0;
  if (!changes) return "none";
  return inputs_unchanged_ ? "corrective" : "intentional";
}

void RunRecorder::finish(const ApplyReport& report, const Redactor& redactor) {
  if (!book_ || !id_) return;
  json doc = json(report);
  // The arguments are recorded, not reported: masked first, then redacted with the rest.
  size_t h = 0;
  for (const auto& [name, host] : report.hosts) {
    for (size_t i = 0; i < host.operations.size(); ++i) {
      json& op = doc["hosts"][h]["operations"][i];
      if (!host.operations[i].args.is_null()) op["arguments"] = mask_secret_arguments(host.operations[i].args);
      op["stdout_tail"] = host.operations[i].stdout_tail;
    }
    ++h;
  }
  doc["health"] = report.health;
  doc["command_log"] = report.command_log;
  doc = redact_json(doc, redactor);
  if (auto err =
          book_->finish_run(*id_, doc, change_kind(report), ctx_.config() ? ctx_.config()->logbook_keep : 1000)) {
    ctx_.print_warning("the logbook could not record this run's details: " + err->message);
  }
}

std::optional<json> RunRecorder::export_v1() {
  if (!book_ || !id_) {
    ctx_.print_warning("-x: the run was not recorded, so there is no logbook to export");
    return std::nullopt;
  }
  auto data = book_->run_data(*id_);
  if (!data || !*data) {
    ctx_.print_warning("-x: the run could not be read back: " +
                       (data ? std::string("it is gone") : data.error().message));
    return std::nullopt;
  }
  json v1 = logbook_export_v1(**data);
  std::string text = v1.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  std::string copy = join_path(ctx_.paths.logbook_dir, "chaos_logbook_run" + std::to_string(*id_) + "_" +
                                                           start_.uggly_run_id.substr(6) + ".json");
  for (const std::string& path : {std::string("chaos_logbook.json"), copy}) {
    if (auto err = write_file_atomic(path, text)) {
      ctx_.print_warning("-x: " + err->message + " (" + path + ")");
      return std::nullopt;
    }
  }
  return v1;
}

}  // namespace chaos
