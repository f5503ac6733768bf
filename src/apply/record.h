// apply/record: the run's entry in the logbook (records/logbook.h): opened when the run knows
// what it will do, closed with the report. A logbook that cannot be written costs the record,
// with a warning, never the run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apply/report.h"
#include "context/context.h"
#include "records/logbook.h"
#include "sops/redact.h"

namespace chaos {

struct RunInputs {
  std::vector<std::string> hosts;
  std::string chobolo_text;                   // what the roles read
  std::optional<std::string> secrets_text;    // decrypted, with -s; hashed with the logbook's salt
  std::vector<std::string> secrets_required;  // the secrets' key names
};

class RunRecorder {
 public:
  explicit RunRecorder(Context& ctx) : ctx_(ctx) {}

  // Records the run as started (in_progress). Called once the hosts and inputs are known.
  void begin(const ApplyReport& report, const RunInputs& inputs);
  bool begun() const { return began_; }
  // none (nothing changed or would change), corrective (changes while the inputs equal the last
  // successful run's: the machine drifted) or intentional.
  std::string change_kind(const ApplyReport& report) const;
  // Ends the run's record with the report, every string of it passed through `redactor`.
  void finish(const ApplyReport& report, const Redactor& redactor);
  std::optional<int64_t> run_id() const { return id_; }
  // The run's ids, hailer and secret names: known from begin() on, with or without a logbook.
  const LogbookRunStart& start() const { return start_; }
  // -x: the recorded run in the original's v1 format, written to ./chaos_logbook.json and
  // copied into the logbook directory; returned for the CHAOS_LOGBOOK line. nullopt (after a
  // warning) when the run was not recorded or a file could not be written.
  std::optional<nlohmann::json> export_v1();

 private:
  Context& ctx_;
  std::optional<Logbook> book_;
  std::optional<int64_t> id_;
  LogbookRunStart start_;
  bool inputs_unchanged_ = false;
  bool began_ = false;
};

// Every string in `doc` (keys too) with the redactor's values replaced.
nlohmann::json redact_json(const nlohmann::json& doc, const Redactor& redactor);

}  // namespace chaos
