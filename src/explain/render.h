#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "explain/explain.h"
#include "term/style.h"

namespace chaos {

struct RenderOptions {
  std::string details = "basic";     // which keys are shown (-d)
  std::string complexity = "basic";  // for the header only (-c)
  int width = 80;
};

// The explanation keys shown at a detail level, in render order. The original hid `how` at
// basic and `concept` at intermediate; here each level shows everything the one below does.
const std::vector<std::string>& keys_for_details(std::string_view details);

std::string render_explanation(const Explanation& e, const RenderOptions& options, const Painter& paint);
std::string render_subtopic_list(const Explanation& e, const Painter& paint);

// Building blocks, exposed for tests.
// Light Markdown: paragraphs wrapped to `width`, `-`/`*`/`1.` lists with hanging indents,
// ``` fences as code blocks, `code` and **bold** inline, `#` headings.
std::string render_markdown(std::string_view text, int width, int indent, const Painter& paint);
// A code block indented by `indent`, highlighted for `language` (yaml, shell, python, toml;
// anything else is plain).
std::string render_code(std::string_view code, std::string_view language, int indent, const Painter& paint);
// Words wrapped greedily to `width` display columns (a longer word gets a line of its own).
std::vector<std::string> wrap_text(std::string_view text, int width);

}  // namespace chaos
