#include "apply/host_split.h"

#include <gtest/gtest.h>

namespace chaos {
namespace {

using nlohmann::json;

TEST(HostSplit, HowManyRoleHosts) {
  EXPECT_EQ(role_hosts_for(1, 4, 8, ""), 1u);
  EXPECT_EQ(role_hosts_for(30, 2, 8, ""), 2u);
  EXPECT_EQ(role_hosts_for(3, 8, 8, ""), 3u) << "never more role hosts than hosts";
  EXPECT_EQ(role_hosts_for(30, 2, 8, "--serial"), 1u);
  EXPECT_EQ(role_hosts_for(kHostsPerRoleHost - 1, 0, 8, ""), 1u);
  EXPECT_EQ(role_hosts_for(kHostsPerRoleHost * 3, 0, 8, ""), 3u);
  EXPECT_EQ(role_hosts_for(kHostsPerRoleHost * 3, 0, 2, ""), 2u) << "at most one per core";
  EXPECT_EQ(role_hosts_for(kHostsPerRoleHost * 3, 0, 0, ""), 1u);
}

TEST(HostSplit, SlicesKeepOrderAndDifferByOne) {
  json hosts = json::array();
  for (int i = 1; i <= 7; ++i) hosts.push_back("h" + std::to_string(i));
  auto parts = split_inventory(hosts, 3);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], (json{"h1", "h2", "h3"}));
  EXPECT_EQ(parts[1], (json{"h4", "h5"}));
  EXPECT_EQ(parts[2], (json{"h6", "h7"}));
  EXPECT_EQ(split_inventory(hosts, 20).size(), 7u);
  EXPECT_EQ(split_inventory(hosts, 0).size(), 1u);
  EXPECT_TRUE(split_inventory(json::array(), 2).empty());
}

TEST(HostSplit, RepliesMergeAsOneHostWouldHaveSent) {
  json a = {{"roles", {{{"tag", "r"}}}},
            {"hosts", {{"web-1", {{"changed", 1}}}}},
            {"deltas", {1}},
            {"failed_roles", json::object()},
            {"success", true},
            {"changes", false},
            {"error", nullptr}};
  json b = {{"roles", {{{"tag", "r"}}}},
            {"hosts", {{"web-2", {{"changed", 0}}}}},
            {"deltas", {2, 3}},
            {"failed_roles", {{"web-2", {"r"}}}},
            {"success", false},
            {"changes", true},
            {"error", "No hosts remaining!"},
            {"max_fail_reached", true}};
  json merged = merge_replies({a, b});
  EXPECT_EQ(merged["roles"].size(), 1u);
  EXPECT_EQ(merged["hosts"].size(), 2u);
  EXPECT_EQ(merged["deltas"], (json{1, 2, 3}));
  EXPECT_EQ(merged["failed_roles"], (json{{"web-2", {"r"}}}));
  EXPECT_EQ(merged["success"], false);
  EXPECT_EQ(merged["changes"], true);
  EXPECT_EQ(merged["error"], "No hosts remaining!");
  EXPECT_EQ(merged["max_fail_reached"], true);
  EXPECT_EQ(merge_replies({b, a})["success"], false);
  EXPECT_EQ(merge_replies({a, a})["success"], true);
}

}  // namespace
}  // namespace chaos
