#include "apply/logbook_events.h"

#include <time.h>

#include <algorithm>
#include <cctype>

#include "apply/record.h"
#include "util/fs.h"

namespace chaos {
namespace {

using nlohmann::json;

bool secret_looking(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* word : {"password", "secret", "token", "key", "auth", "sudo_pass"}) {
    if (key.find(word) != std::string::npos) return true;
  }
  return false;
}

json lines_of(const json& op, const char* key) {
  std::string text;
  if (op.is_object() && op.contains(key) && op[key].is_array()) {
    for (const auto& l : op[key]) {
      if (l.is_string()) text += (text.empty() ? "" : "\n") + l.get<std::string>();
    }
  }
  return text;
}

}  // namespace

double epoch_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

json mask_secret_arguments(const json& args) {
  if (args.is_array()) {
    json out = json::array();
    for (const auto& item : args) out.push_back(mask_secret_arguments(item));
    return out;
  }
  if (!args.is_object()) return args;
  json out = json::object();
  for (const auto& [key, value] : args.items()) {
    out[key] = secret_looking(key) && !value.is_null() ? json("********") : mask_secret_arguments(value);
  }
  return out;
}

void LogbookEvents::line(const std::string& prefix, const std::string& text) {
  // A reader that went away (a closed pipe) costs the events, never the run.
  if (fd_ >= 0) (void)write_all(fd_, prefix + redactor_.apply(text) + "\n", "the logbook events");
}

void LogbookEvents::event(const json& raw) {
  json redacted = redact_json(raw, redactor_);
  line("CHAOS_EVENT::", redacted.dump(-1, ' ', false, json::error_handler_t::replace));
  if (forward_) forward_(redacted);
}

void LogbookEvents::run_start(const LogbookRunStart& start) {
  line("CHAOS_RUN_ID::", start.run_id);
  json event = {{"type", "run_start"},      {"run_id", start.run_id}, {"uggly_run_id", start.uggly_run_id},
                {"timestamp", epoch_now()}, {"hailer", start.hailer}, {"secrets_required", start.secrets_required}};
  this->event(event);
}

void LogbookEvents::progress(const std::string& host, const json& op, const json& planned) {
  std::string status = op.value("status", "failed");
  json event = {
      {"type", "progress"},
      {"host", host},
      {"operation", op.value("op", "")},
      {"changed", status == "changed"},
      {"success", status != "failed" || (op.contains("ignored") && op["ignored"] == true)},
      {"duration", op.contains("duration_s") && op["duration_s"].is_number() ? op["duration_s"] : json(0.0)},
      {"timestamp", epoch_now()},
      {"logs", {{"stdout", lines_of(op, "stdout_tail")}, {"stderr", lines_of(op, "stderr_tail")}}},
      {"diff", planned.is_object() && planned.contains("diff") ? planned["diff"] : json("")},
      {"operation_arguments",
       mask_secret_arguments(planned.is_object() ? planned.value("args", json::object()) : json::object())},
      {"retry_statistics",
       {{"retry_attempts", op.contains("retries") && op["retries"].is_number_integer() ? op["retries"] : json(0)}}},
      {"command_n_fact_history", json::array()}};
  if (op.contains("hash") && op["hash"].is_string()) event["op_hash"] = op["hash"];
  this->event(event);
}

void LogbookEvents::fact(const json& entry) {
  json event = {{"type", "fact"}};
  for (const char* key : {"timestamp", "log_level", "context", "command"}) {
    event[key] = entry.contains(key) ? entry[key] : json();
  }
  this->event(event);
}

void LogbookEvents::health_check(const json& snapshot) {
  json event = {{"type", "health_check"}};
  for (const char* key : {"host", "stage", "timestamp", "metrics"}) {
    event[key] = snapshot.contains(key) ? snapshot[key] : json();
  }
  this->event(event);
}

void LogbookEvents::run_end(const std::string& run_id, const std::string& status, const json& summary) {
  json event = {
      {"type", "run_end"}, {"run_id", run_id}, {"status", status}, {"timestamp", epoch_now()}, {"summary", summary}};
  this->event(event);
  line("CHAOS_RUN_ENDED::", run_id);
}

void LogbookEvents::logbook(const json& v1) {
  line("CHAOS_LOGBOOK::", redact_json(v1, redactor_).dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace chaos
