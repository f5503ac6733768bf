// apply/logbook_events: `chaos apply -l`: the original Ch-aOS logbook's machine-readable lines,
// for tools that follow a run as it happens (docs/records.md, "Following a run"):
//
//   CHAOS_RUN_ID::<run id>
//   CHAOS_EVENT::{"type": "run_start" | "progress" | "run_end", ...}   one line each, compact
//   CHAOS_RUN_ENDED::<run id>
//   CHAOS_LOGBOOK::{v1 document}                                       with -x
//
// Every line is written whole with one write(2) to the descriptor given (the real standard
// output, which then carries nothing else), after every string in it went through the redactor.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "records/logbook.h"
#include "sops/redact.h"

namespace chaos {

class LogbookEvents {
 public:
  using Forward = std::function<void(const nlohmann::json& event)>;
  // `fd` < 0: nothing is printed (-i without -l). `forward` gets every event, redacted (-i).
  LogbookEvents(int fd, const Redactor& redactor, Forward forward = {})
      : fd_(fd), redactor_(redactor), forward_(std::move(forward)) {}

  void run_start(const LogbookRunStart& start);
  // One finished operation: the op_done body, with the plan's diff and arguments.
  void progress(const std::string& host, const nlohmann::json& op, const nlohmann::json& planned);
  // A fact read or command run: {timestamp, log_level, context, command}.
  void fact(const nlohmann::json& entry);
  // A health snapshot from apply.execute: {host, stage, timestamp, metrics}.
  void health_check(const nlohmann::json& snapshot);
  void run_end(const std::string& run_id, const std::string& status, const nlohmann::json& summary);
  void logbook(const nlohmann::json& v1);

 private:
  void line(const std::string& prefix, const std::string& text);
  void event(const nlohmann::json& event);
  int fd_;
  const Redactor& redactor_;
  Forward forward_;
};

// Seconds since the epoch, as the original's events carry them.
double epoch_now();

// Argument values under keys that look secret (password, secret, token, key, auth, sudo_pass;
// any case) become "********", at any depth: the logbook and events record arguments, not secrets.
nlohmann::json mask_secret_arguments(const nlohmann::json& args);

}  // namespace chaos
