// apply/limani_sink: `chaos apply -i NAME`: a `chaos.limanis` plugin receives the run's logbook
// events (the ones `-l` prints), one `limani` request each, on a role host of its own so that a
// slow or failing store never holds up or fails the run (docs/records.md, docs/protocol.md §6.10).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "context/context.h"
#include "host/role_host.h"

namespace chaos {

// The built-in Limani: the logbook itself, which records every run anyway.
constexpr const char* kBuiltinLimani = "chrima";

class LimaniSink {
 public:
  // Finds NAME among the installed `chaos.limanis` and starts its role host (Python starts
  // while the run goes on). An unknown name is an error listing the installed ones.
  static Result<std::unique_ptr<LimaniSink>> start(Context& ctx, const std::string& name);
  ~LimaniSink();

  // Hands one event to the Limani. Its first failure is printed as a warning and ends the
  // deliveries: the run and the built-in logbook go on.
  void deliver(const nlohmann::json& event);
  void finish();

 private:
  LimaniSink(Context& ctx, std::string name) : ctx_(ctx), name_(std::move(name)) {}
  Context& ctx_;
  std::string name_;
  nlohmann::json params_;
  std::unique_ptr<RoleHost> host_;
  bool failed_ = false;
};

}  // namespace chaos
