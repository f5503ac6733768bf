// providers/builtin: the six built-in providers, each a vendor CLI run with an argument list (no
// shell). Item text is read from the CLI's stdout and written to its stdin.
#pragma once

#include <map>
#include <string>

#include "providers/providers.h"

namespace chaos {

using ProviderSettings = std::map<std::string, std::string>;  // secret_providers.<name>

// Checks the provider is ready (logged in, unlocked: a clear error and the command that fixes it
// otherwise), then reads the item.
Result<std::string> read_builtin_item(const BuiltinProviderInfo& provider, const std::string& item,
                                      const ProviderSettings& settings);

Result<ExportResult> export_builtin_item(const BuiltinProviderInfo& provider, const ExportRequest& request,
                                         const ProviderSettings& settings);

}  // namespace chaos
