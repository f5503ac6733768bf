#include "explain/render.h"
#include "term/escape.h"
#include "util/text.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

namespace chaos {
namespace {

// Prose wider than this is hard to read, whatever the terminal's width.
constexpr int kMaxWidth = 100;

std::string pad(int n) { return std::string(static_cast<size_t>(std::max(n, 0)), ' '); }

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// Unlike util's split_lines, the empty line after a final newline (and of an empty text) is
// kept: the renderers below decide about it, and their output is byte-for-byte what it was.
std::vector<std::string_view> lines_with_last(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::string_view trim_left(std::string_view s) {
  size_t i = s.find_first_not_of(" \t");
  return i == std::string_view::npos ? std::string_view() : s.substr(i);
}

int width_of(std::string_view s) { return static_cast<int>(display_width(s)); }

// --- inline Markdown ---

enum class Inline { plain, code, bold };

struct Piece {
  std::string text;
  Inline style;
  bool opens = false;   // a code span starts with this piece
  bool closes = false;  // and ends with it
};
using Word = std::vector<Piece>;

// Splits a paragraph into words of styled pieces. A marker only opens a span when its closing
// marker follows, so a lone backtick or `**` stays text.
std::vector<Word> inline_words(std::string_view text) {
  std::vector<Word> words;
  Word current;
  std::string buf;
  Inline style = Inline::plain;
  bool span_start = false;
  auto flush_piece = [&](bool span_end = false) {
    if (!buf.empty()) {
      current.push_back({std::move(buf), style, span_start, span_end});
      span_start = false;
    }
    buf.clear();
  };
  auto flush_word = [&] {
    flush_piece();
    if (!current.empty()) words.push_back(std::move(current));
    current.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '`' && style != Inline::bold) {
      if (style == Inline::code || text.find('`', i + 1) != std::string_view::npos) {
        flush_piece(style == Inline::code);
        style = style == Inline::code ? Inline::plain : Inline::code;
        span_start = style == Inline::code;
        continue;
      }
    } else if (c == '*' && style != Inline::code && text.substr(i, 2) == "**") {
      if (style == Inline::bold || text.find("**", i + 2) != std::string_view::npos) {
        flush_piece();
        style = style == Inline::bold ? Inline::plain : Inline::bold;
        ++i;
        continue;
      }
    }
    if (c == ' ' || c == '\t') {
      flush_word();
      continue;
    }
    buf += c;
  }
  flush_word();
  return words;
}

std::string paint_word(const Word& w, const Painter& paint) {
  std::string out;
  for (size_t i = 0; i < w.size(); ++i) {
    const Piece& p = w[i];
    if (p.style == Inline::code && !paint.colour()) {
      // Without colour the backticks are what sets code apart from prose: keep them, around
      // the whole span (a span split over several words gets one at each end).
      bool opens = i > 0 ? w[i - 1].style != Inline::code : p.opens;
      bool closes = i + 1 < w.size() ? w[i + 1].style != Inline::code : p.closes;
      out += (opens ? "`" : "") + p.text + (closes ? "`" : "");
      continue;
    }
    out += paint(p.style == Inline::code ? Tone::cyan : p.style == Inline::bold ? Tone::bold : Tone::plain, p.text);
  }
  return out;
}

// Wraps styled text: the first line starts with `first`, the others with `rest`.
std::string wrap_styled(std::string_view text, int width, const std::string& first, const std::string& rest,
                        const Painter& paint) {
  std::string out;
  std::string line;
  int used = 0;
  const std::string* prefix = &first;
  int room = std::max(width - width_of(first), 20);
  for (const auto& word : inline_words(text)) {
    std::string shown = paint_word(word, paint);
    int w = width_of(shown);
    if (used > 0 && used + 1 + w > room) {
      out += *prefix + line + "\n";
      prefix = &rest;
      room = std::max(width - width_of(rest), 20);
      line.clear();
      used = 0;
    }
    if (used > 0) {
      line += ' ';
      ++used;
    }
    line += shown;
    used += w;
  }
  if (used > 0) out += *prefix + line + "\n";
  return out;
}

// "- ", "* ", "1. ", "2) ": the marker as shown ("• " or "1. "), or nothing.
std::optional<std::pair<std::string, std::string_view>> list_marker(std::string_view line) {
  if (line.size() >= 2 && (line[0] == '-' || line[0] == '*') && line[1] == ' ') {
    return std::pair{std::string("• "), trim_left(line.substr(2))};
  }
  size_t digits = 0;
  while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) ++digits;
  if (digits > 0 && digits + 1 < line.size() && (line[digits] == '.' || line[digits] == ')') &&
      line[digits + 1] == ' ') {
    return std::pair{std::string(line.substr(0, digits + 1)) + " ", trim_left(line.substr(digits + 2))};
  }
  return std::nullopt;
}

// --- code highlighting ---

bool is_yaml_constant(std::string_view v) {
  static const std::set<std::string_view> kWords = {"true", "false", "null", "~", "yes", "no", "True", "False"};
  if (kWords.count(v)) return true;
  if (v.empty()) return false;
  size_t i = (v[0] == '-' || v[0] == '+') ? 1 : 0;
  if (i >= v.size()) return false;
  return std::all_of(v.begin() + static_cast<std::ptrdiff_t>(i), v.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '_'; });
}

// Position of the first `#` that starts a comment (at the start or after a blank, outside
// quotes), or npos.
size_t comment_start(std::string_view s) {
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == '\\' && quote == '"') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::string highlight_yaml(std::string_view line, const Painter& paint) {
  size_t indent = line.find_first_not_of(' ');
  if (indent == std::string_view::npos) return std::string(line);
  std::string out(line.substr(0, indent));
  std::string_view rest = line.substr(indent);
  if (rest[0] == '#') return out + paint(Tone::dim, rest);
  while (rest.size() >= 2 && rest[0] == '-' && rest[1] == ' ') {
    out += paint(Tone::magenta, "-") + " ";
    rest.remove_prefix(2);
  }
  if (rest == "-") return out + paint(Tone::magenta, "-");
  size_t comment = comment_start(rest);
  std::string_view code = rest.substr(0, comment);
  std::string_view note = comment == std::string_view::npos ? std::string_view() : rest.substr(comment);
  // A key is text before the first ": " (or a final ':') outside quotes.
  size_t colon = std::string_view::npos;
  size_t key_end = 0;  // a quoted key ends at its closing quote
  if (code[0] == '"' || code[0] == '\'') {
    key_end = code.find(code[0], 1);
    if (key_end == std::string_view::npos) key_end = code.size();
  }
  if (code[0] != '[' && code[0] != '{') {
    for (size_t i = key_end; i < code.size(); ++i) {
      if (code[i] == ':' && (i + 1 == code.size() || code[i + 1] == ' ')) {
        colon = i;
        break;
      }
    }
  }
  std::string_view value = code;
  if (colon != std::string_view::npos) {
    out += paint(Tone::cyan, code.substr(0, colon)) + ":";
    value = code.substr(colon + 1);
  }
  size_t start = value.find_first_not_of(' ');
  if (start != std::string_view::npos) {
    out += std::string(value.substr(0, start));
    std::string_view v = value.substr(start);
    size_t end = v.find_last_not_of(' ');
    std::string_view trailing = v.substr(end + 1);
    v = v.substr(0, end + 1);
    Tone tone = Tone::green;
    if (v == "|" || v == ">" || v == "|-" || v == ">-" || v == "|+" || v == "{}" || v == "[]") {
      tone = Tone::dim;
    } else if (is_yaml_constant(v)) {
      tone = Tone::magenta;
    }
    out += paint(tone, v) + std::string(trailing);
  } else {
    out += std::string(value);
  }
  if (!note.empty()) out += paint(Tone::dim, note);
  return out;
}

std::string highlight_shell(std::string_view line, const Painter& paint) {
  std::string out;
  bool expect_command = true;
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t') {
      out += c;
      ++i;
      continue;
    }
    if (c == '#') {
      out += paint(Tone::dim, line.substr(i));
      break;
    }
    size_t start = i;
    if (c == '"' || c == '\'') {
      ++i;
      while (i < line.size() && line[i] != c) i += (line[i] == '\\' && c == '"') ? 2 : 1;
      i = std::min(i + 1, line.size());
      out += paint(Tone::yellow, line.substr(start, i - start));
      expect_command = false;
      continue;
    }
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    std::string_view token = line.substr(start, i - start);
    static const std::set<std::string_view> kSeparators = {"|", "||", "&&", ";", "&", "$("};
    static const std::set<std::string_view> kRedirects = {">", ">>", "<", "2>", "2>&1", "&>"};
    if (kSeparators.count(token)) {
      out += paint(Tone::dim, token);
      expect_command = true;
    } else if (kRedirects.count(token)) {
      out += paint(Tone::dim, token);
    } else if (expect_command && token.find('=') == std::string_view::npos) {
      out += paint(Tone::green, token);
      expect_command = token == "sudo" || token == "env" || token == "exec" || token == "time";
    } else if (token[0] == '-') {
      out += paint(Tone::cyan, token);
    } else if (token.find('$') != std::string_view::npos) {
      out += paint(Tone::magenta, token);
    } else {
      out += std::string(token);
    }
  }
  return out;
}

std::string highlight_python(std::string_view line, const Painter& paint) {
  static const std::set<std::string_view> kKeywords = {"and",   "as",   "class", "def",   "elif",   "else",   "except",
                                                       "False", "for",  "from",  "if",    "import", "in",     "is",
                                                       "None",  "not",  "or",    "pass",  "raise",  "return", "True",
                                                       "try",   "with", "while", "yield", "lambda", "self"};
  std::string out;
  bool name_next = false;
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == '#') {
      out += paint(Tone::dim, line.substr(i));
      break;
    }
    if (c == '"' || c == '\'') {
      size_t start = i++;
      while (i < line.size() && line[i] != c) i += line[i] == '\\' ? 2 : 1;
      i = std::min(i + 1, line.size());
      out += paint(Tone::yellow, line.substr(start, i - start));
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = i;
      while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_')) ++i;
      std::string_view word = line.substr(start, i - start);
      if (name_next) {
        out += paint(Tone::bold, word);
        name_next = false;
      } else if (kKeywords.count(word)) {
        out += paint(Tone::magenta, word);
        name_next = word == "def" || word == "class";
      } else {
        out += std::string(word);
      }
      continue;
    }
    if (c == '@' && trim_left(line).data() == line.data() + i) {
      out += paint(Tone::cyan, line.substr(i));
      break;
    }
    out += c;
    ++i;
  }
  return out;
}

std::string highlight_toml(std::string_view line, const Painter& paint) {
  std::string_view t = trim_left(line);
  std::string indent(line.substr(0, line.size() - t.size()));
  if (t.empty()) return std::string(line);
  if (t[0] == '#') return indent + paint(Tone::dim, t);
  if (t[0] == '[') return indent + paint(Tone::bold, t);
  size_t comment = comment_start(t);
  std::string_view code = t.substr(0, comment);
  std::string note = comment == std::string_view::npos ? "" : paint(Tone::dim, t.substr(comment));
  size_t eq = code.find(" = ");
  if (eq == std::string_view::npos) return indent + std::string(code) + note;
  std::string_view value = code.substr(eq + 3);
  Tone tone = (!value.empty() && (value[0] == '"' || value[0] == '\'')) ? Tone::green : Tone::magenta;
  if (!value.empty() && (value[0] == '{' || value[0] == '[')) tone = Tone::plain;
  return indent + paint(Tone::cyan, code.substr(0, eq)) + " = " + paint(tone, value) + note;
}

std::string language_of(std::string_view key) {
  std::string k(key);
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
  if (k == "yaml" || k == "yml") return "yaml";
  if (k == "shell" || k == "sh" || k == "bash" || k == "console" || k == "zsh" || k == "command") return "shell";
  if (k == "python" || k == "py") return "python";
  if (k == "toml") return "toml";
  return "text";
}

// --- sections ---

std::string text_of(const ordered_json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const auto& item : v) out += "- " + text_of(item) + "\n";
    return out;
  }
  return v.dump();
}

bool is_empty_value(const ordered_json& v) {
  return v.is_null() || ((v.is_string() || v.is_array() || v.is_object()) && v.empty());
}

std::vector<std::string> string_items(const ordered_json& v) {
  std::vector<std::string> items;
  if (v.is_array()) {
    for (const auto& item : v) items.push_back(item.is_string() ? item.get<std::string>() : item.dump());
  } else if (!is_empty_value(v)) {
    items.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  }
  return items;
}

std::string render_examples(const ordered_json& v, int indent, int width, const Painter& paint) {
  std::vector<std::string> blocks;
  ordered_json items = v.is_array() ? v : ordered_json::array({v});
  for (const auto& item : items) {
    if (item.is_string()) {
      blocks.push_back(render_code(item.get<std::string>(), "yaml", indent, paint));
      continue;
    }
    if (!item.is_object()) continue;
    std::string block;
    for (const auto& [key, value] : item.items()) {
      if (!value.is_string()) continue;
      if (key == "title" || key == "description" || key == "name") {
        block += wrap_styled(value.get<std::string>(), width, pad(indent), pad(indent), paint);
      } else {
        block += render_code(value.get<std::string>(), language_of(key), indent, paint);
      }
    }
    if (!block.empty()) blocks.push_back(block);
  }
  std::string out;
  for (size_t i = 0; i < blocks.size(); ++i) out += (i ? "\n" : "") + blocks[i];
  return out;
}

std::string render_bullets(const std::vector<std::string>& items, Tone tone, int indent, const Painter& paint) {
  std::string out;
  for (const auto& item : items) out += pad(indent) + paint(Tone::dim, "•") + " " + paint(tone, item) + "\n";
  return out;
}

std::string render_box(const std::string& title, std::string_view text, int width, const Painter& paint) {
  int box = std::max(std::min(width, kMaxWidth), 30);
  int inner = box - 4;
  std::string body = render_markdown(text, inner, 0, paint);
  std::string out = paint(Tone::yellow, "┌─ ") + paint(Tone::bold, title) + " " +
                    paint(Tone::yellow, repeat("─", box - 5 - width_of(title)) + "┐") + "\n";
  auto lines = lines_with_last(body);
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  for (auto line : lines) {
    out += paint(Tone::yellow, "│") + " " + std::string(line) + pad(inner - width_of(line)) + " " +
           paint(Tone::yellow, "│") + "\n";
  }
  out += paint(Tone::yellow, "└" + repeat("─", box - 2) + "┘") + "\n";
  return out;
}

struct SectionSpec {
  const char* key;
  const char* title;
};

constexpr SectionSpec kSections[] = {
    {"what", "What it does"},
    {"technical", "Technical details"},
    {"why", "Why use it"},
    {"how", "How it works"},
    {"validation", "Validation"},
    {"examples", "Examples"},
    {"equivalent", "Equivalent commands"},
    {"files", "Related files"},
    {"commands", "Related commands"},
    {"learn_more", "Learn more"},
};

}  // namespace

const std::vector<std::string>& keys_for_details(std::string_view details) {
  static const std::vector<std::string> kBasic = {"concept", "what", "why", "how", "examples", "security"};
  static const std::vector<std::string> kIntermediate = {"concept",  "what",       "why",      "how",
                                                         "commands", "equivalent", "examples", "security"};
  static const std::vector<std::string> kAdvanced = {"concept", "what",       "technical",  "why",
                                                     "how",     "validation", "examples",   "equivalent",
                                                     "files",   "commands",   "learn_more", "security"};
  if (details == "advanced") return kAdvanced;
  if (details == "intermediate") return kIntermediate;
  return kBasic;
}

std::vector<std::string> wrap_text(std::string_view text, int width) {
  std::vector<std::string> lines;
  const std::string wrapped = wrap_styled(text, width, "", "", Painter(false));
  for (auto line : lines_with_last(wrapped)) {
    if (!line.empty()) lines.emplace_back(line);
  }
  return lines;
}

std::string render_code(std::string_view code, std::string_view language, int indent, const Painter& paint) {
  auto lines = lines_with_last(code);
  while (!lines.empty() && trim_left(lines.back()).empty()) lines.pop_back();
  size_t first = 0;
  while (first < lines.size() && trim_left(lines[first]).empty()) ++first;
  std::string lang = language_of(language);
  std::string out;
  for (size_t i = first; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    std::string shown = lang == "yaml"     ? highlight_yaml(line, paint)
                        : lang == "shell"  ? highlight_shell(line, paint)
                        : lang == "python" ? highlight_python(line, paint)
                        : lang == "toml"   ? highlight_toml(line, paint)
                                           : std::string(line);
    out += (line.empty() ? "" : pad(indent)) + shown + "\n";
  }
  return out;
}

std::string render_markdown(std::string_view text, int width, int indent, const Painter& paint) {
  std::string out;
  std::string paragraph;
  std::optional<std::pair<std::string, std::string>> item;  // marker, text
  bool gap = false;
  auto start_block = [&] {
    if (gap && !out.empty()) out += "\n";
    gap = false;
  };
  auto flush = [&] {
    if (!paragraph.empty()) {
      start_block();
      out += wrap_styled(paragraph, width, pad(indent), pad(indent), paint);
      paragraph.clear();
    }
    if (item) {
      start_block();
      out += wrap_styled(item->second, width, pad(indent) + paint(Tone::dim, item->first),
                         pad(indent + width_of(item->first)), paint);
      item.reset();
    }
  };
  auto lines = lines_with_last(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view t = trim_left(lines[i]);
    if (t.substr(0, 3) == "```") {
      flush();
      std::string_view language = trim_left(t.substr(3));
      std::string code;
      size_t base = lines[i].size() - t.size();
      for (++i; i < lines.size() && trim_left(lines[i]).substr(0, 3) != "```"; ++i) {
        // Drop the fence's own indentation, keep the code's.
        std::string_view line = lines[i];
        size_t blanks = std::min(line.find_first_not_of(' '), line.size());
        code += std::string(line.substr(std::min(base, blanks))) + "\n";
      }
      start_block();
      out += render_code(code, language, indent + 2, paint);
      continue;
    }
    if (t.empty()) {
      flush();
      gap = true;
      continue;
    }
    if (auto marker = list_marker(t)) {
      flush();
      item = std::pair{marker->first, std::string(marker->second)};
      continue;
    }
    if (t[0] == '#') {
      flush();
      start_block();
      out += pad(indent) + paint(Tone::bold, trim_left(t.substr(t.find_first_not_of('#')))) + "\n";
      continue;
    }
    std::string& target = item ? item->second : paragraph;
    target += (target.empty() ? "" : " ") + std::string(t);
  }
  flush();
  return out;
}

namespace {

// Explanations are plugin text: every string shown with its control characters escaped (its
// lines kept), so a plugin cannot rewrite the terminal through `chaos explain`.
ordered_json escaped_content(const ordered_json& v) {
  if (v.is_string()) return visible_lines(v.get_ref<const std::string&>());
  if (v.is_array()) {
    ordered_json out = ordered_json::array();
    for (const auto& item : v) out.push_back(escaped_content(item));
    return out;
  }
  if (v.is_object()) {
    ordered_json out = ordered_json::object();
    for (const auto& [key, item] : v.items()) out[visible(key)] = escaped_content(item);
    return out;
  }
  return v;
}

Explanation escaped(const Explanation& e) {
  Explanation out = e;
  out.query.text = visible(e.query.text);
  out.query.topic = visible(e.query.topic);
  out.origin = visible(e.origin);
  for (auto& sub : out.subtopics) sub = visible(sub);
  out.content = escaped_content(e.content);
  return out;
}

}  // namespace

std::string render_explanation(const Explanation& raw, const RenderOptions& options, const Painter& paint) {
  const Explanation e = escaped(raw);
  const int width = std::max(std::min(options.width, kMaxWidth), 40);
  const auto& shown = keys_for_details(options.details);
  auto is_shown = [&](const std::string& key) {
    return std::find(shown.begin(), shown.end(), key) != shown.end() && e.content.contains(key) &&
           !is_empty_value(e.content[key]);
  };

  std::string origin = e.origin == "built-in" ? "built into chaos" : "from plugin " + e.origin;
  std::string out = paint(Tone::bold, e.query.text) + "  " +
                    paint(Tone::dim, origin + " · -d " + options.details + " · -c " + options.complexity) + "\n";
  out += paint(Tone::dim, repeat("─", width)) + "\n";
  bool any = false;
  if (is_shown("concept")) {
    out += "\n" + paint(Tone::bold, text_of(e.content["concept"])) + "\n";
    any = true;
  }
  for (const auto& spec : kSections) {
    if (!is_shown(spec.key)) continue;
    any = true;
    const ordered_json& value = e.content[spec.key];
    out += "\n" + paint(Tone::yellow, spec.title) + "\n";
    std::string key = spec.key;
    if (key == "validation") {
      out += render_code(text_of(value), "shell", 4, paint);
    } else if (key == "examples") {
      out += render_examples(value, 4, width, paint);
    } else if (key == "equivalent") {
      std::string block;
      for (const auto& item : string_items(value)) block += item + (item.back() == '\n' ? "" : "\n");
      out += render_code(block, "shell", 4, paint);
    } else if (key == "files") {
      out += render_bullets(string_items(value), Tone::green, 2, paint);
    } else if (key == "commands") {
      out += render_bullets(string_items(value), Tone::cyan, 2, paint);
    } else if (key == "learn_more") {
      out += render_bullets(string_items(value), Tone::blue, 2, paint);
    } else {
      out += render_markdown(text_of(value), width, 2, paint);
    }
  }
  if (is_shown("security")) {
    any = true;
    out += "\n" + render_box("Security", text_of(e.content["security"]), width, paint);
  }

  std::vector<std::string> hidden;
  bool needs_advanced = false;
  const auto& intermediate = keys_for_details("intermediate");
  for (const auto& key : keys_for_details("advanced")) {
    if (is_shown(key) || !e.content.contains(key) || is_empty_value(e.content[key])) continue;
    hidden.push_back(key);
    if (std::find(intermediate.begin(), intermediate.end(), key) == intermediate.end()) needs_advanced = true;
  }
  if (!any) out += "\n" + paint(Tone::dim, "Nothing to show at -d " + options.details + ".") + "\n";
  if (!hidden.empty()) {
    const std::string list = join(hidden);
    out += "\n" +
           paint(Tone::dim,
                 "More with -d " + std::string(needs_advanced ? "advanced" : "intermediate") + ": " + list + ".") +
           "\n";
  } else if (!any) {
    out += paint(Tone::dim, "Use -n to see the raw data.") + "\n";
  }
  return out;
}

std::string render_subtopic_list(const Explanation& raw, const Painter& paint) {
  const Explanation e = escaped(raw);
  std::string origin = e.origin == "built-in" ? "built into chaos" : "from plugin " + e.origin;
  std::string out = paint(Tone::bold, "Sub-topics of " + e.query.topic) + "  " + paint(Tone::dim, origin) + "\n";
  if (e.subtopics.empty()) return out + "  " + paint(Tone::dim, "(none)") + "\n";
  for (const auto& sub : e.subtopics) out += "  " + paint(Tone::cyan, sub) + "\n";
  out += paint(Tone::dim, "Read one with `chaos explain " + e.query.topic + ".SUBTOPIC`.") + "\n";
  return out;
}

}  // namespace chaos
