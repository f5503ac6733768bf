#include "context/plugin_manifest.h"

#include <unistd.h>

#include <cstdio>

#include "host/launch.h"
#include "util/fs.h"

namespace chaos {
namespace {

// What the manifest is read with: the interpreter and the SDK whose loader tells role kinds
// apart. A change to either re-reads every plugin.
std::string environment_id(const PythonEnv& env) {
  std::string id = env.interpreter + '\0' + env.version;
  std::string sdk = bundled_sdk_dir();
  id += '\0' + sdk;
  for (const char* file : {"chaos/host/manifest.py", "chaos/host/loading.py"}) {
    FileStamp s = stamp_of(join_path(sdk, file));
    id += '\0' + std::to_string(s.mtime_ns) + ':' + std::to_string(s.size);
  }
  return id;
}

Result<ordered_json> ask_role_host(Context& ctx, const ordered_json& params) {
  auto launch = ctx.host_launch();
  if (!launch) return launch.error();
  launch->warm_pyinfra = false;
  if (stream_is_terminal(STDERR_FILENO)) {
    std::fputs(ctx.err(Tone::dim, "Reading plugin metadata…\n").c_str(), stderr);
  }
  auto host = RoleHost::start(*launch);
  if (!host) return host.error();
  auto result = (*host)->call_in_order("manifest", nlohmann::json(params));
  if (!result) {
    const auto& details = (*host)->last_error().details;
    std::string hint = "run `chaos doctor` to check the plugin environment";
    if (details.is_object() && details.contains("traceback"))
      hint += "; the host said:\n" + details["traceback"].get<std::string>();
    (*host)->shutdown();
    return Error("could not read plugin metadata through the role host: " + result.error().message, launch->interpreter,
                 hint);
  }
  (*host)->shutdown();
  return result;
}

}  // namespace

Result<Manifest> load_plugin_manifest(Context& ctx, ManifestOptions request) {
  const auto& index = ctx.plugin_index();
  if (!index) return index.error();
  const auto& env = ctx.python_env();
  if (!env) return env.error();
  request.cache_dir = ctx.paths.cache_dir;
  request.environment = environment_id(*env);
  request.site_stamp = site_stamp_of(env->sys_path);
  request.refresh = ctx.options.refresh_index && !request.cached_only;
  return load_manifest(*index, request, [&ctx](const ordered_json& params) { return ask_role_host(ctx, params); });
}

}  // namespace chaos
