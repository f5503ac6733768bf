// rotate-add, rotate-rm and set-shamir on any sops config: an edit that reads back as the change
// (the editor checks that itself) or a refusal; never a crash. The first byte picks the edit.
#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "fuzz_support.h"
#include "sops/sops_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chaos;
  if (size == 0) return 0;
  const uint8_t op = data[0];
  std::string text(fuzz::as_text(data + 1, size - 1));
  const std::string key = "age1" + std::string(58, 'q');
  std::optional<size_t> rule;
  if (op & 8) rule = static_cast<size_t>((op >> 4) & 3);
  KeyRotation change{
      (op & 4) ? "pgp" : "age", {(op & 4) ? "0123456789ABCDEF0123456789ABCDEF01234567" : key}, rule, (op & 16) != 0};
  Result<SopsConfigEdit> edit = Error("none");
  switch (op & 3) {
    case 0:
      edit = add_sops_keys(text, "s.yaml", change);
      break;
    case 1:
      edit = remove_sops_keys(text, "s.yaml", change);
      break;
    default:
      edit = set_sops_shamir(text, "s.yaml", rule.value_or(0), (op >> 6) - 1);
      break;
  }
  if (edit && edit->changed) {
    try {
      (void)YAML::Load(edit->text);
    } catch (const YAML::Exception&) {
      std::abort();  // the editor promised a document that parses
    }
  }
  return 0;
}
