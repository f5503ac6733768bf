#include "cli/provider_options.h"

namespace chaos {

void add_provider_options(CLI::App* cmd, ProviderRequest& request) {
  const char* group = "Keys from a password manager";
  cmd->add_option_function<std::vector<std::string>>(
         "-p,--provider", [&request](const std::vector<std::string>& v) { request.provider = v.empty() ? "" : v[0]; },
         "Read the sops key from the item config.yml names: PROVIDER.KEYTYPE (secret_providers.PROVIDER."
         "KEYTYPE_id), or secret_providers.default when bare")
      ->expected(0, 1)
      ->group(group);
  // Short forms as the original's; -rb and -dp are rewritten to the long ones (argv_rewrite.cc).
  const std::map<std::string, std::string> shorts = {{"bw", "-b,"}, {"bws", "-B,"}, {"op", "-o,"}, {"in", "-I,"}};
  for (const auto& provider : builtin_providers()) {
    auto found = shorts.find(provider.name);
    std::string names = (found == shorts.end() ? "" : found->second) + provider.flag;
    std::string name = provider.name;
    cmd->add_option_function<std::vector<std::string>>(
           names, [&request, name](const std::vector<std::string>& v) { request.direct[name] = v; },
           std::string("Read the sops key from ") + provider.title + ": ITEM KEYTYPE, ITEM being " + provider.item_help)
        ->expected(2)
        ->type_name("ITEM KEYTYPE")
        ->group(group);
  }
}

}  // namespace chaos
