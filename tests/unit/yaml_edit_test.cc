// Editing YAML as text (util/yaml_edit): each edit on realistic config.yml and .sops.yaml texts
// changes only the edited value, keeps every comment and the quoting around it, and refuses what
// it cannot do safely with a message naming the place.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "util/yaml_edit.h"

namespace chaos {
namespace {

std::string edited(const Result<YamlEdited>& r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().where + ": " + r.error().message);
  if (!r.ok()) return {};
  EXPECT_TRUE(r->changed);
  return r->text;
}

TEST(YamlEdit, SetsAnExistingScalar) {
  EXPECT_EQ(edited(yaml_set_scalar("a: 1 # c\nb: x\n", "c.yml", {"b"}, YamlScalar::string("z"))), "a: 1 # c\nb: z\n");
}

}  // namespace
}  // namespace chaos
