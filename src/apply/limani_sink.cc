#include "apply/limani_sink.h"

#include "term/escape.h"
#include "util/text.h"

namespace chaos {

Result<std::unique_ptr<LimaniSink>> LimaniSink::start(Context& ctx, const std::string& name) {
  const auto& index = ctx.plugin_index();
  if (!index) return index.error();
  const Registration* found = index->find(Group::limanis, name);
  if (found == nullptr) {
    auto names = index->names(Group::limanis);
    return Error("no installed plugin provides the Limani `" + visible(name) + "`", "chaos.limanis",
                 names.empty() ? "no plugin Limani is installed; `" + std::string(kBuiltinLimani) +
                                     "`, the built-in logbook, records every run without -i"
                               : "installed: " + join(names, ", ") + " (and the built-in " + kBuiltinLimani + ")");
  }
  auto launch = ctx.host_launch();
  if (!launch) return launch.error();
  launch->warm_pyinfra = false;  // a Limani needs no pyinfra
  auto host = RoleHost::start(*launch);
  if (!host) return host.error();
  std::unique_ptr<LimaniSink> sink(new LimaniSink(ctx, name));
  sink->host_ = std::move(*host);
  sink->params_ = {{"name", name},
                   {"target", found->value},
                   {"plugin", index->owner(*found).name},
                   {"config_path", ctx.paths.config_file()}};
  return sink;
}

LimaniSink::~LimaniSink() { finish(); }

void LimaniSink::deliver(const nlohmann::json& event) {
  if (failed_ || !host_) return;
  nlohmann::json params = params_;
  params["event"] = event;
  auto reply = host_->call("limani", params);
  if (reply) return;
  failed_ = true;
  const auto& details = host_->last_error().details;
  std::string traceback = details.is_object() && details.contains("traceback") && details["traceback"].is_string()
                              ? "\n" + details["traceback"].get<std::string>()
                              : "";
  ctx_.print_warning("the Limani `" + visible(name_) + "` (" + params_["plugin"].get<std::string>() +
                     ") stopped receiving this run's events: " + reply.error().message + visible(traceback) +
                     "\n  the built-in logbook has the whole run (`chaos log show last`)");
}

void LimaniSink::finish() {
  if (host_) host_->shutdown();
  host_.reset();
}

}  // namespace chaos
