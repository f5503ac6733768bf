#include "util/yaml_edit.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <sstream>

#include "util/position.h"
#include "util/text.h"
#include "util/utf8.h"
#include "util/yaml_text.h"

namespace chaos {
namespace {

constexpr size_t npos = std::string_view::npos;
// config.yml and .sops.yaml are a few kilobytes; the bound keeps a hostile file from costing much.
constexpr size_t kMaxDocumentBytes = size_t{4} << 20;
// Deep enough for any configuration; bounds the recursion of copying and comparing trees.
constexpr size_t kMaxDepth = 64;
constexpr std::string_view kBom = "\xef\xbb\xbf";
constexpr const char* kHandEditHint = "edit the file by hand";
constexpr const char* kBugHint = "this is a bug in chaos; the file was left as it was: edit it by hand";

// ---------------------------------------------------------------------------------------------
// The document as yaml-cpp reads it, built from parser events: unlike YAML::Node, events say
// where every node starts, whether a collection is flow or block, and which nodes carry anchors.

enum class Kind { null, scalar, seq, map, alias };

struct Node {
  Kind kind = Kind::null;
  YAML::Mark mark;
  bool flow = false;
  bool anchored = false;
  std::string tag;
  std::string value;           // a scalar's text; an alias's anchor number
  std::vector<Node> children;  // a list's items; a mapping's keys and values, alternating
  // Only on expected values: a comma-separated string is compared by its items, since a block
  // scalar's line folding and chomping decide the exact string.
  bool compare_as_csv = false;
  std::vector<std::string> csv;
};

class TreeBuilder : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents == 2) second_document = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { add(leaf(Kind::null, mark, anchor)); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node n = leaf(Kind::alias, mark, 0);
    n.value = std::to_string(anchor);
    add(std::move(n));
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Node n = leaf(Kind::scalar, mark, anchor);
    n.tag = tag;
    n.value = value;
    add(std::move(n));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    open(Kind::seq, mark, tag, anchor, style);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    open(Kind::map, mark, tag, anchor, style);
  }
  void OnMapEnd() override { close(); }

  int documents = 0;
  YAML::Mark second_document;
  std::optional<Node> root;

 private:
  static Node leaf(Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    Node n;
    n.kind = kind;
    n.mark = mark;
    n.anchored = anchor != 0;
    return n;
  }
  void open(Kind kind, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
            YAML::EmitterStyle::value style) {
    if (open_.size() >= kMaxDepth) throw YAML::ParserException(mark, "nested too deeply to edit");
    Node n = leaf(kind, mark, anchor);
    n.tag = tag;
    n.flow = style == YAML::EmitterStyle::Flow;
    open_.push_back(std::move(n));
  }
  void close() {
    Node n = std::move(open_.back());
    open_.pop_back();
    add(std::move(n));
  }
  void add(Node n) {
    if (!open_.empty()) {
      open_.back().children.push_back(std::move(n));
    } else if (documents == 1) {
      root = std::move(n);
    }
  }
  std::vector<Node> open_;
};

// The document's tree; an empty document (nothing or only comments) is a null root.
Result<Node> parse_tree(std::string_view text, const std::string& source) {
  std::istringstream in{std::string(text)};
  TreeBuilder builder;
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
      if (builder.documents > 1) {
        return Error("the file holds more than one YAML document; only a single document can be edited",
                     format_position(source, builder.second_document), kHandEditHint);
      }
    }
  } catch (const YAML::Exception& e) {
    return Error("invalid YAML: " + e.msg, format_position(source, e.mark), "fix the file by hand first");
  } catch (const std::exception& e) {
    return Error(std::string("invalid YAML: ") + e.what(), source, "fix the file by hand first");
  }
  if (!builder.root) return Node{};
  return std::move(*builder.root);
}

bool same_tree(const Node& expected, const Node& actual) {
  if (expected.compare_as_csv) return false;  // handled by the caller's csv rule below
  if (expected.kind != actual.kind || expected.anchored != actual.anchored) return false;
  if (expected.kind == Kind::scalar && (expected.tag != actual.tag || expected.value != actual.value)) return false;
  if (expected.kind == Kind::alias && expected.value != actual.value) return false;
  if (expected.children.size() != actual.children.size()) return false;
  for (size_t i = 0; i < expected.children.size(); ++i) {
    const Node& e = expected.children[i];
    if (e.compare_as_csv) {
      if (actual.children[i].kind != Kind::scalar) return false;
      continue;  // the csv items are checked at the edited path
    }
    if (!same_tree(e, actual.children[i])) return false;
  }
  return true;
}

bool contains_anchor_or_alias(const Node& node) {
  if (node.anchored || node.kind == Kind::alias) return true;
  return std::any_of(node.children.begin(), node.children.end(), contains_anchor_or_alias);
}

// ---------------------------------------------------------------------------------------------
// Comma-separated strings (sops: `age: "age1..,age1.."`).

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\n");
  if (b == npos) return {};
  size_t e = s.find_last_not_of(" \t\n");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_csv(std::string_view s) {
  std::vector<std::string> items;
  for (const auto& piece : split(s, ',')) {
    std::string item = trim(piece);
    if (!item.empty()) items.push_back(std::move(item));
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Quoting.

// The code point starting at s[i] (and its length), or -1 for a byte that starts no valid one.
long decode_utf8(std::string_view s, size_t i, size_t& length) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  length = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
  if (length == 0 || i + length > s.size() || !is_valid_utf8(s.substr(i, length))) {
    length = 1;
    return -1;
  }
  long cp = length == 1 ? c : c & (0x3f >> (length - 1));
  for (size_t k = 1; k < length; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  return cp;
}

// Code points a reader may take for a line break or drop: never written raw.
bool needs_escape(long cp) {
  return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff;
}

std::string hex(long cp, int digits) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, cp >>= 4) out[static_cast<size_t>(i)] = kDigits[cp & 0xf];
  return out;
}

std::string double_quoted(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    size_t length = 1;
    long cp = decode_utf8(s, i, length);
    if (cp == '"' || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp >= 0 && needs_escape(cp)) {
      out += cp < 0x100 ? "\\x" + hex(cp, 2) : "\\u" + hex(cp, 4);
    } else {
      out += s.substr(i, length);
    }
    i += length;
  }
  return out + "\"";
}

bool plain_is_safe(std::string_view s, bool in_flow) {
  if (yaml_string(s) != s) return false;
  if (in_flow && s.find_first_of(",[]{}:#") != npos) return false;
  for (size_t i = 0; i < s.size();) {
    size_t length = 1;
    long cp = decode_utf8(s, i, length);
    if (cp < 0 || needs_escape(cp)) return false;
    i += length;
  }
  return true;
}

std::string single_quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string yaml_quote(std::string_view text, bool in_flow) {
  return plain_is_safe(text, in_flow) ? std::string(text) : double_quoted(text);
}

std::string format_yaml_path(const YamlPath& path) {
  std::string out;
  for (const auto& step : path) {
    if (step.is_index) {
      out += "[" + std::to_string(step.index) + "]";
      continue;
    }
    if (!out.empty()) out += '.';
    bool plain = !step.key.empty() && step.key.find_first_of(".[]\" ") == npos;
    out += plain ? step.key : double_quoted(step.key);
  }
  return out;
}

namespace {

// ---------------------------------------------------------------------------------------------
// The text: lines, indentation, and where scalars and flow collections end.

struct Span {
  size_t begin = npos;
  size_t end = npos;
  bool empty() const { return begin == npos; }
};

struct Splice {
  size_t begin;
  size_t end;
  std::string text;
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

class Doc {
 public:
  Doc(std::string_view text, const std::string& source) : t(text), source(source) {}

  std::string_view t;
  const std::string& source;

  size_t line_start(size_t p) const {
    p = std::min(p, t.size());
    if (p == 0) return 0;
    size_t nl = t.rfind('\n', p - 1);
    return nl == npos ? 0 : nl + 1;
  }
  size_t line_end(size_t p) const {
    size_t nl = t.find('\n', std::min(p, t.size()));
    return nl == npos ? t.size() : nl;
  }
  size_t next_line(size_t p) const { return std::min(line_end(p) + 1, t.size()); }
  size_t column(size_t p) const { return p - line_start(p); }
  size_t indent(size_t ls) const {
    size_t p = ls;
    while (p < t.size() && t[p] == ' ') ++p;
    return p - ls;
  }
  bool blank_or_comment(size_t ls) const {
    size_t p = ls;
    while (p < t.size() && is_blank(t[p])) ++p;
    return p >= t.size() || t[p] == '\n' || t[p] == '#';
  }
  bool comment_starts(size_t p) const { return p == 0 || is_blank(t[p - 1]) || t[p - 1] == '\n'; }
  std::string where(size_t p) const {
    p = std::min(p, t.size());
    int64_t line = std::count(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(p), '\n') + 1;
    return format_position(source, line, static_cast<int64_t>(column(p)) + 1);
  }
  Error error_at(size_t p, std::string message, std::string hint = kHandEditHint) const {
    return Error(std::move(message), where(p), std::move(hint));
  }
  Error error_at(const Node& node, std::string message, std::string hint = kHandEditHint) const {
    return Error(std::move(message), format_position(source, node.mark), std::move(hint));
  }
  bool same_line(size_t a, size_t b) const { return line_start(a) == line_start(b); }

  // The end of the last line in [begin, end) holding more than blanks and a comment: a node's
  // text ends there, and comments after it stay with what follows.
  size_t content_end(size_t begin, size_t end) const {
    size_t ls = line_start(end == 0 ? 0 : end - 1);
    while (ls > begin) {
      if (!blank_or_comment(ls)) return line_end(ls);
      ls = line_start(ls - 1);
    }
    return line_end(begin);
  }

  // After the closing quote of the quoted scalar at `p`, or npos.
  size_t quoted_end(size_t p, size_t limit) const {
    char q = t[p];
    for (size_t i = p + 1; i < limit; ++i) {
      if (q == '"' && t[i] == '\\') {
        ++i;
      } else if (t[i] == q) {
        if (q == '\'' && i + 1 < limit && t[i + 1] == '\'') {
          ++i;
        } else {
          return i + 1;
        }
      }
    }
    return npos;
  }

  // The end of a plain scalar's text on the line from `p`: before a comment and trailing blanks.
  size_t plain_line_end(size_t p) const {
    size_t le = line_end(p);
    size_t end = le;
    for (size_t i = p; i < le; ++i) {
      if (t[i] == '#' && i > p && is_blank(t[i - 1])) {
        end = i;
        break;
      }
    }
    while (end > p && is_blank(t[end - 1])) --end;
    return end;
  }

  // The end of the block scalar (`|`, `>`) whose header is at `p`: its content is the lines
  // indented deeper than `owner_col`.
  size_t block_scalar_end(size_t p, long owner_col, size_t limit) const {
    size_t last = line_end(p);
    for (size_t ls = next_line(p); ls < limit && ls > p; ls = next_line(ls)) {
      if (line_end(ls) == ls + indent(ls)) continue;  // blank
      if (static_cast<long>(indent(ls)) <= owner_col) break;
      last = line_end(ls);
      if (last >= t.size()) break;
    }
    return std::min(last, limit);
  }

  // The end of the scalar starting at `p` (a value whose key or dash is at `owner_col`), or npos.
  size_t scalar_end(size_t p, long owner_col, size_t limit) const {
    char c = t[p];
    if (c == '"' || c == '\'') return quoted_end(p, limit);
    if (c == '|' || c == '>') return block_scalar_end(p, owner_col, limit);
    size_t last = plain_line_end(p);
    for (size_t ls = next_line(p); ls < limit && ls > p; ls = next_line(ls)) {
      size_t first = ls + indent(ls);
      if (first >= t.size()) break;
      if (t[first] == '\n') continue;
      if (t[first] == '#' || static_cast<long>(indent(ls)) <= owner_col) break;
      last = plain_line_end(first);
      if (plain_line_end(first) < line_end(first)) break;  // a comment ends the scalar
    }
    return last;
  }

  size_t flow_end(size_t open, size_t limit, std::vector<Span>* items) const;
};

// After the bracket closing the flow collection opened at `open` (npos when it does not close
// before `limit`); for a list, `items` receives each item's text without blanks and comments
// (an empty span for nothing between two commas or brackets).
size_t Doc::flow_end(size_t open, size_t limit, std::vector<Span>* items) const {
  int depth = 0;
  char previous = '[';
  Span item;
  auto mark = [&](size_t b, size_t e) {
    if (item.empty()) item.begin = b;
    item.end = e;
  };
  for (size_t p = open; p < limit; ++p) {
    char c = t[p];
    if (c == ' ' || c == '\t' || c == '\n') continue;
    if (c == '#' && comment_starts(p)) {
      p = line_end(p) - 1;
      continue;
    }
    if ((c == '"' || c == '\'') && std::string_view("[{,:").find(previous) != npos) {
      size_t e = quoted_end(p, limit);
      if (e == npos) return npos;
      mark(p, e);
      previous = c;
      p = e - 1;
      continue;
    }
    previous = c;
    if (c == '[' || c == '{') {
      if (depth++ >= 1) mark(p, p + 1);
    } else if ((c == ']' || c == '}') && --depth == 0) {
      if (items) items->push_back(item);
      return p + 1;
    } else if (c == ',' && depth == 1) {
      if (items) items->push_back(item);
      item = Span{};
    } else {
      mark(p, p + 1);
    }
  }
  return npos;
}

// ---------------------------------------------------------------------------------------------
// Where values are: slots, mapping entries, list items, and the text of a value.

// Where a value lives: the document itself, a mapping entry (after `key:`) or a list item
// (after `-`). The value's text lies in [region_begin, region_end), which runs up to the line of
// the next sibling; comments and blank lines at its end belong to what follows.
struct Slot {
  const Node* value = nullptr;
  bool is_root = false;
  bool is_item = false;
  size_t lead = npos;   // after the ':' or '-': where a value on the same line starts
  long owner_col = -1;  // the key's or dash's column: the value's lines are indented deeper
  size_t region_begin = 0;
  size_t region_end = 0;
};

struct Entry {
  const Node* key = nullptr;
  size_t key_pos = 0;
  Slot slot;
};

std::string pad(size_t n) { return std::string(n, ' '); }

std::string named(const YamlPath& path, size_t steps) {
  if (steps == 0) return "the document";
  return "`" + format_yaml_path(YamlPath(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(steps))) + "`";
}

std::string describe(const Node& node) {
  switch (node.kind) {
    case Kind::null:
      return "empty";
    case Kind::scalar:
      return "a scalar";
    case Kind::seq:
      return "a list";
    case Kind::map:
      return "a mapping";
    case Kind::alias:
      return "an alias";
  }
  return "a node";
}

bool matches(const Node& node, std::string_view item) { return node.kind == Kind::scalar && node.value == item; }

// The ':' after the key written at `k`, or npos.
size_t find_colon(const Doc& d, size_t k, size_t limit) {
  size_t p = k;
  if (d.t[k] == '"' || d.t[k] == '\'') {
    p = d.quoted_end(k, limit);
    if (p == npos) return npos;
    while (p < limit && is_blank(d.t[p])) ++p;
    return p < limit && d.t[p] == ':' ? p : npos;
  }
  if (std::string_view("?&!*[{").find(d.t[k]) != npos) return npos;
  size_t le = std::min(d.line_end(k), limit);
  for (; p < le; ++p) {
    if (d.t[p] == '#' && p > k && is_blank(d.t[p - 1])) return npos;
    if (d.t[p] == ':' && (p + 1 >= d.t.size() || is_blank(d.t[p + 1]) || d.t[p + 1] == '\n')) return p;
  }
  return npos;
}

// The entries of the block mapping in `slot`; `lead` stays npos for a key that is not a plain or
// quoted scalar followed by ':' (such entries can be passed over, not edited).
Result<std::vector<Entry>> map_entries(const Doc& d, const Slot& slot) {
  const Node& map = *slot.value;
  std::vector<Entry> entries;
  size_t n = map.children.size() / 2;
  for (size_t i = 0; i < n; ++i) {
    const Node& key = map.children[2 * i];
    size_t k = key.mark.pos;
    if (k < slot.region_begin || k >= slot.region_end || (i > 0 && k <= entries.back().key_pos)) {
      return d.error_at(key, "cannot locate this key in the text", kBugHint);
    }
    entries.push_back(Entry{&key, k, Slot{}});
  }
  for (size_t i = 0; i < n; ++i) {
    Slot& s = entries[i].slot;
    s.value = &map.children[2 * i + 1];
    s.owner_col = static_cast<long>(d.column(entries[i].key_pos));
    s.region_begin = entries[i].key_pos;
    s.region_end = i + 1 < n ? d.line_start(entries[i + 1].key_pos) : slot.region_end;
    if (entries[i].key->kind == Kind::scalar && !entries[i].key->anchored) {
      size_t colon = find_colon(d, entries[i].key_pos, s.region_end);
      if (colon != npos) s.lead = colon + 1;
    }
  }
  return entries;
}

bool dash_at(const Doc& d, size_t p) {
  return p < d.t.size() && d.t[p] == '-' && (p + 1 >= d.t.size() || is_blank(d.t[p + 1]) || d.t[p + 1] == '\n');
}

// The items of the block list in `slot`: each starts at a '-' in the list's column.
Result<std::vector<Slot>> seq_items(const Doc& d, const Slot& slot) {
  const Node& seq = *slot.value;
  size_t first = seq.mark.pos;
  if (!dash_at(d, first)) return d.error_at(seq, "cannot locate this list in the text", kBugHint);
  size_t col = d.column(first);
  std::vector<size_t> dashes{first};
  for (size_t ls = d.next_line(first); ls < slot.region_end && ls > first; ls = d.next_line(ls)) {
    if (d.indent(ls) == col && dash_at(d, ls + col)) dashes.push_back(ls + col);
    if (d.line_end(ls) >= d.t.size()) break;
  }
  if (dashes.size() != seq.children.size()) {
    return d.error_at(seq, "cannot locate the items of this list in the text", kHandEditHint);
  }
  std::vector<Slot> items;
  for (size_t j = 0; j < dashes.size(); ++j) {
    Slot s;
    s.value = &seq.children[j];
    s.is_item = true;
    s.lead = dashes[j] + 1;
    s.owner_col = static_cast<long>(col);
    s.region_begin = dashes[j];
    s.region_end = j + 1 < dashes.size() ? d.line_start(dashes[j + 1]) : slot.region_end;
    size_t p = s.value->mark.pos;
    if (s.value->kind != Kind::null && (p <= dashes[j] || p >= s.region_end)) {
      return d.error_at(*s.value, "cannot locate this list item in the text", kHandEditHint);
    }
    items.push_back(s);
  }
  return items;
}

// Where the text of the value in `slot` ends: at its last line that is not blank or a comment,
// unless it ends in a block scalar (`|`, `>`), whose content may look like a comment.
size_t text_end(const Doc& d, const Slot& slot, size_t depth = 0) {
  size_t end = d.content_end(slot.region_begin, slot.region_end);
  const Node& v = *slot.value;
  if (depth > kMaxDepth || v.flow) return end;
  if (v.kind == Kind::scalar) {
    size_t p = v.mark.pos;
    bool block = p >= slot.region_begin && p < slot.region_end && (d.t[p] == '|' || d.t[p] == '>');
    return block ? std::max(end, d.block_scalar_end(p, slot.owner_col, slot.region_end)) : end;
  }
  std::optional<Slot> last;
  if (v.kind == Kind::map) {
    auto entries = map_entries(d, slot);
    if (entries && !entries->empty()) last = entries->back().slot;
  } else if (v.kind == Kind::seq) {
    auto items = seq_items(d, slot);
    if (items && !items->empty()) last = items->back();
  }
  return last ? std::max(end, text_end(d, *last, depth + 1)) : end;
}

// The text of a value: [begin, end). `inline_value` when it is written whole on the line of its
// key or dash (a plain or quoted scalar, a flow collection, or nothing).
struct Extent {
  size_t begin = 0;
  size_t end = 0;
  bool inline_value = true;
};

size_t explicit_null_length(const Doc& d, size_t p) {
  for (std::string_view word : {"~", "null", "Null", "NULL"}) {
    if (d.t.substr(p, word.size()) != word) continue;
    size_t e = p + word.size();
    if (e >= d.t.size() || is_blank(d.t[e]) || d.t[e] == '\n') return word.size();
  }
  return 0;
}

Result<Extent> value_extent(const Doc& d, const Slot& slot) {
  const Node& v = *slot.value;
  size_t p = v.mark.pos;
  bool inside = p >= slot.lead && p < slot.region_end;
  if (v.kind == Kind::null) {
    size_t length = inside ? explicit_null_length(d, p) : 0;
    if (length > 0) return Extent{p, p + length, d.same_line(p, slot.lead)};
    return Extent{slot.lead, slot.lead, true};
  }
  if (!inside) return d.error_at(v, "cannot locate this value in the text", kBugHint);
  if (v.anchored || v.kind == Kind::alias || std::string_view("&*!").find(d.t[p]) != npos) {
    return d.error_at(v, "anchors, aliases and tags cannot be edited safely");
  }
  if (v.kind == Kind::scalar) {
    size_t end = d.scalar_end(p, slot.owner_col, slot.region_end);
    if (end == npos) return d.error_at(v, "cannot find the end of this value", kBugHint);
    bool block = d.t[p] == '|' || d.t[p] == '>';
    return Extent{p, end, !block && d.same_line(p, slot.lead)};
  }
  if (v.flow) {
    if (d.t[p] != '[' && d.t[p] != '{') return d.error_at(v, "cannot locate this value in the text", kBugHint);
    size_t end = d.flow_end(p, slot.region_end, nullptr);
    if (end == npos) return d.error_at(v, "cannot find the end of this flow collection", kHandEditHint);
    return Extent{p, end, d.same_line(p, slot.lead)};
  }
  return Extent{p, text_end(d, slot), false};
}

// A comment on the key's or dash's line after the value: kept when the value changes form.
std::optional<Span> lead_comment(const Doc& d, const Slot& slot, const Extent& x) {
  if (!x.inline_value && d.same_line(x.begin, slot.lead)) return std::nullopt;
  size_t le = d.line_end(slot.lead);
  size_t p = x.inline_value ? x.end : slot.lead;
  while (p < le && is_blank(d.t[p])) ++p;
  if (p < le && d.t[p] == '#') return Span{p, le};
  return std::nullopt;
}

// A new value's text: inline (` value` after the key) or block lines, already indented.
struct Rendered {
  bool block = false;
  std::string text;
};

Result<Splice> replace_value(const Doc& d, const Slot& slot, const Extent& x, const Rendered& r) {
  auto comment = lead_comment(d, slot, x);
  std::string kept = comment ? " " + std::string(d.t.substr(comment->begin, comment->end - comment->begin)) : "";
  bool on_lead_line = d.same_line(x.begin, slot.lead);
  if (!r.block) {
    if (x.begin == x.end) return Splice{slot.lead, slot.lead, " " + r.text};
    if (on_lead_line) return Splice{x.begin, x.end, r.text};
    return Splice{slot.lead, x.end, " " + r.text + kept};
  }
  if (slot.is_item) {
    return d.error_at(*slot.value, "a list or mapping cannot be written as a list item here");
  }
  const Node& v = *slot.value;
  if (!on_lead_line && (v.kind == Kind::seq || v.kind == Kind::map) && !v.flow) {
    return Splice{d.line_start(x.begin), x.end, r.text};
  }
  if (x.begin == x.end) return Splice{d.line_end(slot.lead), d.line_end(slot.lead), "\n" + r.text};
  size_t end = comment ? std::max(x.end, comment->end) : x.end;
  return Splice{slot.lead, end, kept + "\n" + r.text};
}

// ---------------------------------------------------------------------------------------------
// Following a path.

struct Resolved {
  Slot slot;         // the value after `found` steps
  size_t found = 0;  // less than asked when a key is missing or a value on the way is empty
};

// The entry for `key`; a key written twice is refused, since readers disagree on which one counts.
Result<std::vector<Entry>::const_iterator> find_entry(const Doc& d, const std::vector<Entry>& entries,
                                                      const std::string& key) {
  auto match = [&](const Entry& e) { return matches(*e.key, key); };
  auto it = std::find_if(entries.begin(), entries.end(), match);
  if (it != entries.end() && std::find_if(it + 1, entries.end(), match) != entries.end()) {
    return d.error_at(*it->key, "the key `" + key + "` is written more than once in this mapping",
                      "remove the duplicate by hand");
  }
  return it;
}

Result<Slot> step_index(const Doc& d, const Slot& slot, const YamlPath& path, size_t i) {
  const Node& v = *slot.value;
  if (v.kind != Kind::seq) {
    return d.error_at(v, named(path, i) + " is " + describe(v) + ", not a list: it has no item [" +
                             std::to_string(path[i].index) + "]");
  }
  if (v.flow) {
    return d.error_at(v, named(path, i) + " is a flow list ([...]): its items cannot be edited one by one",
                      "write it as a block list (one `- item` per line) or edit it by hand");
  }
  auto items = seq_items(d, slot);
  if (!items) return items.error();
  if (path[i].index >= items->size()) {
    return d.error_at(v, named(path, i) + " has " + std::to_string(items->size()) + " items: there is no item [" +
                             std::to_string(path[i].index) + "]");
  }
  return (*items)[path[i].index];
}

Result<Resolved> resolve(const Doc& d, const Slot& root, const YamlPath& path, size_t steps) {
  Resolved r{root, 0};
  for (; r.found < steps; ++r.found) {
    const YamlPathStep& step = path[r.found];
    const Node& v = *r.slot.value;
    if (v.anchored || v.kind == Kind::alias) {
      return d.error_at(v, named(path, r.found) + " is an anchor or an alias, which cannot be edited safely");
    }
    if (step.is_index) {
      auto item = step_index(d, r.slot, path, r.found);
      if (!item) return item.error();
      r.slot = *item;
      continue;
    }
    if (v.kind == Kind::null) return r;
    if (v.kind != Kind::map) {
      return d.error_at(v, named(path, r.found) + " is " + describe(v) + ": it has no key `" + step.key + "`");
    }
    if (v.flow) {
      return d.error_at(v, named(path, r.found) + " is a flow mapping ({...}), which cannot be edited",
                        "write it as a block mapping (one `key: value` per line) or edit it by hand");
    }
    auto entries = map_entries(d, r.slot);
    if (!entries) return entries.error();
    auto found = find_entry(d, *entries, step.key);
    if (!found) return found.error();
    auto it = *found;
    if (it == entries->end()) return r;
    if (it->slot.lead == npos) return d.error_at(*it->key, "cannot find the ':' after this key", kHandEditHint);
    r.slot = it->slot;
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// New values, and the document expected after an edit.

struct NewValue {
  bool is_list = false;
  bool flow = false;
  std::string scalar;              // as written
  std::vector<std::string> items;  // the strings: quoted when written
  Node node;                       // the scalar as it reads back

  bool block() const { return is_list && !flow && !items.empty(); }
  std::string inline_text() const {
    if (!is_list) return scalar;
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + yaml_quote(items[i], true);
    return out + "]";
  }
  Rendered render(size_t indent) const {
    if (!block()) return Rendered{false, inline_text()};
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) out += (i ? "\n" : "") + pad(indent) + "- " + yaml_quote(items[i]);
    return Rendered{true, out};
  }
};

Node string_node(const std::string& s, bool in_flow) {
  Node n;
  n.kind = Kind::scalar;
  n.tag = yaml_quote(s, in_flow) == s ? "?" : "!";
  n.value = s;
  return n;
}

Node expected_value(const NewValue& nv) {
  if (!nv.is_list) return nv.node;
  Node n;
  n.kind = Kind::seq;
  for (const auto& item : nv.items) n.children.push_back(string_node(item, nv.flow));
  return n;
}

Node* child(Node& map, const std::string& key) {
  for (size_t i = 0; i + 1 < map.children.size(); i += 2) {
    if (matches(map.children[i], key)) return &map.children[i + 1];
  }
  return nullptr;
}

// The node at the first `steps` steps of `path` in a copy of the document, created as the edit
// writes it when missing (resolve() has checked every step that exists).
Node& expected_at(Node& root, const YamlPath& path, size_t steps) {
  Node* cur = &root;
  for (size_t i = 0; i < steps; ++i) {
    if (path[i].is_index) {
      cur = &cur->children[path[i].index];
      continue;
    }
    if (cur->kind == Kind::null) {
      *cur = Node{};
      cur->kind = Kind::map;
    }
    Node* next = child(*cur, path[i].key);
    if (!next) {
      cur->children.push_back(string_node(path[i].key, false));
      cur->children.push_back(Node{});
      next = &cur->children.back();
    }
    cur = next;
  }
  return *cur;
}

const Node* lookup(const Node& root, const YamlPath& path) {
  const Node* cur = &root;
  for (const auto& step : path) {
    if (step.is_index) {
      if (cur->kind != Kind::seq || step.index >= cur->children.size()) return nullptr;
      cur = &cur->children[step.index];
      continue;
    }
    if (cur->kind != Kind::map) return nullptr;
    cur = child(const_cast<Node&>(*cur), step.key);
    if (!cur) return nullptr;
  }
  return cur;
}

// What an edit does: splices into the text, and the document it must read back as.
struct Plan {
  std::vector<Splice> splices;
  Node expected;
  std::optional<std::vector<std::string>> csv;  // the edited value, compared as comma-separated items
};

// ---------------------------------------------------------------------------------------------
// Setting a value.

std::string nested_keys(const YamlPath& path, size_t from, size_t indent, const NewValue& nv) {
  std::string out;
  for (size_t i = from; i < path.size(); ++i) {
    if (i > from) out += "\n";
    out += pad(indent + 2 * (i - from)) + yaml_quote(path[i].key) + ":";
  }
  Rendered value = nv.render(indent + 2 * (path.size() - from));
  return out + (value.block ? "\n" : " ") + value.text;
}

// Creates the keys from `r.found` on, inside the mapping or the empty value `r.slot` holds.
Result<Splice> create_keys(const Doc& d, const Resolved& r, const YamlPath& path, const NewValue& nv) {
  const Slot& s = r.slot;
  for (size_t i = r.found; i < path.size(); ++i) {
    if (path[i].is_index) {
      return d.error_at(*s.value, named(path, i + 1) + " does not exist: list items are not created",
                        "add the item to the list first");
    }
  }
  if (s.value->kind == Kind::map) {
    auto entries = map_entries(d, s);
    if (!entries) return entries.error();
    size_t at = text_end(d, s);
    return Splice{at, at, "\n" + nested_keys(path, r.found, d.column(entries->front().key_pos), nv)};
  }
  if (s.is_root) {
    std::string before = !d.t.empty() && d.t.back() != '\n' ? "\n" : "";
    return Splice{d.t.size(), d.t.size(), before + nested_keys(path, r.found, 0, nv) + "\n"};
  }
  auto x = value_extent(d, s);
  if (!x) return x.error();
  size_t indent = static_cast<size_t>(s.owner_col + 2);
  return replace_value(d, s, *x, Rendered{true, nested_keys(path, r.found, indent, nv)});
}

bool already_set(const Node& old, const NewValue& nv) {
  if (nv.is_list || old.kind != nv.node.kind) return false;
  if (old.kind != Kind::scalar) return false;
  if (old.value != nv.node.value) return false;
  return nv.node.tag == "?" ? old.tag == "?" || nv.scalar == old.value : old.tag == "!";
}

Result<Plan> plan_set(const Doc& d, const Node& root, const Slot& top, const YamlPath& path, NewValue nv) {
  auto r = resolve(d, top, path, path.size());
  if (!r) return r.error();
  Plan plan{{}, root, std::nullopt};
  if (r->found < path.size()) {
    auto splice = create_keys(d, *r, path, nv);
    if (!splice) return splice.error();
    plan.splices.push_back(std::move(*splice));
    expected_at(plan.expected, path, path.size()) = expected_value(nv);
    return plan;
  }
  const Slot& s = r->slot;
  const Node& old = *s.value;
  if (old.kind == Kind::map) {
    return d.error_at(old, named(path, path.size()) + " is a mapping: setting it would drop every key in it",
                      "remove the key first, or edit the file by hand");
  }
  if (contains_anchor_or_alias(old)) {
    return d.error_at(old, named(path, path.size()) + " holds an anchor or an alias, which cannot be edited safely");
  }
  if (already_set(old, nv)) return plan;
  auto x = value_extent(d, s);
  if (!x) return x.error();
  size_t indent = static_cast<size_t>(s.owner_col + 2);
  if (old.kind == Kind::seq && nv.is_list) {
    if (old.flow) nv.flow = true;
    if (!old.flow) indent = d.column(old.mark.pos);
  }
  auto splice = replace_value(d, s, *x, nv.render(indent));
  if (!splice) return splice.error();
  plan.splices.push_back(std::move(*splice));
  expected_at(plan.expected, path, path.size()) = expected_value(nv);
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Lists: block, flow, and comma-separated strings.

Result<std::vector<Splice>> block_list_edit(const Doc& d, const Slot& s, const std::string& item, bool add) {
  const Node& v = *s.value;
  auto items = seq_items(d, s);
  if (!items) return items.error();
  if (add) {
    size_t at = text_end(d, s);
    return std::vector<Splice>{{at, at, "\n" + pad(d.column(v.mark.pos)) + "- " + yaml_quote(item)}};
  }
  std::vector<Splice> out;
  for (const Slot& it : *items) {
    if (!matches(*it.value, item)) continue;
    if (it.value->anchored) return d.error_at(*it.value, "an item with an anchor cannot be removed safely");
    size_t ls = d.line_start(it.region_begin);
    if (ls + d.indent(ls) != it.region_begin) {
      return d.error_at(*it.value, "this item shares its line with other text and cannot be removed alone");
    }
    size_t end = text_end(d, it);
    out.push_back(end < d.t.size() ? Splice{ls, end + 1, ""} : Splice{ls == 0 ? 0 : ls - 1, end, ""});
  }
  if (out.size() < items->size()) return out;
  auto x = value_extent(d, s);
  if (!x) return x.error();
  auto emptied = replace_value(d, s, *x, Rendered{false, "[]"});
  if (!emptied) return emptied.error();
  return std::vector<Splice>{std::move(*emptied)};
}

Result<std::vector<Splice>> flow_list_edit(const Doc& d, const Slot& s, const std::string& item, bool add) {
  const Node& v = *s.value;
  std::vector<Span> segs;
  if (d.flow_end(v.mark.pos, s.region_end, &segs) == npos) {
    return d.error_at(v, "cannot find the end of this flow list", kHandEditHint);
  }
  if (!segs.empty() && segs.back().empty()) segs.pop_back();  // `[]`, or a comma after the last item
  bool located = segs.size() == v.children.size() && std::none_of(segs.begin(), segs.end(), std::mem_fn(&Span::empty));
  if (!located) return d.error_at(v, "cannot locate the items of this flow list", kHandEditHint);
  auto text_of = [&](const Span& sp) { return std::string(d.t.substr(sp.begin, sp.end - sp.begin)); };
  std::string sep = ", ";
  if (segs.size() >= 2) {
    std::string between(d.t.substr(segs[0].end, segs[1].begin - segs[0].end));
    if (between.find('#') == npos) sep = between;
  }
  if (add) {
    size_t at = segs.empty() ? v.mark.pos + 1 : segs.back().end;
    return std::vector<Splice>{{at, at, (segs.empty() ? "" : sep) + yaml_quote(item, true)}};
  }
  std::string kept;
  for (size_t j = 0; j < segs.size(); ++j) {
    if (matches(v.children[j], item)) {
      if (v.children[j].anchored) return d.error_at(v.children[j], "an item with an anchor cannot be removed safely");
      continue;
    }
    kept += (kept.empty() ? "" : sep) + text_of(segs[j]);
  }
  return std::vector<Splice>{{segs.front().begin, segs.back().end, kept}};
}

bool has_escapes(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t length = 1;
    long cp = decode_utf8(s, i, length);
    if (cp < 0 || needs_escape(cp)) return true;
    i += length;
  }
  return false;
}

// A `>-` or `|` block keeps its header and its content's indentation; items one per line when
// they were on several lines (sops' own layout), on one line otherwise.
std::string block_csv(const Doc& d, const Slot& s, const Extent& x, const std::vector<std::string>& items,
                      const std::string& sep) {
  std::string out(d.t.substr(x.begin, d.line_end(x.begin) - x.begin));
  size_t indent = static_cast<size_t>(s.owner_col + 2);
  size_t lines = 0;
  for (size_t ls = d.next_line(x.begin); ls < x.end && ls > x.begin; ls = d.next_line(ls)) {
    if (d.blank_or_comment(ls) && d.line_end(ls) == ls + d.indent(ls)) continue;
    if (lines++ == 0) indent = d.indent(ls);
    if (d.line_end(ls) >= d.t.size()) break;
  }
  if (lines <= 1) return out + "\n" + pad(indent) + join(items, sep);
  for (size_t i = 0; i < items.size(); ++i) out += "\n" + pad(indent) + items[i] + (i + 1 < items.size() ? "," : "");
  return out;
}

std::string render_csv(const Doc& d, const Slot& s, const Extent& x, const std::vector<std::string>& items,
                       const std::string& sep) {
  std::string joined = join(items, sep);
  char style = d.t[x.begin];
  bool quoted_style = style == '"' || style == '\'';
  if (items.empty()) return style == '\'' ? "''" : "\"\"";
  if (style == '"' || (has_escapes(joined) && (quoted_style || style == '|' || style == '>'))) {
    return double_quoted(joined);
  }
  if (style == '\'') return single_quoted(joined);
  if (style == '|' || style == '>') return block_csv(d, s, x, items, sep);
  return yaml_quote(joined);
}

// Returns no splice when nothing changes.
Result<std::optional<Splice>> csv_edit(const Doc& d, const Slot& s, const std::string& item, bool add,
                                       std::vector<std::string>& items) {
  const Node& v = *s.value;
  if (item.empty() || item.find_first_of(",\n") != npos || trim(item) != item) {
    return d.error_at(v, "`" + item + "` cannot be an item of a comma-separated list",
                      "an item has no commas, line breaks or blanks around it");
  }
  auto x = value_extent(d, s);
  if (!x) return x.error();
  items = split_csv(v.value);
  bool present = std::find(items.begin(), items.end(), item) != items.end();
  if (add == present) return std::optional<Splice>();
  if (add) {
    items.push_back(item);
  } else {
    items.erase(std::remove(items.begin(), items.end(), item), items.end());
  }
  std::string sep = v.value.find(", ") != npos ? ", " : ",";
  return std::optional<Splice>(Splice{x->begin, x->end, render_csv(d, s, *x, items, sep)});
}

Status list_splices(const Doc& d, const Slot& s, const YamlPath& path, const std::string& item, bool add, Plan& plan) {
  const Node& v = *s.value;
  Node& target = expected_at(plan.expected, path, path.size());
  if (v.kind == Kind::scalar) {
    std::vector<std::string> items;
    auto splice = csv_edit(d, s, item, add, items);
    if (!splice) return splice.error();
    if (*splice) plan.splices.push_back(std::move(**splice));
    target.compare_as_csv = true;
    plan.csv = items;
    return {};
  }
  bool present = std::any_of(v.children.begin(), v.children.end(), [&](const Node& n) { return matches(n, item); });
  if (add == present) return {};
  auto splices = v.flow ? flow_list_edit(d, s, item, add) : block_list_edit(d, s, item, add);
  if (!splices) return splices.error();
  plan.splices = std::move(*splices);
  if (add) {
    target.children.push_back(string_node(item, v.flow));
  } else {
    auto& c = target.children;
    c.erase(std::remove_if(c.begin(), c.end(), [&](const Node& n) { return matches(n, item); }), c.end());
  }
  return {};
}

Result<Plan> plan_list(const Doc& d, const Node& root, const Slot& top, const YamlPath& path, const std::string& item,
                       bool add) {
  if (!is_valid_utf8(item)) return Error("the item is not valid UTF-8", d.source);
  auto r = resolve(d, top, path, path.size());
  if (!r) return r.error();
  Plan plan{{}, root, std::nullopt};
  if (r->found < path.size()) {
    if (!add) return plan;
    return Error(named(path, path.size()) + " does not exist: there is no list to add to", d.source,
                 "set it first (a list or a comma-separated string)");
  }
  const Node& v = *r->slot.value;
  if (v.anchored || v.kind == Kind::alias) {
    return d.error_at(v, named(path, path.size()) + " is an anchor or an alias, which cannot be edited safely");
  }
  if (v.kind == Kind::null) {
    if (!add) return plan;
    return d.error_at(v, named(path, path.size()) + " is empty: there is no list to add to",
                      "set it first (a list or a comma-separated string)");
  }
  if (v.kind == Kind::map) return d.error_at(v, named(path, path.size()) + " is a mapping, not a list");
  if (auto err = list_splices(d, r->slot, path, item, add, plan)) return *err;
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Removing a key.

Result<Splice> remove_entry(const Doc& d, const Slot& s, const std::vector<Entry>& entries, size_t i) {
  const Entry& e = entries[i];
  if (e.slot.lead == npos) return d.error_at(*e.key, "cannot find the ':' after this key", kHandEditHint);
  if (entries.size() == 1 && !s.is_root) {
    if (s.is_item) return d.error_at(*e.key, "the only key of a list item cannot be removed (the item would be empty)");
    auto x = value_extent(d, s);
    if (!x) return x.error();
    return replace_value(d, s, *x, Rendered{false, "{}"});
  }
  size_t ls = d.line_start(e.key_pos);
  if (ls + d.indent(ls) != e.key_pos) {
    // `- key: v` with more keys below: the next key moves up onto the dash's line.
    if (i != 0 || entries.size() < 2 || d.column(entries[1].key_pos) != d.column(e.key_pos)) {
      return d.error_at(*e.key, "this key shares its line with other text and cannot be removed alone");
    }
    return Splice{e.key_pos, entries[1].key_pos, ""};
  }
  size_t end = text_end(d, e.slot);
  if (end < d.t.size()) return Splice{ls, end + 1, ""};
  return Splice{ls == 0 ? 0 : ls - 1, end, ""};
}

Result<Plan> plan_remove(const Doc& d, const Node& root, const Slot& top, const YamlPath& path) {
  if (path.back().is_index) {
    return Error("a path to remove must end with a key, not a list item", d.source,
                 "remove a list item by its value (chaos secrets rotate-rm)");
  }
  size_t parent = path.size() - 1;
  auto r = resolve(d, top, path, parent);
  if (!r) return r.error();
  Plan plan{{}, root, std::nullopt};
  const Node& m = *r->slot.value;
  if (r->found < parent || m.kind == Kind::null) return plan;
  if (m.kind != Kind::map) return d.error_at(m, named(path, parent) + " is " + describe(m) + ": it has no keys");
  if (m.flow || m.anchored) {
    return d.error_at(m, named(path, parent) + " is a flow mapping or an anchor, which cannot be edited safely");
  }
  auto entries = map_entries(d, r->slot);
  if (!entries) return entries.error();
  auto found = find_entry(d, *entries, path.back().key);
  if (!found) return found.error();
  auto it = *found;
  if (it == entries->end()) return plan;
  if (it->key->anchored || contains_anchor_or_alias(*it->slot.value)) {
    return d.error_at(*it->key,
                      named(path, path.size()) + " holds an anchor or an alias, which cannot be removed safely");
  }
  auto splice = remove_entry(d, r->slot, *entries, static_cast<size_t>(it - entries->begin()));
  if (!splice) return splice.error();
  plan.splices.push_back(std::move(*splice));
  auto& c = expected_at(plan.expected, path, parent).children;
  auto at = c.begin() + 2 * (it - entries->begin());
  c.erase(at, at + 2);
  return plan;
}

// ---------------------------------------------------------------------------------------------
// The edit: checks, splicing, and reading the result back.

Status check_input(std::string_view text, const std::string& source, const YamlPath& path) {
  if (text.size() > kMaxDocumentBytes) return Error("the file is larger than 4 MiB, too large to edit", source);
  if (!is_valid_utf8(text)) return Error("the file is not valid UTF-8", source, "fix its encoding first");
  if (text.find('\0') != npos) return Error("the file holds a NUL byte", source, kHandEditHint);
  if (text.find('\r') != npos) {
    return Error("the file has CR (Windows) line endings, which cannot be edited safely", source,
                 "convert it to LF line endings (dos2unix) first");
  }
  // yaml-cpp drops one mark at the start and reads a second as text of the first key, while the
  // editor parses after the first mark: the two would see different keys.
  if (text.substr(0, 2 * kBom.size()) == std::string(kBom) + std::string(kBom)) {
    return Error("the file starts with two byte order marks", source, "remove the second one first");
  }
  if (path.empty()) return Error("an empty key path names nothing to edit", source);
  for (const auto& step : path) {
    if (!step.is_index && !is_valid_utf8(step.key)) return Error("a key of the path is not valid UTF-8", source);
  }
  return {};
}

Result<Slot> root_slot(const Doc& d, const Node& root) {
  Slot s;
  s.value = &root;
  s.is_root = true;
  s.lead = 0;
  s.region_end = d.t.size();
  if (root.kind == Kind::map && !root.flow && !root.anchored) return s;
  bool empty = root.kind == Kind::null;
  for (size_t ls = 0; empty && ls < d.t.size(); ls = d.line_end(ls) + 1) {
    bool marker = d.t.substr(ls, 3) == "---" || d.t.substr(ls, 1) == "%";
    if (!d.blank_or_comment(ls) && !marker) empty = false;
  }
  if (empty) return s;
  return d.error_at(root, "the document is not a block mapping (`key: value` lines), so it cannot be edited");
}

std::string apply_splices(std::string_view text, std::vector<Splice> splices) {
  std::sort(splices.begin(), splices.end(), [](const Splice& a, const Splice& b) { return a.begin > b.begin; });
  std::string out(text);
  size_t limit = npos;
  for (const auto& s : splices) {
    size_t end = std::max(s.begin, std::min(s.end, limit));  // removals of neighbours may share a newline
    out.replace(s.begin, end - s.begin, s.text);
    limit = s.begin;
  }
  return out;
}

Status verify(const std::string& out, const std::string& source, const Plan& plan, const YamlPath& path) {
  auto actual = parse_tree(out, source);
  if (!actual) {
    return Error("the edit would leave the file unreadable (" + actual.error().message + "), so it was not made",
                 source, kBugHint);
  }
  bool emptied = plan.expected.kind == Kind::map && plan.expected.children.empty() && actual->kind == Kind::null;
  bool same = emptied || same_tree(plan.expected, *actual);
  if (same && plan.csv) {
    const Node* value = lookup(*actual, path);
    same = value && value->kind == Kind::scalar && split_csv(value->value) == *plan.csv;
  }
  if (!same) return Error("the edit did not read back as intended, so it was not made", source, kBugHint);
  return {};
}

using Planner = std::function<Result<Plan>(const Doc&, const Node&, const Slot&)>;

Result<YamlEdited> edit(std::string_view text, const std::string& source, const YamlPath& path,
                        const Planner& planner) {
  if (auto err = check_input(text, source, path)) return *err;
  bool bom = text.substr(0, kBom.size()) == kBom;
  std::string_view body = bom ? text.substr(kBom.size()) : text;
  Doc d(body, source);
  auto root = parse_tree(body, source);
  if (!root) return root.error();
  auto top = root_slot(d, *root);
  if (!top) return top.error();
  auto plan = planner(d, *root, *top);
  if (!plan) return plan.error();
  std::string out = apply_splices(body, plan->splices);
  if (out == body) return YamlEdited{std::string(text), false};
  if (auto err = verify(out, source, *plan, path)) return *err;
  return YamlEdited{(bom ? std::string(kBom) : std::string()) + out, true};
}

// The node a plain value reads back as; an error unless that is the same text, unquoted.
Result<Node> plain_node(const std::string& text, const std::string& source) {
  Error wrong("`" + escape_invalid_utf8(text) + "` does not read back as itself as a plain YAML value", source,
              "write it as a string");
  if (text.empty() || !is_valid_utf8(text) || has_escapes(text)) return wrong;
  auto parsed = parse_tree("- " + text + "\n", source);
  if (!parsed || parsed->kind != Kind::seq || parsed->children.size() != 1) return wrong;
  const Node& n = parsed->children.front();
  bool null_word = n.kind == Kind::null && explicit_null_length(Doc(text, source), 0) == text.size();
  if (!null_word && !(n.kind == Kind::scalar && n.tag == "?" && n.value == text)) return wrong;
  Node out = n;
  out.mark = YAML::Mark();
  return out;
}

}  // namespace

Result<YamlEdited> yaml_set_scalar(std::string_view text, const std::string& source, const YamlPath& path,
                                   const YamlScalar& value) {
  NewValue nv;
  if (value.plain) {
    auto node = plain_node(value.text, source);
    if (!node) return node.error();
    nv.node = *node;
    nv.scalar = value.text;
  } else {
    if (!is_valid_utf8(value.text)) return Error("the value is not valid UTF-8", source);
    nv.node = string_node(value.text, false);
    nv.scalar = yaml_quote(value.text);
  }
  return edit(text, source, path,
              [&](const Doc& d, const Node& root, const Slot& top) { return plan_set(d, root, top, path, nv); });
}

Result<YamlEdited> yaml_set_list(std::string_view text, const std::string& source, const YamlPath& path,
                                 const std::vector<std::string>& items) {
  for (const auto& item : items) {
    if (!is_valid_utf8(item)) return Error("an item is not valid UTF-8", source);
  }
  NewValue nv;
  nv.is_list = true;
  nv.items = items;
  return edit(text, source, path,
              [&](const Doc& d, const Node& root, const Slot& top) { return plan_set(d, root, top, path, nv); });
}

Result<YamlEdited> yaml_list_add(std::string_view text, const std::string& source, const YamlPath& path,
                                 std::string_view item) {
  std::string it(item);
  return edit(text, source, path,
              [&](const Doc& d, const Node& root, const Slot& top) { return plan_list(d, root, top, path, it, true); });
}

Result<YamlEdited> yaml_list_remove(std::string_view text, const std::string& source, const YamlPath& path,
                                    std::string_view item) {
  std::string it(item);
  return edit(text, source, path, [&](const Doc& d, const Node& root, const Slot& top) {
    return plan_list(d, root, top, path, it, false);
  });
}

Result<YamlEdited> yaml_remove_key(std::string_view text, const std::string& source, const YamlPath& path) {
  return edit(text, source, path,
              [&](const Doc& d, const Node& root, const Slot& top) { return plan_remove(d, root, top, path); });
}

}  // namespace chaos
