// sops/sops_config: changes to the keys a sops config's creation rules name (rotate-add,
// rotate-rm) and to their Shamir threshold (set-shamir), made as small text edits so that the
// user's comments, order and layout stay. Each result is parsed again and compared with the
// change made on the data; an edit that would differ is refused, never written.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace YAML {
class Node;
}

namespace chaos {

struct KeyRotation {
  std::string type;               // age, pgp or hc_vault (the field in a key group; a rule's: hc_vault_transit_uri)
  std::vector<std::string> keys;  // recipients: age1... or gpg fingerprints
  std::optional<size_t> rule;     // only this rule (0-based); default: every rule
  bool new_group = false;         // add: a new key group {type: keys} per rule instead
};

struct SopsConfigEdit {
  std::string text;
  std::vector<std::string> notes;  // what was done, per rule, for the user
  bool changed = false;
};

Result<SopsConfigEdit> add_sops_keys(std::string_view text, const std::string& source, const KeyRotation& change);
Result<SopsConfigEdit> remove_sops_keys(std::string_view text, const std::string& source, const KeyRotation& change);
// threshold <= 0 removes it. Needs at least two key groups and threshold <= their number.
Result<SopsConfigEdit> set_sops_shamir(std::string_view text, const std::string& source, size_t rule, int threshold);

// The recipients a rule or key group lists under one field: a comma-separated string (sops'
// `age: "age1..,age1.."`) or a list.
std::vector<std::string> sops_recipients(const YAML::Node& value);

// Checks and normalises one recipient: an age public key (age1 + 58 lowercase letters or
// digits), or a gpg fingerprint (40 hexadecimal digits, spaces allowed, made uppercase).
Result<std::string> checked_recipient(const std::string& type, const std::string& key);

}  // namespace chaos
