#pragma once

#include <string>
#include <vector>

namespace chaos {

// The original CLI has multi-letter options behind a single dash (-ikwid, -nw, -pf, -ps).
// CLI11 reads `-nw` as `-n -w`, so these spellings are rewritten to their long forms before
// parsing; everything after `--` is left alone.
std::vector<std::string> rewrite_legacy_options(const std::vector<std::string>& args);

// The original's global `chaos -e [-c FILE]` (edit the Ch-obolo) is `chaos edit [-c FILE]`. Only
// in the first position: after a command, -e is that command's (apply's --serial).
std::vector<std::string> rewrite_edit_option(const std::vector<std::string>& args);
// `chaos help [COMMAND...]` is `chaos [COMMAND...] --help`: the word `help` in the command
// position is dropped and --help appended. Global options before it are kept.
std::vector<std::string> rewrite_help_command(const std::vector<std::string>& args);

}  // namespace chaos
