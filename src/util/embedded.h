#pragma once

#include <span>
#include <string_view>

namespace chaos {

// A file of the source tree compiled into the binary (cmake/embed.cmake): built-in explain
// topics, the plugin scaffold. Content is edited as the files it is and cannot go missing at
// run time.
struct EmbeddedFile {
  std::string_view path;  // relative to the folder it was embedded from
  std::string_view data;
};

// Declared here, defined by the generated sources (CMakeLists.txt: chaos_embed).
std::span<const EmbeddedFile> embedded_explain_topics();
std::span<const EmbeddedFile> embedded_plugin_scaffold();     // in the order chaos writes them
std::span<const EmbeddedFile> embedded_completion_scripts();  // chaos.bash, chaos.zsh, chaos.fish

}  // namespace chaos
