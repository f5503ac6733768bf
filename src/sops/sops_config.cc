#include "sops/sops_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>

#include "util/position.h"
#include "util/text.h"
#include "util/yaml_text.h"

namespace chaos {
namespace {

// One replacement of text[begin, end).
struct Splice {
  size_t begin;
  size_t end;
  std::string text;
};

// The document as lines with their offsets, for turning marks into byte ranges.
class Layout {
 public:
  explicit Layout(std::string_view text) : text_(text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') starts_.push_back(i + 1);
  }
  size_t lines() const { return starts_.size(); }
  std::string_view line(size_t n) const {
    size_t end = n + 1 < starts_.size() ? starts_[n + 1] - 1 : text_.size();
    return text_.substr(starts_[n], end - starts_[n]);
  }
  size_t start(size_t n) const { return n < starts_.size() ? starts_[n] : text_.size(); }
  // Offset just past line n's newline (or the end of the text).
  size_t after(size_t n) const { return n + 1 < starts_.size() ? starts_[n + 1] : text_.size(); }
  static size_t indent(std::string_view line) {
    size_t n = line.find_first_not_of(' ');
    return n == std::string_view::npos ? line.size() : n;
  }
  // The last line of a block that starts on `first` and holds lines indented more than
  // `column` (and, for a sequence written compactly, `- ` items at `column` itself).
  size_t block_last(size_t first, size_t column, bool items_at_column) const {
    size_t last = first;
    for (size_t i = first + 1; i < lines(); ++i) {
      std::string_view l = line(i);
      if (is_blank_or_comment_line(l)) continue;
      size_t ind = indent(l);
      bool item = l.substr(ind, 2) == "- " || l.substr(ind) == "-";
      if (ind > column || (items_at_column && ind == column && item)) {
        last = i;
        continue;
      }
      break;
    }
    return last;
  }

 private:
  std::string_view text_;
  std::vector<size_t> starts_;
};

}  // namespace

std::vector<std::string> sops_recipients(const YAML::Node& value) {
  std::vector<std::string> out;
  if (value.IsScalar()) {
    std::string text = value.Scalar();
    for (size_t start = 0; start <= text.size();) {
      size_t comma = text.find(',', start);
      if (comma == std::string::npos) comma = text.size();
      std::string item = trim(std::string_view(text).substr(start, comma - start));
      if (!item.empty()) out.push_back(item);
      start = comma + 1;
    }
  } else if (value.IsSequence()) {
    for (const auto& item : value)
      if (item.IsScalar()) out.push_back(item.Scalar());
  }
  return out;
}

namespace {

// The key node of `field` in `map` (its mark says where the key is written).
std::optional<YAML::Node> key_node(const YAML::Node& map, const std::string& field) {
  for (const auto& pair : map)
    if (pair.first.IsScalar() && pair.first.Scalar() == field) return pair.first;
  return std::nullopt;
}

// End offset of a one-line scalar that starts at `begin` on line `n`: before a trailing
// comment, found by cutting at each " #" until the cut reads as the same value.
size_t scalar_end(const Layout& layout, size_t n, size_t column, const YAML::Node& value) {
  std::string_view l = layout.line(n);
  for (size_t at = l.find(" #", column); at != std::string_view::npos; at = l.find(" #", at + 1)) {
    try {
      if (YAML::Load(std::string(l.substr(column, at - column))).Scalar() == value.Scalar()) {
        while (at > column && (l[at - 1] == ' ' || l[at - 1] == '\t')) --at;  // the spaces stay the comment's
        return layout.start(n) + at;
      }
    } catch (const YAML::Exception&) {
    }
  }
  size_t end = l.find_last_not_of(" \t\r");
  return layout.start(n) + (end == std::string_view::npos ? column : end + 1);
}

// Offset just past the `]` that closes the flow sequence starting at `begin`.
std::optional<size_t> flow_end(std::string_view text, size_t begin) {
  int depth = 0;
  char quote = 0;
  for (size_t i = begin; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == '\\' && quote == '"')
        ++i;
      else if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']' && --depth == 0) {
      return i + 1;
    }
  }
  return std::nullopt;
}

// The splice that writes `items` where `value` (under the key `key`) is, in the value's style.
Result<Splice> rewrite_list(std::string_view text, const Layout& layout, const YAML::Node& key, const YAML::Node& value,
                            const std::vector<std::string>& items) {
  const YAML::Mark kmark = key.Mark(), vmark = value.Mark();
  if (kmark.line < 0 || vmark.pos < 0) return Error("cannot find the keys in the file");
  size_t begin = static_cast<size_t>(vmark.pos);
  if (value.IsScalar()) {
    std::string rendered = yaml_string(join(items, ","));
    char first = begin < text.size() ? text[begin] : '\0';
    if (first == '|' || first == '>') {
      size_t last = layout.block_last(static_cast<size_t>(kmark.line), static_cast<size_t>(kmark.column), false);
      return Splice{begin, layout.after(last) - 1, rendered};
    }
    return Splice{begin, scalar_end(layout, static_cast<size_t>(vmark.line), static_cast<size_t>(vmark.column), value),
                  rendered};
  }
  std::vector<std::string> quoted;
  for (const auto& i : items) quoted.push_back(yaml_string(i));
  if (value.Style() == YAML::EmitterStyle::Flow) {
    auto end = flow_end(text, begin);
    if (!end) return Error("a [ list ] that does not close");
    return Splice{begin, *end, "[" + join(quoted, ", ") + "]"};
  }
  // A block sequence: its items from the first `-` to the block's last line.
  size_t last = layout.block_last(static_cast<size_t>(kmark.line), static_cast<size_t>(kmark.column), true);
  std::string pad(static_cast<size_t>(vmark.column), ' ');
  std::string lines;
  for (const auto& q : quoted) lines += (lines.empty() ? "" : "\n" + pad) + "- " + q;
  return Splice{begin, layout.after(last) - (layout.after(last) > 0 && text[layout.after(last) - 1] == '\n' ? 1 : 0),
                lines};
}

struct Parsed {
  YAML::Node root;
  YAML::Node rules;
};

Result<Parsed> parse_config(std::string_view text, const std::string& source) {
  Parsed p;
  try {
    p.root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error("the sops config is not valid YAML: " + e.msg, format_position(source, e.mark));
  }
  // Found by sops_config_fuzz: a subscript on a document that is not a mapping throws.
  if (!p.root.IsMap()) return Error("the sops config is not a mapping with creation_rules", source);
  p.rules = p.root["creation_rules"];
  if (!p.rules.IsSequence() || p.rules.size() == 0) return Error("the sops config has no creation_rules list", source);
  return p;
}

Result<std::vector<size_t>> rules_to_edit(const Parsed& p, const std::optional<size_t>& rule,
                                          const std::string& source) {
  std::vector<size_t> out;
  if (rule) {
    if (*rule >= p.rules.size())
      return Error("there is no rule " + std::to_string(*rule) + ": the sops config has " +
                       std::to_string(p.rules.size()) + " (numbered from 0)",
                   source);
    out.push_back(*rule);
  } else {
    for (size_t i = 0; i < p.rules.size(); ++i) out.push_back(i);
  }
  for (size_t i : out)
    if (!p.rules[i].IsMap() || p.rules[i].Style() == YAML::EmitterStyle::Flow)
      return Error("rule " + std::to_string(i) + " is not a block mapping; edit it by hand", source);
  return out;
}

// Applies the splices (they never overlap), then checks the result against `expected`.
Result<std::string> apply_and_check(std::string_view text, std::vector<Splice> splices, const YAML::Node& expected,
                                    const std::string& source) {
  std::sort(splices.begin(), splices.end(), [](const Splice& a, const Splice& b) { return a.begin > b.begin; });
  std::string out(text);
  size_t limit = out.size();
  for (const auto& s : splices) {
    if (s.end > limit || s.begin > s.end) return Error("internal: overlapping edits of the sops config", source);
    out.replace(s.begin, s.end - s.begin, s.text);
    limit = s.begin;
  }
  try {
    if (YAML::Dump(YAML::Load(out)) == YAML::Dump(expected)) return out;
  } catch (const YAML::Exception&) {
  }
  return Error(
      "cannot make this change without rewriting more of the sops config than it needs (an unusual layout); "
      "edit it by hand",
      source);
}

}  // namespace

Result<std::string> checked_recipient(const std::string& type, const std::string& key) {
  if (type == "age") {
    static const std::regex kAge("age1[a-z0-9]{58}");
    if (!std::regex_match(key, kAge))
      return Error("`" + key + "` is not an age public key (age1 followed by 58 letters and digits)", {},
                   "age-keygen -y KEYFILE prints the public key of an identity");
    return key;
  }
  if (type == "pgp") {
    std::string clean;
    for (char c : key)
      if (c != ' ') clean += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (clean.size() != 40 || clean.find_first_not_of("0123456789ABCDEF") != std::string::npos)
      return Error("`" + key + "` is not a gpg fingerprint (40 hexadecimal digits)", {}, "gpg -k shows fingerprints");
    return clean;
  }
  if (type == "hc_vault") {
    // sops' own form: the transit key's URI, .../v1/ENGINE/keys/NAME.
    static const std::regex kVault("https?://[^/\\s]+/v1/[^\\s]+/keys/[^/\\s]+");
    if (!std::regex_match(key, kVault))
      return Error("`" + key + "` is not a Vault transit key URI", {},
                   "write it as sops does: https://vault.example.org:8200/v1/transit/keys/NAME");
    return key;
  }
  return Error("unknown key type `" + type + "`", {}, "use age, pgp or vault");
}

// A rule names Vault keys as `hc_vault_transit_uri`, a key group as `hc_vault` (sops' config.go);
// age and pgp keys have one name in both places.
static std::string rule_field(const std::string& type) { return type == "hc_vault" ? "hc_vault_transit_uri" : type; }

// rotate-add --create: a key group {type: keys} appended to rule `r`'s key_groups.
static Status add_key_group(std::string_view text, const Layout& layout, const YAML::Node& rule, size_t r,
                            const KeyRotation& change, const std::string& source, YAML::Node& expected,
                            std::vector<Splice>& splices) {
  YAML::Node groups = rule["key_groups"];
  if (!groups.IsSequence() || groups.size() == 0 || groups.Style() == YAML::EmitterStyle::Flow)
    return Error("rule " + std::to_string(r) + " has no key_groups list to add a group to", source,
                 "add the keys without --create, or write key_groups by hand");
  auto gkey = key_node(rule, "key_groups");
  size_t last =
      layout.block_last(static_cast<size_t>(gkey->Mark().line), static_cast<size_t>(gkey->Mark().column), true);
  std::string dash(static_cast<size_t>(groups.Mark().column), ' ');
  std::string block = dash + "- " + change.type + ":\n";
  for (const auto& k : change.keys) block += dash + "    - " + yaml_string(k) + "\n";
  size_t at = layout.after(last);
  if (at == text.size() && !text.empty() && text.back() != '\n') block = "\n" + block;
  splices.push_back({at, at, block});
  YAML::Node group;
  for (const auto& k : change.keys) group[change.type].push_back(k);
  expected["creation_rules"][r]["key_groups"].push_back(group);
  return {};
}

// The edit's text from its splices, checked; the input itself when there is nothing to change.
static Result<SopsConfigEdit> finished(std::string_view text, std::vector<Splice> splices, const YAML::Node& expected,
                                       const std::string& source, SopsConfigEdit edit) {
  edit.changed = !splices.empty();
  if (!edit.changed) {
    edit.text = std::string(text);
    return edit;
  }
  auto out = apply_and_check(text, std::move(splices), expected, source);
  if (!out) return out.error();
  edit.text = std::move(*out);
  return edit;
}

// What every edit starts from: the parsed config, the rules it touches, and the data the
// result must read back as (changed along with the text).
struct EditRun {
  Parsed parsed;
  std::vector<size_t> targets;
  YAML::Node expected;
};

static Result<EditRun> begin_edit(std::string_view text, const std::string& source, const std::optional<size_t>& rule) {
  auto parsed = parse_config(text, source);
  if (!parsed) return parsed.error();
  auto targets = rules_to_edit(*parsed, rule, source);
  if (!targets) return targets.error();
  YAML::Node expected = YAML::Clone(parsed->root);
  return EditRun{std::move(*parsed), std::move(*targets), expected};
}

static Result<SopsConfigEdit> add_sops_keys_unchecked(std::string_view text, const std::string& source,
                                                      const KeyRotation& change) {
  auto run = begin_edit(text, source, change.rule);
  if (!run) return run.error();
  auto& [parsed, targets, expected] = *run;
  Layout layout(text);
  SopsConfigEdit edit;
  std::vector<Splice> splices;
  for (size_t r : targets) {
    YAML::Node rule = parsed.rules[r];
    YAML::Node groups = rule["key_groups"];
    std::string where = "rule " + std::to_string(r);
    if (change.new_group) {
      if (auto err = add_key_group(text, layout, rule, r, change, source, expected, splices)) return *err;
      edit.notes.push_back(where + ": a new " + change.type + " key group with " + join(change.keys, ", "));
      continue;
    }
    std::vector<YAML::Node> places;       // maps holding the field to extend
    std::vector<YAML::Node> expected_at;  // the same maps in `expected`
    std::string field = change.type;      // its name there
    if (groups.IsSequence() && groups.size() > 0) {
      for (size_t g = 0; g < groups.size(); ++g) {
        if (groups[g].IsMap() && groups[g][change.type]) {
          places.push_back(groups[g]);
          expected_at.push_back(expected["creation_rules"][r]["key_groups"][g]);
        }
      }
      if (places.empty())
        return Error(where + " has no " + change.type + " key group", source,
                     "pass --create to add a key group of its own");
    } else if (rule[rule_field(change.type)]) {
      field = rule_field(change.type);
      places.push_back(rule);
      expected_at.push_back(expected["creation_rules"][r]);
    } else {
      return Error(where + " names no " + rule_field(change.type) + " keys", source,
                   "add a key group with --create, or edit it by hand");
    }
    for (size_t i = 0; i < places.size(); ++i) {
      YAML::Node value = places[i][field];
      std::vector<std::string> items = sops_recipients(value);
      std::vector<std::string> added;
      for (const auto& k : change.keys)
        if (std::find(items.begin(), items.end(), k) == items.end()) added.push_back(k);
      if (added.empty()) continue;
      items.insert(items.end(), added.begin(), added.end());
      auto splice = rewrite_list(text, layout, *key_node(places[i], field), value, items);
      if (!splice) return Error(splice.error().message, source);
      splices.push_back(*splice);
      if (value.IsScalar()) {
        expected_at[i][field] = join(items, ",");
      } else {
        for (const auto& k : added) expected_at[i][field].push_back(k);
      }
      edit.notes.push_back(where + ": added " + join(added, ", "));
    }
  }
  return finished(text, std::move(splices), expected, source, std::move(edit));
}

static Result<SopsConfigEdit> remove_sops_keys_unchecked(std::string_view text, const std::string& source,
                                                         const KeyRotation& change) {
  auto run = begin_edit(text, source, change.rule);
  if (!run) return run.error();
  auto& [parsed, targets, expected] = *run;
  Layout layout(text);
  SopsConfigEdit edit;
  std::vector<Splice> splices;
  for (size_t r : targets) {
    YAML::Node rule = parsed.rules[r];
    YAML::Node groups = rule["key_groups"];
    std::string where = "rule " + std::to_string(r);
    std::vector<std::pair<YAML::Node, YAML::Node>> places;
    std::string field = change.type;
    if (groups.IsSequence()) {
      for (size_t g = 0; g < groups.size(); ++g)
        if (groups[g].IsMap() && groups[g][change.type])
          places.push_back({groups[g], expected["creation_rules"][r]["key_groups"][g]});
    } else if (rule[rule_field(change.type)]) {
      field = rule_field(change.type);
      places.push_back({rule, expected["creation_rules"][r]});
    }
    for (auto& [map, expected_map] : places) {
      YAML::Node value = map[field];
      std::vector<std::string> items = sops_recipients(value), removed, kept;
      for (const auto& i : items)
        (std::find(change.keys.begin(), change.keys.end(), i) != change.keys.end() ? removed : kept).push_back(i);
      if (removed.empty()) continue;
      if (kept.empty()) {
        return Error(where + " would be left without " + change.type + " keys in one of its places", source,
                     "add the new key first (rotate-add), or edit the sops config by hand");
      }
      auto splice = rewrite_list(text, layout, *key_node(map, field), value, kept);
      if (!splice) return Error(splice.error().message, source);
      splices.push_back(*splice);
      if (value.IsScalar()) {
        expected_map[field] = join(kept, ",");
      } else {
        YAML::Node list;
        for (const auto& k : kept) list.push_back(k);
        expected_map[field] = list;
      }
      edit.notes.push_back(where + ": removed " + join(removed, ", "));
    }
  }
  return finished(text, std::move(splices), expected, source, std::move(edit));
}

static Result<SopsConfigEdit> set_sops_shamir_unchecked(std::string_view text, const std::string& source, size_t rule,
                                                        int threshold) {
  auto parsed = parse_config(text, source);
  if (!parsed) return parsed.error();
  auto targets = rules_to_edit(*parsed, rule, source);
  if (!targets) return targets.error();
  YAML::Node node = parsed->rules[rule];
  std::string where = "rule " + std::to_string(rule);
  size_t groups = node["key_groups"].IsSequence() ? node["key_groups"].size() : 0;
  if (threshold > 0 && (groups < 2 || static_cast<size_t>(threshold) > groups)) {
    return Error(where + " has " + std::to_string(groups) +
                     " key group(s); a Shamir threshold needs at least 2, and "
                     "at most as many as there are groups",
                 source, "add key groups first: chaos secrets rotate-add TYPE KEY --create");
  }
  Layout layout(text);
  YAML::Node expected = YAML::Clone(parsed->root);
  SopsConfigEdit edit;
  std::vector<Splice> splices;
  auto current = key_node(node, "shamir_threshold");
  if (current) {
    YAML::Mark k = current->Mark();
    if (layout.line(static_cast<size_t>(k.line)).substr(0, static_cast<size_t>(k.column)).find('-') !=
        std::string_view::npos)
      return Error(where + " starts with shamir_threshold; edit it by hand", source);
    if (threshold <= 0) {
      splices.push_back({layout.start(static_cast<size_t>(k.line)), layout.after(static_cast<size_t>(k.line)), ""});
      expected["creation_rules"][rule].remove("shamir_threshold");
    } else {
      YAML::Node value = node["shamir_threshold"];
      size_t begin = static_cast<size_t>(value.Mark().pos);
      splices.push_back(
          {begin,
           scalar_end(layout, static_cast<size_t>(value.Mark().line), static_cast<size_t>(value.Mark().column), value),
           std::to_string(threshold)});
      expected["creation_rules"][rule]["shamir_threshold"] = threshold;
    }
  } else if (threshold > 0) {
    // After the rule's last line, at the column of its keys.
    YAML::Mark first = node.Mark();
    size_t last = layout.block_last(static_cast<size_t>(first.line), static_cast<size_t>(first.column) - 1, false);
    size_t at = layout.after(last);
    std::string line =
        std::string(static_cast<size_t>(first.column), ' ') + "shamir_threshold: " + std::to_string(threshold) + "\n";
    if (at == text.size() && !text.empty() && text.back() != '\n') line = "\n" + line;
    splices.push_back({at, at, line});
    expected["creation_rules"][rule]["shamir_threshold"] = threshold;
  }
  edit.notes.push_back(threshold > 0 ? where + ": Shamir threshold " + std::to_string(threshold)
                                     : where + ": no Shamir threshold");
  return finished(text, std::move(splices), expected, source, std::move(edit));
}

// yaml-cpp throws where a node is not what the code expects of it; whatever document slipped
// past the checks above, that is a refusal here, never an exception out of chaos.
template <class F>
Result<SopsConfigEdit> refusing_exceptions(const std::string& source, F&& edit) {
  try {
    return edit();
  } catch (const YAML::Exception& e) {
    return Error("cannot edit the sops config: " + e.msg, source);
  }
}

Result<SopsConfigEdit> add_sops_keys(std::string_view text, const std::string& source, const KeyRotation& change) {
  return refusing_exceptions(source, [&] { return add_sops_keys_unchecked(text, source, change); });
}

Result<SopsConfigEdit> remove_sops_keys(std::string_view text, const std::string& source, const KeyRotation& change) {
  return refusing_exceptions(source, [&] { return remove_sops_keys_unchecked(text, source, change); });
}

Result<SopsConfigEdit> set_sops_shamir(std::string_view text, const std::string& source, size_t rule, int threshold) {
  return refusing_exceptions(source, [&] { return set_sops_shamir_unchecked(text, source, rule, threshold); });
}

}  // namespace chaos
