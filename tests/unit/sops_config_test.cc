#include "sops/sops_config.h"

#include <gtest/gtest.h>

namespace chaos {
namespace {

const std::string kA = "age1" + std::string(58, 'a');
const std::string kB = "age1" + std::string(58, 'b');
const std::string kC = "age1" + std::string(58, 'c');

std::string added(const std::string& text, KeyRotation change) {
  auto edit = add_sops_keys(text, ".sops.yaml", change);
  EXPECT_TRUE(edit.ok()) << (edit.ok() ? "" : edit.error().message);
  return edit.ok() ? edit->text : "";
}

TEST(SopsConfig, AddToACommaStringKeepsCommentsAndOtherRules) {
  const std::string text =
      "# keys for the team\ncreation_rules:\n  # main\n  - path_regex: secrets.*\\.yml$\n    age: " + kA +
      "  # alice\n  - path_regex: other\n    pgp: ABC\n";
  EXPECT_EQ(added(text, {"age", {kB}, 0, false}),
            "# keys for the team\ncreation_rules:\n  # main\n  - path_regex: "
            "secrets.*\\.yml$\n    age: " +
                kA + "," + kB + "  # alice\n  - path_regex: other\n    pgp: ABC\n");
}

TEST(SopsConfig, AddToBlockAndFlowListsInKeyGroups) {
  const std::string text = "creation_rules:\n  - path_regex: .*\n    key_groups:\n      - age:\n          - " + kA +
                           "\n        pgp: [F1, F2]\n";
  EXPECT_EQ(added(text, {"age", {kB, kA}, std::nullopt, false}),
            "creation_rules:\n  - path_regex: .*\n    key_groups:\n      - age:\n          - " + kA + "\n          - " +
                kB + "\n        pgp: [F1, F2]\n");
  EXPECT_EQ(added(text, {"pgp", {"F3"}, std::nullopt, false}),
            "creation_rules:\n  - path_regex: .*\n    key_groups:\n      - age:\n          - " + kA +
                "\n        pgp: [F1, F2, F3]\n");
}

// sops names Vault keys hc_vault_transit_uri in a rule and hc_vault in a key group.
TEST(SopsConfig, VaultKeysUseSopsOwnNamesInRulesAndGroups) {
  const std::string uri1 = "https://vault:8200/v1/transit/keys/one", uri2 = "http://127.0.0.1:8200/v1/sops/keys/two";
  const std::string rule = "creation_rules:\n  - path_regex: .*\n    hc_vault_transit_uri: " + uri1 + "\n";
  EXPECT_EQ(added(rule, {"hc_vault", {uri2}, std::nullopt, false}),
            "creation_rules:\n  - path_regex: .*\n    hc_vault_transit_uri: " + uri1 + "," + uri2 + "\n");
  auto removed = remove_sops_keys(added(rule, {"hc_vault", {uri2}, std::nullopt, false}), "s",
                                  {"hc_vault", {uri1}, std::nullopt, false});
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(removed->text, "creation_rules:\n  - path_regex: .*\n    hc_vault_transit_uri: " + uri2 + "\n");
  const std::string groups = "creation_rules:\n  - key_groups:\n      - hc_vault:\n          - " + uri1 + "\n";
  EXPECT_EQ(added(groups, {"hc_vault", {uri2}, std::nullopt, false}), groups + "          - " + uri2 + "\n");
  EXPECT_TRUE(checked_recipient("hc_vault", uri2).ok());
  EXPECT_FALSE(checked_recipient("hc_vault", "https://vault:8200/transit/one").ok());
  EXPECT_FALSE(checked_recipient("hc_vault", "file:///v1/transit/keys/x").ok());
}

TEST(SopsConfig, ANewGroupAndAShamirThreshold) {
  const std::string text =
      "creation_rules:\n  - path_regex: .*\n    key_groups:\n      - age:\n          - " + kA + "\n# trailing note\n";
  std::string two = added(text, {"age", {kB}, 0, true});
  EXPECT_EQ(two, "creation_rules:\n  - path_regex: .*\n    key_groups:\n      - age:\n          - " + kA +
                     "\n      - age:\n          - " + kB + "\n# trailing note\n");
  auto shamir = set_sops_shamir(two, ".sops.yaml", 0, 2);
  ASSERT_TRUE(shamir.ok()) << shamir.error().message;
  EXPECT_NE(shamir->text.find("          - " + kB + "\n    shamir_threshold: 2\n# trailing note\n"), std::string::npos)
      << shamir->text;
  auto again = set_sops_shamir(shamir->text, ".sops.yaml", 0, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->text.find("    shamir_threshold: 1\n"), std::string::npos);
  auto removed = set_sops_shamir(again->text, ".sops.yaml", 0, 0);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->text, two);
  EXPECT_FALSE(set_sops_shamir(text, ".sops.yaml", 0, 2).ok());  // one group only
  EXPECT_FALSE(set_sops_shamir(two, ".sops.yaml", 0, 3).ok());   // more than the groups
  EXPECT_FALSE(set_sops_shamir(two, ".sops.yaml", 1, 2).ok());   // no rule 1
}

TEST(SopsConfig, RemoveKeepsTheRestAndRefusesToLeaveNoKey) {
  const std::string text = "creation_rules:\n  - path_regex: .*\n    age: >-\n      " + kA + ",\n      " + kB + "\n";
  auto removed = remove_sops_keys(text, "s.yaml", {"age", {kA}, std::nullopt, false});
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(removed->text, "creation_rules:\n  - path_regex: .*\n    age: " + kB + "\n");
  EXPECT_FALSE(remove_sops_keys(removed->text, "s.yaml", {"age", {kB}, std::nullopt, false}).ok());
  auto none = remove_sops_keys(removed->text, "s.yaml", {"age", {kC}, std::nullopt, false});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->changed);
}

TEST(SopsConfig, DocumentsThatAreNotMappingsAreRefused) {
  // Found by sops_config_fuzz: a subscript on a scalar document threw out of the editor.
  for (const char* text : {"creation_rules:`\n", "- a\n", "just text", "creation_rules: 3\n"}) {
    EXPECT_FALSE(add_sops_keys(text, "s.yaml", {"age", {kA}, std::nullopt, false}).ok()) << text;
    EXPECT_FALSE(set_sops_shamir(text, "s.yaml", 0, 2).ok()) << text;
  }
}

TEST(SopsConfig, RecipientsAreChecked) {
  EXPECT_TRUE(checked_recipient("age", kA).ok());
  EXPECT_FALSE(checked_recipient("age", "age1short").ok());
  auto fpr = checked_recipient("pgp", "0123 4567 89ab cdef 0123  4567 89AB CDEF 0123 4567");
  ASSERT_TRUE(fpr.ok());
  EXPECT_EQ(*fpr, "0123456789ABCDEF0123456789ABCDEF01234567");
  EXPECT_FALSE(checked_recipient("pgp", "XYZ").ok());
  EXPECT_FALSE(checked_recipient("vault", "x").ok());
}

}  // namespace
}  // namespace chaos
